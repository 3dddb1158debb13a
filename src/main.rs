//! Command line: `serve`, `migrate`, `openapi`, `token`, `verify-audit`. All behaviour lives in the library.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use medcredit::auth::jwt::parse_ttl;
use medcredit::auth::{JwtKeys, Role};
use medcredit::config::Config;
use medcredit::startup::{Application, connect_and_migrate};

#[derive(Parser)]
#[command(
    name = "medcredit",
    version,
    about = "Medical-insurance credit supervision service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API.
    Serve {
        /// Address to listen on (overrides MEDCREDIT_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Seed demo subjects and print one token per role; generates a JWT secret if no signing key is configured.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Mint a token with the signing key (MEDCREDIT_JWT_KEYS_FILE's "sign" key, else MEDCREDIT_JWT_SECRET).
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
    /// Check the audit log's hash chain and report the first broken row.
    VerifyAudit,
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
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve { bind, demo } => {
            medcredit::telemetry::init(config.log_format);
            if let Some(bind) = bind {
                config.bind = bind;
            }
            let generated = (demo && !config.has_signing_key()).then(|| {
                println!("No MEDCREDIT_JWT_SECRET set: generated a random one for this demo run.");
                random_secret()
            });
            let keys = JwtKeys::from_config(&config, generated.as_deref())
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
                "medcredit listening on http://127.0.0.1:{} (Swagger UI at /docs)",
                app.port()
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
            let keys = JwtKeys::from_config(&config, None)?;
            if role == Role::Hospital && org.is_none() {
                return Err("a hospital token needs --org INSTITUTION_CODE".into());
            }
            let ttl = parse_ttl(&ttl)?;
            println!("{}", keys.mint(role, &sub, org.as_deref(), ttl));
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

fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
