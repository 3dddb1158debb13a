//! The real binary as an operator runs it: the start banner, logs written to a pipe, demo tokens that survive a
//! restart, `medcredit token` for a demo server and `medcredit policy`.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use medcredit::domain::policy::Policy;
use reqwest::StatusCode;

use crate::helpers::*;

/// `medcredit` with only the given settings: a developer's own MEDCREDIT_* variables must not change the test.
pub(crate) fn medcredit(database: &TestDatabase, dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_medcredit"));
    command
        .env_clear()
        // A demo secret for PostgreSQL goes to the current directory: the test's own, not the repository.
        .current_dir(dir)
        .env("DATABASE_URL", &database.url)
        .env("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "0")
        .stdin(Stdio::null());
    if let Some(schema) = &database.schema {
        command.env("MEDCREDIT_DB_SCHEMA", schema);
    }
    command
}

/// A running `medcredit serve` whose stdout and stderr are collected; SIGKILLed when dropped.
struct Served {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Served {
    fn start(mut command: Command) -> Served {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the medcredit binary");
        let output = Arc::new(Mutex::new(String::new()));
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout")),
            Box::new(child.stderr.take().expect("stderr")),
        ];
        for stream in streams {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let mut text = output.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            });
        }
        Served { child, output }
    }

    fn text(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits for the banner and returns the address it names.
    async fn address(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text();
            if let Some(rest) = text.split("medcredit listening on ").nth(1) {
                return rest.split_whitespace().next().unwrap().to_string();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("medcredit exited with {status}: {text}");
            }
            assert!(Instant::now() < deadline, "no banner in 30 s: {text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The token printed for `role` by `serve --demo`.
    fn demo_token(&self, role: &str) -> String {
        let text = self.text();
        text.lines()
            .find_map(|line| {
                let mut words = line.split_whitespace();
                (words.next() == Some(role)).then(|| words.next().unwrap_or_default().to_string())
            })
            .unwrap_or_else(|| panic!("no {role} token in {text}"))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn status_with(address: &str, path: &str, token: &str) -> StatusCode {
    crate::helpers::client()
        .get(format!("{address}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request reaches the server")
        .status()
}

#[tokio::test]
async fn the_banner_names_the_bound_address_and_logs_have_no_colour_codes() {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = medcredit(&database, dir.path());
    // 127.0.0.2 is loopback too on Linux, and unlike 127.0.0.1 it cannot appear by accident; port 0 must be
    // reported as the port the system chose.
    command
        .args(["serve", "--bind", "127.0.0.2:0"])
        .env("MEDCREDIT_JWT_SECRET", SECRET)
        .env("RUST_LOG", "info,tower_http=debug");
    let mut server = Served::start(command);
    let address = server.address().await;
    let port: u16 = address
        .strip_prefix("http://127.0.0.2:")
        .unwrap_or_else(|| panic!("banner names {address}"))
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    let health = reqwest::get(format!("{address}/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    // Output goes to a pipe here, so no terminal: the log lines (migrations, the request above) carry no ANSI
    // escapes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = server.text();
    assert!(text.contains("INFO") || text.contains("DEBUG"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in {text:?}");
}

#[tokio::test]
async fn demo_tokens_survive_a_restart_and_token_mints_for_the_demo_server() {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir
        .path()
        .join(medcredit::auth::demo_secret::path_for(&database.url));
    let start = || {
        let mut command = medcredit(&database, dir.path());
        command.args(["serve", "--demo", "--bind", "127.0.0.1:0"]);
        Served::start(command)
    };

    let mut first = start();
    let address = first.address().await;
    let inspector = first.demo_token("inspector");
    assert!(
        first.text().contains("generated one and saved it in"),
        "{}",
        first.text()
    );
    assert_eq!(
        status_with(&address, "/api/v1/subjects", &inspector).await,
        StatusCode::OK
    );
    assert_owner_only(&secret_file);
    drop(first);

    let mut second = start();
    let address = second.address().await;
    assert!(
        second.text().contains("using the one saved in"),
        "{}",
        second.text()
    );
    assert_eq!(
        status_with(&address, "/api/v1/subjects", &inspector).await,
        StatusCode::OK,
        "a token printed before the restart"
    );

    // `medcredit token` with nothing configured finds the same secret through DATABASE_URL.
    let minted = medcredit(&database, dir.path())
        .args([
            "token",
            "--role",
            "auditor",
            "--sub",
            "auditor-9",
            "--ttl",
            "1h",
        ])
        .output()
        .expect("run medcredit token");
    assert!(minted.status.success(), "{minted:?}");
    let token = String::from_utf8(minted.stdout).unwrap();
    assert_eq!(
        status_with(&address, "/api/v1/audit", token.trim()).await,
        StatusCode::OK
    );
}

/// A secret readable by anyone else on the machine would let them mint admin tokens.
fn assert_owner_only(path: &PathBuf) {
    let metadata =
        std::fs::metadata(path).unwrap_or_else(|e| panic!("demo secret {}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    }
    assert!(metadata.len() >= 32);
}

#[tokio::test]
async fn token_without_any_secret_explains_what_is_missing() {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let output = medcredit(&database, dir.path())
        .args(["token", "--role", "admin", "--sub", "a"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("MEDCREDIT_JWT_SECRET") && stderr.contains("demo secret"),
        "{stderr}"
    );
}

#[tokio::test]
async fn policy_prints_the_defaults_with_the_file_laid_over_them() {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |file: Option<&Path>| {
        let mut command = medcredit(&database, dir.path());
        command.arg("policy");
        if let Some(file) = file {
            command.env("MEDCREDIT_POLICY_FILE", file);
        }
        command.output().expect("run medcredit policy")
    };

    let defaults = run(None);
    assert!(defaults.status.success(), "{defaults:?}");
    let printed: serde_json::Value = serde_json::from_slice(&defaults.stdout).unwrap();
    assert_eq!(printed, serde_json::to_value(Policy::default()).unwrap());

    // The README's example: a region with a longer ladder and stricter grade bands.
    let overrides = r#"{
        "practitioner": {"suspension_thresholds": [
            {"points": 9, "months": 2}, {"points": 10, "months": 4}, {"points": 11, "months": 6}]},
        "organisation": {"grade_a_min": 95}
    }"#;
    let file = dir.path().join("policy.json");
    std::fs::write(&file, overrides).unwrap();
    let effective = run(Some(&file));
    assert!(effective.status.success(), "{effective:?}");
    let printed: serde_json::Value = serde_json::from_slice(&effective.stdout).unwrap();
    let expected = Policy::from_json_overrides(overrides).unwrap();
    assert_eq!(printed, serde_json::to_value(&expected).unwrap());
    assert_eq!(printed["organisation"]["grade_a_min"], 95);
    assert_eq!(
        printed["organisation"]["grade_b_min"], 80,
        "untouched defaults stay"
    );
    assert_eq!(
        printed["practitioner"]["suspension_thresholds"][2]["months"],
        6
    );

    std::fs::write(&file, r#"{"practitioner": {"suspension_months": [1]}}"#).unwrap();
    let refused = run(Some(&file));
    assert!(!refused.status.success());
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(stderr.contains("MEDCREDIT_POLICY_FILE"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
