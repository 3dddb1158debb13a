//! Command line: `serve`, `migrate`, `openapi`, `token`, `policy`, `verify-audit`, `rebuild-standings`,
//! `rebuild-stats`, `check`. All behaviour lives in the
//! library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use medcredit::auth::demo_secret::{self, Origin};
use medcredit::auth::jwt::parse_ttl;
use medcredit::auth::{JwtKeys, Role};
use medcredit::config::{Config, Settings};
use medcredit::startup::{Application, connect_and_migrate};
use secrecy::{ExposeSecret, SecretString};

#[derive(Parser)]
#[command(
    name = "medcredit",
    version,
    about = "Medical-insurance credit supervision service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Every setting is an environment variable (listed with each flag); a flag overrides its variable.
    #[command(flatten, next_help_heading = "Configuration")]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API (`--bind ADDR` overrides MEDCREDIT_BIND).
    Serve {
        /// Seed demo subjects and print one token per role; without a configured signing key, use the demo
        /// secret kept beside the database (created on first use).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Mint a token with the signing key (MEDCREDIT_JWT_KEYS_FILE's "sign" key, else MEDCREDIT_JWT_SECRET, else
    /// the demo secret of `serve --demo`).
    Token {
        #[arg(long, value_enum)]
        role: Role,
        #[arg(long)]
        sub: String,
        /// Institution code (hospital role).
        #[arg(long)]
        org: Option<String>,
        /// Lifetime such as 30m, 8h, 7d.
        #[arg(long, default_value = "8h")]
        ttl: String,
    },
    /// Print the effective scoring policy as JSON: the defaults with MEDCREDIT_POLICY_FILE laid over them.
    Policy,
    /// Check the audit log's hash chain and report the first broken row.
    VerifyAudit,
    /// Rewrite every subject's materialised standing from its ledger and sanctions (after a bulk load straight
    /// into the database, or to repair); each changed row gets a change-log row.
    RebuildStandings,
    /// Recompute every statistics counter from the facts (case transitions, sanctions, list entries, tips) with
    /// the rules the writer applies as they happen, replacing the old counters in one transaction.
    RebuildStats,
    /// List ID numbers (per role) and USCCs held by more than one subject, and exit non-zero if there are any:
    /// one file per person and per organisation, which the migration adding its unique indexes needs merged
    /// first. Reads the database without migrating it.
    Check,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("medcredit: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_settings(cli.settings).map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve { demo } => {
            medcredit::telemetry::init(config.log_format);
            let mut config = config;
            if demo {
                // The demo's receivers run on this machine; production allows only what it lists.
                config.webhook_allow.extend(
                    ["127.0.0.0/8", "::1/128"]
                        .map(|n| n.parse::<ipnet::IpNet>().expect("a valid CIDR")),
                );
                println!(
                    "Demo: webhooks may be delivered to loopback addresses (127.0.0.0/8, ::1)."
                );
            }
            let fallback = if demo && !config.has_signing_key() {
                let path = demo_secret::path_for(config.database_url.expose_secret());
                let (secret, origin) = demo_secret::load_or_create(&path)?;
                let how = match origin {
                    Origin::Created => "generated one and saved it in",
                    Origin::Reused => "using the one saved in",
                };
                println!(
                    "No MEDCREDIT_JWT_SECRET set: {how} {} (tokens survive restarts).",
                    path.display()
                );
                Some(secret)
            } else {
                None
            };
            if demo && config.tip_key.is_none() {
                // The tip form must take contact details in the demo too: a key kept like the demo secret.
                let path = demo_secret::tip_key_path_for(config.database_url.expose_secret());
                let (key, _) = demo_secret::load_or_create(&path)?;
                println!(
                    "No MEDCREDIT_TIP_KEY set: tips' contact details are sealed with the key in {}.",
                    path.display()
                );
                config.tip_key = Some(key);
            }
            let keys = JwtKeys::from_config(&config, fallback.as_ref())
                .map_err(|e| format!("{e} (or run `serve --demo`)"))?;
            let app = Application::build(config, keys)
                .await
                .map_err(|e| e.to_string())?;
            if demo {
                medcredit::demo::seed(app.state())
                    .await
                    .map_err(|e| format!("demo seed failed: {e}"))?;
                println!("Demo data is loaded. Tokens (valid 24 h):");
                for (role, token) in medcredit::demo::tokens(app.state()) {
                    println!("  {:<9} {token}", role.as_str());
                }
            }
            println!(
                "medcredit listening on http://{} (Swagger UI at /docs)",
                app.local_addr()
            );
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => {
            connect_and_migrate(&config)
                .await
                .map_err(|e| e.to_string())?;
            println!("database is up to date");
            Ok(())
        }
        Command::Openapi => {
            print!("{}", medcredit::openapi::spec_json());
            Ok(())
        }
        Command::Token {
            role,
            sub,
            org,
            ttl,
        } => {
            let keys =
                JwtKeys::from_config(&config, demo_fallback(&config)?.as_ref()).map_err(|e| {
                    let path = demo_secret::path_for(config.database_url.expose_secret());
                    format!("{e} (or the demo secret {}, not found)", path.display())
                })?;
            if role == Role::Hospital && org.is_none() {
                return Err("a hospital token needs --org INSTITUTION_CODE".into());
            }
            let ttl = parse_ttl(&ttl)?;
            println!("{}", keys.mint(role, &sub, org.as_deref(), ttl));
            Ok(())
        }
        Command::RebuildStandings => {
            let db = connect_and_migrate(&config)
                .await
                .map_err(|e| e.to_string())?;
            let cx = medcredit::service::context::Ctx::new(chrono::Utc::now(), config.into());
            let count = medcredit::service::standings::materialise(&db, cx, true)
                .await
                .map_err(|e| e.to_string())?;
            println!("standings of {count} subjects written");
            Ok(())
        }
        Command::RebuildStats => {
            let db = connect_and_migrate(&config)
                .await
                .map_err(|e| e.to_string())?;
            let rows = medcredit::service::stats::rebuild::rebuild(&db)
                .await
                .map_err(|e| e.to_string())?;
            println!("statistics counters rebuilt: {rows} rows");
            Ok(())
        }
        Command::Check => {
            let url = config.database_url.expose_secret();
            let db = medcredit::db::Db::connect(url, config.db_schema.as_deref())
                .await
                .map_err(|e| format!("cannot connect to the database: {e}"))?;
            let duplicates = migration::duplicate_identities(&db.conn)
                .await
                .map_err(|e| e.to_string())?;
            for d in &duplicates {
                let kind = d
                    .kind
                    .as_deref()
                    .map(|k| format!(" ({k})"))
                    .unwrap_or_default();
                println!("{} {}{kind}: {}", d.field, d.identifier, d.codes.join(", "));
            }
            if duplicates.is_empty() {
                println!("no ID number or USCC is held by more than one subject");
                Ok(())
            } else {
                Err(format!(
                    "{} identities are held by more than one subject; merge each into one record",
                    duplicates.len()
                ))
            }
        }
        Command::Policy => {
            let json = serde_json::to_string_pretty(&config.policy).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
        Command::VerifyAudit => {
            let db = connect_and_migrate(&config)
                .await
                .map_err(|e| e.to_string())?;
            let report = medcredit::service::audit::verify(&db.conn)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            if report.ok {
                Ok(())
            } else {
                Err("audit chain is broken".into())
            }
        }
    }
}

/// Without a configured signing key, `token` signs with the secret of `serve --demo` on the same database, so
/// its tokens are accepted by that demo server. It never creates one: a token nobody verifies is no use.
fn demo_fallback(config: &Config) -> Result<Option<SecretString>, String> {
    if config.has_signing_key() {
        return Ok(None);
    }
    let path = demo_secret::path_for(config.database_url.expose_secret());
    demo_secret::load(&path)
}
