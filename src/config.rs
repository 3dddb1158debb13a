//! Configuration from the environment (or the same settings as command-line flags, which win). Every variable is
//! declared once, on [`Settings`], with clap's `env` attribute, so `medcredit --help` lists them all; the README
//! documents them. A missing or invalid one stops start-up with a single clear line (`ConfigError`) naming the
//! variable, never a panic trace. Secrets are [`SecretString`]s: `{:?}` of a `Config` shows `[REDACTED]`.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, FromArgMatches};
use regex::Regex;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::keyfile::{self, KeySpec};
use crate::domain::policy::Policy;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://medcredit.db?mode=rwc";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub use crate::auth::keyfile::MIN_SECRET_LEN;

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

/// The raw settings as clap reads them: flag, else environment variable, else absent. Everything is text here;
/// [`Config::from_settings`] checks it, so messages name the variable the way operators set it. Defaults are
/// applied there too, because an empty variable counts as unset (clap would take it as the value `""`).
#[derive(Args, Clone, Debug, Default)]
pub struct Settings {
    /// Database: sqlite://FILE?mode=rwc or postgres://user@host:port/db [default: sqlite://medcredit.db?mode=rwc]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true, value_parser = secret)]
    pub database_url: Option<SecretString>,
    /// PostgreSQL schema to use (search_path)
    #[arg(long, env = "MEDCREDIT_DB_SCHEMA", global = true)]
    pub db_schema: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MEDCREDIT_BIND", global = true)]
    pub bind: Option<String>,
    /// HS256 secret, at least 32 bytes (prefer the variable: command lines show in `ps`)
    #[arg(long, env = "MEDCREDIT_JWT_SECRET", global = true, hide_env_values = true, value_parser = secret)]
    pub jwt_secret: Option<SecretString>,
    /// JSON file of verification keys chosen by the token's kid
    #[arg(long, env = "MEDCREDIT_JWT_KEYS_FILE", global = true)]
    pub jwt_keys_file: Option<String>,
    /// Regular expression for institution codes [default: ^H\d{11}$]
    #[arg(long, env = "MEDCREDIT_INSTITUTION_CODE_PATTERN", global = true)]
    pub institution_code_pattern: Option<String>,
    /// Regular expression for pharmacy codes [default: ^P\d{11}$]
    #[arg(long, env = "MEDCREDIT_PHARMACY_CODE_PATTERN", global = true)]
    pub pharmacy_code_pattern: Option<String>,
    /// Regular expression for practitioner codes [default: ^D\d{12}$]
    #[arg(long, env = "MEDCREDIT_PRACTITIONER_CODE_PATTERN", global = true)]
    pub practitioner_code_pattern: Option<String>,
    /// JSON file overriding numbers of the scoring policy (partial is fine)
    #[arg(long, env = "MEDCREDIT_POLICY_FILE", global = true)]
    pub policy_file: Option<String>,
    /// Requests running longer get 408 [default: 30]
    #[arg(long, env = "MEDCREDIT_REQUEST_TIMEOUT_SECS", global = true)]
    pub request_timeout_secs: Option<String>,
    /// Seconds a connection may take to send a request's headers, or stay idle between requests [default: 10]
    #[arg(long, env = "MEDCREDIT_HEADER_READ_TIMEOUT_SECS", global = true)]
    pub header_read_timeout_secs: Option<String>,
    /// Seconds a stopping server waits for requests in flight before it closes every connection [default: 20]
    #[arg(long, env = "MEDCREDIT_SHUTDOWN_GRACE_SECS", global = true)]
    pub shutdown_grace_secs: Option<String>,
    /// Milliseconds a request waits for a database connection before it is answered 503 [default: 2000]
    #[arg(long, env = "MEDCREDIT_DB_ACQUIRE_TIMEOUT_MS", global = true)]
    pub db_acquire_timeout_ms: Option<String>,
    /// Seconds a token's nbf or iat may lie in the future (clock skew) before it is refused [default: 60]
    #[arg(long, env = "MEDCREDIT_JWT_LEEWAY_SECS", global = true)]
    pub jwt_leeway_secs: Option<String>,
    /// Requests per minute per client on each node; 0 turns the limit off [default: 1200]
    #[arg(long, env = "MEDCREDIT_RATE_LIMIT_PER_MINUTE", global = true)]
    pub rate_limit_per_minute: Option<String>,
    /// Requests a client may make at once before the per-minute rate applies [default: 100]
    #[arg(long, env = "MEDCREDIT_RATE_LIMIT_BURST", global = true)]
    pub rate_limit_burst: Option<String>,
    /// Lines (`YYYY-MM-DD holiday|workday`) laid over the shipped holiday calendar (data/holidays.txt)
    #[arg(long, env = "MEDCREDIT_HOLIDAYS_FILE", global = true)]
    pub holidays_file: Option<String>,
    /// How often (s) a node writes the change rows of date-driven changes; 0 leaves it to other nodes [default: 60]
    #[arg(long, env = "MEDCREDIT_DATES_SECS", global = true)]
    pub dates_secs: Option<String>,
    /// How often (ms) a node looks for webhook deliveries to send; 0 turns delivery off on it [default: 200]
    #[arg(long, env = "MEDCREDIT_OUTBOX_MS", global = true)]
    pub outbox_ms: Option<String>,
    /// How often (ms) a node applies other nodes' changes to its standing cache; 0 turns it off [default: 100]
    #[arg(long, env = "MEDCREDIT_STANDING_CACHE_MS", global = true)]
    pub standing_cache_ms: Option<String>,
    /// text or json [default: text]
    #[arg(long, env = "MEDCREDIT_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// CIDRs that webhooks may reach although private or loopback (on-premises receivers); link-local,
    /// metadata and unspecified addresses stay refused [default: none]
    #[arg(long, env = "MEDCREDIT_WEBHOOK_ALLOW", global = true)]
    pub webhook_allow: Option<String>,
    /// 64 hex digits (32 bytes): the key that seals tip reporters' contact and payment details at rest
    #[arg(long, env = "MEDCREDIT_TIP_KEY", global = true, hide_env_values = true, value_parser = secret)]
    pub tip_key: Option<SecretString>,
}

fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(value.into())
}

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
    /// Secret because a PostgreSQL URL may carry a password.
    pub database_url: SecretString,
    /// PostgreSQL schema to work in (search_path); lets several deployments or test runs share one database.
    pub db_schema: Option<String>,
    pub bind: SocketAddr,
    /// `None` only when the caller (demo mode, tests) supplies a secret itself.
    pub jwt_secret: Option<SecretString>,
    /// Verification keys by `kid` from `MEDCREDIT_JWT_KEYS_FILE` (empty without it); checked whole here.
    pub jwt_keys: Vec<KeySpec>,
    pub patterns: IdentifierPatterns,
    pub log_format: LogFormat,
    pub request_timeout: Duration,
    /// Closes a connection that has not sent a whole request head in this time, idle keep-alive ones included.
    pub header_read_timeout: Duration,
    /// How long a stopping server lets requests in flight finish before it closes every connection.
    pub shutdown_grace: Duration,
    /// How long a request waits for a pooled database connection (bulk imports wait longer, `db::IMPORT_ACQUIRE`).
    pub db_acquire_timeout: Duration,
    /// Clock skew allowed on a token's `nbf` and `iat`.
    pub jwt_leeway_secs: u32,
    /// Requests per minute per client (token subject or address) on this node; `0` turns the limiter off.
    pub rate_limit_per_minute: u32,
    /// Requests a client may make at once before the per-minute rate applies.
    pub rate_limit_burst: u32,
    /// How often, in milliseconds, a node applies other nodes' changes to its standing cache; `0` turns the
    /// cache off (`MEDCREDIT_STANDING_CACHE_MS`, default 100). The bound on how stale a cached answer can be.
    pub standing_cache_ms: u32,
    /// Private and loopback ranges that webhooks may reach (`MEDCREDIT_WEBHOOK_ALLOW`); `serve --demo` adds
    /// loopback.
    pub webhook_allow: Vec<ipnet::IpNet>,
    /// How often, in milliseconds, this node sends due webhook deliveries (`MEDCREDIT_OUTBOX_MS`, default 200);
    /// `0` leaves delivery to other nodes.
    pub outbox_ms: u32,
    /// How often, in seconds, this node runs the date scheduler (`MEDCREDIT_DATES_SECS`, default 60); `0` off.
    pub dates_secs: u32,
    /// Public holidays and make-up working days, for deadlines counted in working days.
    pub calendar: crate::domain::calendar::Calendar,
    pub policy: Policy,
    /// Seals tip reporters' contact and payment details (`MEDCREDIT_TIP_KEY`, 64 hex digits); `serve --demo`
    /// keeps one beside the database. Without it, tips are taken only without such details.
    pub tip_key: Option<SecretString>,
}

