//! Configuration from the environment. Every variable is documented in the README; a missing or invalid one stops
//! start-up with a single clear line (`ConfigError`), never a panic trace.

use regex::Regex;
use std::net::SocketAddr;
use std::time::Duration;

use crate::auth::keyfile::{self, KeySpec};
use crate::domain::policy::Policy;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://medcredit.db?mode=rwc";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Short secrets make HS256 tokens guessable; 32 bytes is the usual floor for HMAC-SHA256 keys.
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

/// National code patterns of DESIGN §2. They live in configuration because provinces have used other layouts.
#[derive(Clone, Debug)]
pub struct IdentifierPatterns {
    pub institution: Regex,
    pub pharmacy: Regex,
    pub practitioner: Regex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// PostgreSQL schema to work in (search_path); lets several deployments or test runs share one database.
    pub db_schema: Option<String>,
    pub bind: SocketAddr,
    /// `None` only when the caller (demo mode, tests) supplies a secret itself.
    pub jwt_secret: Option<String>,
    /// Verification keys by `kid` from `MEDCREDIT_JWT_KEYS_FILE` (empty without it); checked whole here.
    pub jwt_keys: Vec<KeySpec>,
    pub patterns: IdentifierPatterns,
    pub log_format: LogFormat,
    pub request_timeout: Duration,
    /// Requests per minute per client (token subject or address) on this node; `0` turns the limiter off.
    pub rate_limit_per_minute: u32,
    /// Requests a client may make at once before the per-minute rate applies.
    pub rate_limit_burst: u32,
    pub policy: Policy,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `lookup`, so tests can configure without touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError(format!(
                "DATABASE_URL must start with sqlite: or postgres://, got {database_url:?}"
            )));
        }
        let db_schema = lookup("MEDCREDIT_DB_SCHEMA");
        if let Some(schema) = &db_schema
            && !schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(ConfigError(format!(
                "MEDCREDIT_DB_SCHEMA must be letters, digits and underscores, got {schema:?}"
            )));
        }
        let bind_text = lookup("MEDCREDIT_BIND").unwrap_or_else(|| DEFAULT_BIND.into());
        let bind = bind_text.parse().map_err(|_| {
            ConfigError(format!(
                "MEDCREDIT_BIND must be HOST:PORT, got {bind_text:?}"
            ))
        })?;
        let jwt_secret = lookup("MEDCREDIT_JWT_SECRET");
        if let Some(secret) = &jwt_secret
            && secret.len() < MIN_SECRET_LEN
        {
            return Err(ConfigError(format!(
                "MEDCREDIT_JWT_SECRET must be at least {MIN_SECRET_LEN} bytes"
            )));
        }
        let jwt_keys = match lookup("MEDCREDIT_JWT_KEYS_FILE") {
            None => Vec::new(),
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError(format!(
                        "MEDCREDIT_JWT_KEYS_FILE {path:?} cannot be read: {e}"
                    ))
                })?;
                keyfile::parse_key_file(&text)
                    .map_err(|e| ConfigError(format!("MEDCREDIT_JWT_KEYS_FILE {path:?}: {e}")))?
            }
        };
        let pattern = |key: &str, default: &str| -> Result<Regex, ConfigError> {
            let text = lookup(key).unwrap_or_else(|| default.into());
            Regex::new(&text)
                .map_err(|e| ConfigError(format!("{key} is not a valid regular expression: {e}")))
        };
        let patterns = IdentifierPatterns {
            institution: pattern("MEDCREDIT_INSTITUTION_CODE_PATTERN", r"^H\d{11}$")?,
            pharmacy: pattern("MEDCREDIT_PHARMACY_CODE_PATTERN", r"^P\d{11}$")?,
            practitioner: pattern("MEDCREDIT_PRACTITIONER_CODE_PATTERN", r"^D\d{12}$")?,
        };
        let log_format = match lookup("MEDCREDIT_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "MEDCREDIT_LOG_FORMAT must be text or json, got {other:?}"
                )));
            }
        };
        let timeout_text = lookup("MEDCREDIT_REQUEST_TIMEOUT_SECS").unwrap_or_else(|| "30".into());
        let request_timeout = match timeout_text.parse::<u64>() {
            Ok(secs) if secs > 0 => Duration::from_secs(secs),
            _ => {
                return Err(ConfigError(format!(
                    "MEDCREDIT_REQUEST_TIMEOUT_SECS must be a positive number of seconds, got {timeout_text:?}"
                )));
            }
        };
        let count = |key: &str, default: u32, min: u32| -> Result<u32, ConfigError> {
            let text = lookup(key).unwrap_or_else(|| default.to_string());
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= min)
                .ok_or_else(|| {
                    ConfigError(format!(
                        "{key} must be a whole number of at least {min}, got {text:?}"
                    ))
                })
        };
        let rate_limit_per_minute = count("MEDCREDIT_RATE_LIMIT_PER_MINUTE", 1200, 0)?;
        // A burst of 0 would refuse every request; turning the limiter off is what PER_MINUTE=0 is for.
        let rate_limit_burst = count("MEDCREDIT_RATE_LIMIT_BURST", 100, 1)?;
        let policy = match lookup("MEDCREDIT_POLICY_FILE") {
            None => Policy::default(),
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError(format!(
                        "MEDCREDIT_POLICY_FILE {path:?} cannot be read: {e}"
                    ))
                })?;
                Policy::from_json_overrides(&text)
                    .map_err(|e| ConfigError(format!("MEDCREDIT_POLICY_FILE {path:?}: {e}")))?
            }
        };
        Ok(Self {
            database_url,
            db_schema,
            bind,
            jwt_secret,
            jwt_keys,
            patterns,
            log_format,
            request_timeout,
            rate_limit_per_minute,
            rate_limit_burst,
            policy,
        })
    }

    /// Whether tokens can be minted without a generated secret: `MEDCREDIT_JWT_SECRET` or a signing key in the file.
    pub fn has_signing_key(&self) -> bool {
        self.jwt_secret.is_some() || self.jwt_keys.iter().any(|k| k.sign)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.bind.to_string(), DEFAULT_BIND);
        assert!(config.jwt_secret.is_none());
        assert!(config.patterns.practitioner.is_match("D110105000001"));
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
}
