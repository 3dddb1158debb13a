use super::*;
use std::collections::HashMap;

fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_are_the_embedded_sqlite_file_on_localhost() {
    let config = with(&[]).unwrap();
    assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
    assert_eq!(config.bind.to_string(), DEFAULT_BIND);
    assert!(config.jwt_secret.is_none());
    assert!(config.patterns.practitioner.is_match("D110105000001"));
}

#[test]
fn blank_values_count_as_unset() {
    let config = with(&[("MEDCREDIT_BIND", " "), ("MEDCREDIT_JWT_SECRET", "")]).unwrap();
    assert_eq!(config.bind.to_string(), DEFAULT_BIND);
    assert!(config.jwt_secret.is_none());
}

#[test]
fn values_that_look_like_flags_are_still_values() {
    let err = with(&[("MEDCREDIT_RATE_LIMIT_BURST", "-5")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            r#"MEDCREDIT_RATE_LIMIT_BURST must be a whole number of at least 1, got "-5""#
        ),
        "{err}"
    );
}

#[test]
fn secrets_never_reach_debug_output() {
    let secret = "s3cret-s3cret-s3cret-s3cret-s3cret-42";
    let password = "hunter2-db-password";
    let url = format!("postgres://medcredit:{password}@127.0.0.1:5432/medcredit");
    let config = with(&[("MEDCREDIT_JWT_SECRET", secret), ("DATABASE_URL", &url)]).unwrap();
    assert_eq!(
        config.jwt_secret.as_ref().map(ExposeSecret::expose_secret),
        Some(secret)
    );
    let printed = format!("{config:?} {config:#?}");
    assert!(!printed.contains(secret), "{printed}");
    assert!(!printed.contains(password), "{printed}");
    assert!(printed.contains("REDACTED"), "{printed}");
    // A URL refused for its scheme is not echoed whole either.
    let err = with(&[("DATABASE_URL", &format!("mysql://u:{password}@h/db"))])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("DATABASE_URL") && !err.contains(password),
        "{err}"
    );
}

#[test]
fn bad_settings_name_the_variable() {
    let cases = [
        ("MEDCREDIT_BIND", "nowhere"),
        ("MEDCREDIT_JWT_SECRET", "short"),
        ("MEDCREDIT_PRACTITIONER_CODE_PATTERN", "(["),
        ("MEDCREDIT_LOG_FORMAT", "xml"),
        ("MEDCREDIT_REQUEST_TIMEOUT_SECS", "0"),
        ("DATABASE_URL", "mysql://x"),
        ("MEDCREDIT_DB_SCHEMA", "a;drop"),
        ("MEDCREDIT_POLICY_FILE", "/nonexistent/policy.json"),
        ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "-1"),
        ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "lots"),
        ("MEDCREDIT_RATE_LIMIT_BURST", "0"),
    ];
    for (key, value) in cases {
        let err = with(&[(key, value)]).unwrap_err().to_string();
        assert!(err.contains(key), "{err} should name {key}");
    }
}

#[test]
fn a_keys_file_is_read_and_a_bad_one_is_one_line_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let good = write(
        "good.json",
        r#"[{"kid": "2025-06", "alg": "HS256", "secret": "0123456789abcdef0123456789abcdef", "sign": true}]"#,
    );
    let config = with(&[("MEDCREDIT_JWT_KEYS_FILE", &good)]).unwrap();
    assert_eq!(config.jwt_keys.len(), 1);
    assert!(config.has_signing_key() && config.jwt_secret.is_none());
    assert!(!with(&[]).unwrap().has_signing_key());

    let short = write(
        "short.json",
        r#"[{"kid": "k", "alg": "HS256", "secret": "short"}]"#,
    );
    let bad_pem = write(
        "pem.json",
        r#"[{"kid": "idp", "alg": "RS256", "public_key_pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}]"#,
    );
    let missing = dir.path().join("absent.json").display().to_string();
    for path in [write("broken.json", "[{"), short, bad_pem, missing] {
        let err = with(&[("MEDCREDIT_JWT_KEYS_FILE", &path)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("MEDCREDIT_JWT_KEYS_FILE"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}

#[test]
fn rate_limit_defaults_and_zero_turns_it_off() {
    let config = with(&[]).unwrap();
    assert_eq!(config.rate_limit_per_minute, 1200);
    assert_eq!(config.rate_limit_burst, 100);
    let off = with(&[("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "0")]).unwrap();
    assert_eq!(off.rate_limit_per_minute, 0);
}
