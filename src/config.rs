//! Configuration from the environment. Every variable is documented in the README; a missing or invalid one stops
//! start-up with a single clear line (`ConfigError`), never a panic trace.

use regex::Regex;
use std::net::SocketAddr;
use std::time::Duration;

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
    pub patterns: IdentifierPatterns,
    pub log_format: LogFormat,
    pub request_timeout: Duration,
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
            patterns,
            log_format,
            request_timeout,
            policy,
        })
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
        ];
        for (key, value) in cases {
            let err = with(&[(key, value)]).unwrap_err().to_string();
            assert!(err.contains(key), "{err} should name {key}");
        }
    }
}