/// Blank values count as unset, as they always have: `MEDCREDIT_BIND= medcredit serve` means "the default".
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Reads the process environment (flags are `main`'s business: it parses [`Settings`] with the command line).
    pub fn from_env() -> Result<Self, ConfigError> {
        let command = Settings::augment_args(clap::Command::new("medcredit"));
        let matches = command
            .try_get_matches_from(["medcredit"])
            .map_err(|e| ConfigError(e.to_string().trim().replace('\n', " ")))?;
        let settings =
            Settings::from_arg_matches(&matches).map_err(|e| ConfigError(e.to_string()))?;
        Self::from_settings(settings)
    }

    /// Reads settings through `lookup` instead of the process environment, so tests can configure without
    /// touching it: each variable `lookup` knows becomes its flag, and the arguments' `env` is switched off.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut argv = vec![OsString::from("medcredit")];
        let command = Settings::augment_args(clap::Command::new("medcredit")).mut_args(|arg| {
            let env = arg.get_env().and_then(|e| e.to_str()).map(str::to_string);
            if let (Some(env), Some(long)) = (env, arg.get_long())
                && let Some(value) = lookup(&env)
            {
                // `--flag=value`, so a value starting with `-` is still a value.
                argv.push(format!("--{long}={value}").into());
            }
            arg.env(None::<&'static str>)
        });
        let matches = command
            .try_get_matches_from(argv)
            .map_err(|e| ConfigError(e.to_string().trim().replace('\n', " ")))?;
        let settings =
            Settings::from_arg_matches(&matches).map_err(|e| ConfigError(e.to_string()))?;
        Self::from_settings(settings)
    }

    /// Checks raw settings and applies the defaults.
    pub fn from_settings(settings: Settings) -> Result<Self, ConfigError> {
        let Settings {
            database_url,
            db_schema,
            bind,
            jwt_secret,
            jwt_keys_file,
            institution_code_pattern,
            pharmacy_code_pattern,
            practitioner_code_pattern,
            policy_file,
            request_timeout_secs,
            header_read_timeout_secs,
            shutdown_grace_secs,
            db_acquire_timeout_ms,
            jwt_leeway_secs,
            rate_limit_per_minute,
            rate_limit_burst,
            standing_cache_ms,
            outbox_ms,
            dates_secs,
            holidays_file,
            log_format,
            webhook_allow,
            tip_key,
        } = settings;
        let database_url = database_url
            .filter(|url| !url.expose_secret().trim().is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let url = database_url.expose_secret();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres")) {
            // Only the scheme: the rest of a URL may hold a password.
            let scheme = url.split(':').next().unwrap_or_default();
            return Err(ConfigError(format!(
                "DATABASE_URL must start with sqlite: or postgres://, got {scheme:?}"
            )));
        }
        let db_schema = given(db_schema);
        if let Some(schema) = &db_schema
            && !schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(ConfigError(format!(
                "MEDCREDIT_DB_SCHEMA must be letters, digits and underscores, got {schema:?}"
            )));
        }
        let bind_text = given(bind).unwrap_or_else(|| DEFAULT_BIND.into());
        let bind = bind_text.parse().map_err(|_| {
            ConfigError(format!(
                "MEDCREDIT_BIND must be HOST:PORT, got {bind_text:?}"
            ))
        })?;
        let jwt_secret = jwt_secret.filter(|s| !s.expose_secret().trim().is_empty());
        if let Some(secret) = &jwt_secret
            && secret.expose_secret().len() < MIN_SECRET_LEN
        {
            return Err(ConfigError(format!(
                "MEDCREDIT_JWT_SECRET must be at least {MIN_SECRET_LEN} bytes"
            )));
        }
        let jwt_keys = match given(jwt_keys_file) {
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
        let pattern = |key: &str, value: Option<String>, default: &str| {
            let text = given(value).unwrap_or_else(|| default.into());
            Regex::new(&text)
                .map_err(|e| ConfigError(format!("{key} is not a valid regular expression: {e}")))
        };
        let patterns = IdentifierPatterns {
            institution: pattern(
                "MEDCREDIT_INSTITUTION_CODE_PATTERN",
                institution_code_pattern,
                r"^H\d{11}$",
            )?,
            pharmacy: pattern(
                "MEDCREDIT_PHARMACY_CODE_PATTERN",
                pharmacy_code_pattern,
                r"^P\d{11}$",
            )?,
            practitioner: pattern(
                "MEDCREDIT_PRACTITIONER_CODE_PATTERN",
                practitioner_code_pattern,
                r"^D\d{12}$",
            )?,
        };
        let log_format = match given(log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "MEDCREDIT_LOG_FORMAT must be text or json, got {other:?}"
                )));
            }
        };
        let timeout_text = given(request_timeout_secs).unwrap_or_else(|| "30".into());
        let request_timeout = match timeout_text.parse::<u64>() {
            Ok(secs) if secs > 0 => Duration::from_secs(secs),
            _ => {
                return Err(ConfigError(format!(
                    "MEDCREDIT_REQUEST_TIMEOUT_SECS must be a positive number of seconds, got {timeout_text:?}"
                )));
            }
        };
        let count = |key: &str, value: Option<String>, default: u32, min: u32| {
            let text = given(value).unwrap_or_else(|| default.to_string());
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
        let rate_limit_per_minute = count(
            "MEDCREDIT_RATE_LIMIT_PER_MINUTE",
            rate_limit_per_minute,
            1200,
            0,
        )?;
        // A burst of 0 would refuse every request; turning the limiter off is what PER_MINUTE=0 is for.
        let rate_limit_burst = count("MEDCREDIT_RATE_LIMIT_BURST", rate_limit_burst, 100, 1)?;
        let standing_cache_ms = count("MEDCREDIT_STANDING_CACHE_MS", standing_cache_ms, 100, 0)?;
        let outbox_ms = count("MEDCREDIT_OUTBOX_MS", outbox_ms, 200, 0)?;
        let dates_secs = count("MEDCREDIT_DATES_SECS", dates_secs, 60, 0)?;
        let webhook_allow =
            crate::domain::net::parse_allow_list(&given(webhook_allow).unwrap_or_default())
                .map_err(|e| ConfigError(format!("MEDCREDIT_WEBHOOK_ALLOW: {e}")))?;
        let seconds = |key, value, default| {
            count(key, value, default, 1).map(|n| Duration::from_secs(n.into()))
        };
        let header_read_timeout = seconds(
            "MEDCREDIT_HEADER_READ_TIMEOUT_SECS",
            header_read_timeout_secs,
            10,
        )?;
        let shutdown_grace = seconds("MEDCREDIT_SHUTDOWN_GRACE_SECS", shutdown_grace_secs, 20)?;
        let db_acquire_timeout = Duration::from_millis(
            count(
                "MEDCREDIT_DB_ACQUIRE_TIMEOUT_MS",
                db_acquire_timeout_ms,
                2000,
                1,
            )?
            .into(),
        );
        let jwt_leeway_secs = count("MEDCREDIT_JWT_LEEWAY_SECS", jwt_leeway_secs, 60, 0)?;
        let extra = match given(holidays_file) {
            None => None,
            Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                ConfigError(format!(
                    "MEDCREDIT_HOLIDAYS_FILE {path:?} cannot be read: {e}"
                ))
            })?),
        };
        let calendar = crate::domain::calendar::Calendar::shipped_with(extra.as_deref())
            .map_err(|e| ConfigError(format!("MEDCREDIT_HOLIDAYS_FILE: {e}")))?;
        let policy = match given(policy_file) {
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
        let tip_key = tip_key.filter(|k| !k.expose_secret().trim().is_empty());
        if let Some(key) = &tip_key
            && crate::shared::sealed::TipKey::from_hex(key.expose_secret()).is_none()
        {
            return Err(ConfigError(
                "MEDCREDIT_TIP_KEY must be 64 hexadecimal digits (32 bytes)".into(),
            ));
        }
        Ok(Self {
            database_url,
            db_schema,
            bind,
            jwt_secret,
            jwt_keys,
            patterns,
            log_format,
            request_timeout,
            header_read_timeout,
            shutdown_grace,
            db_acquire_timeout,
            jwt_leeway_secs,
            rate_limit_per_minute,
            rate_limit_burst,
            standing_cache_ms,
            outbox_ms,
            dates_secs,
            webhook_allow,
            calendar,
            policy,
            tip_key,
        })
    }

    /// Whether tokens can be minted without a generated secret: `MEDCREDIT_JWT_SECRET` or a signing key in the file.
    pub fn has_signing_key(&self) -> bool {
        self.jwt_secret.is_some() || self.jwt_keys.iter().any(|k| k.sign)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose_secret().starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests;
