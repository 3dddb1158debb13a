//! PostgreSQL stopped and started again under a stream of writes, on a private server of the test's own (the
//! shared one on 5432 serves other runs and is never touched). While it is down, answers are 503 with
//! `Retry-After` and `/readyz` says not ready at once; afterwards every acknowledged write is there, the audit
//! chain verifies, writes work again, and no answer at any point was a 500.
//!
//! Skipped, with the reason printed, only where the PostgreSQL server binaries are not installed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use medcredit::auth::{JwtKeys, Role};
use medcredit::config::Config;
use medcredit::startup::Application;
use reqwest::StatusCode;

use crate::crash::free_port;
use crate::helpers::*;

/// A throw-away PostgreSQL cluster in a temp directory, stopped (immediately) when dropped.
struct PrivatePg {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// initdb refuses to run as root: then every command runs as the `postgres` user.
    as_postgres: bool,
}

impl PrivatePg {
    /// The newest installed server's binaries (`/usr/lib/postgresql/N/bin`, as Debian and Ubuntu lay them out).
    fn binaries() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
            .collect();
        versions.sort();
        versions.pop()
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = self
            .command(program)
            .args(args)
            .output()
            .expect("run a PostgreSQL tool");
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn start() -> Option<PrivatePg> {
        let Some(bin) = Self::binaries() else {
            eprintln!("skipped: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
            return None;
        };
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = tempfile::tempdir().expect("temp dir");
        if root {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(owned.success(), "chown the cluster's directory to postgres");
        }
        let pg = PrivatePg {
            bin,
            dir,
            port: free_port(),
            as_postgres: root,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync"],
        );
        pg.pg_ctl("start");
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn pg_ctl(&self, action: &str) {
        let (data, log) = (self.data(), self.path("server.log"));
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        match action {
            "start" => self.run(
                "pg_ctl",
                &["-D", &data, "-l", &log, "-w", "-o", &options, "start"],
            ),
            // A fast stop ends every session (57P01): what a restart does to the connections in a pool.
            _ => self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Freezes (`STOP`) or thaws (`CONT`) the cluster's processes: the postmaster (first line of its pid file)
    /// and its children, the sessions in the pool included. A frozen server accepts connections and answers
    /// nothing, the case a timeout alone can handle.
    fn signal_all(&self, signal: &str) -> Result<(), String> {
        let pid_file = self.dir.path().join("data").join("postmaster.pid");
        let text = std::fs::read_to_string(pid_file).map_err(|e| e.to_string())?;
        let postmaster = text.lines().next().unwrap_or_default().trim().to_string();
        let children = Command::new("ps")
            .args(["--ppid", &postmaster, "-o", "pid="])
            .output()
            .map_err(|e| format!("ps: {e}"))?;
        let children = String::from_utf8_lossy(&children.stdout).into_owned();
        let pids: Vec<&str> = std::iter::once(postmaster.as_str())
            .chain(children.split_whitespace())
            .collect();
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .args(&pids)
            .status()
            .map_err(|e| format!("kill: {e}"))?;
        if sent.success() {
            Ok(())
        } else {
            Err(format!("kill -{signal} {pids:?}: {sent}"))
        }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        // A frozen server would ignore the stop (a failed assertion may leave it frozen).
        let _ = self.signal_all("CONT");
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

/// What the stream of writes heard.
#[derive(Default)]
struct Heard {
    acknowledged: Vec<i64>,
    unavailable: usize,
    /// Anything else: a 500, another status, a 503 without `Retry-After`, or no answer at all.
    wrong: Vec<String>,
}

async fn write_until(api: Api, stop: Arc<AtomicBool>) -> Heard {
    let mut heard = Heard::default();
    let token = api.token(Role::Inspector);
    let url = format!("{}/api/v1/violations", api.address);
    let body = case_body(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY");
    while !stop.load(Ordering::SeqCst) {
        let sent = api
            .client
            .post(&url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                heard.wrong.push(format!("no answer: {e}"));
                continue;
            }
        };
        let status = response.status();
        let retry_after = response.headers().contains_key("retry-after");
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        match status {
            StatusCode::CREATED => heard.acknowledged.push(answer["id"].as_i64().expect("id")),
            StatusCode::SERVICE_UNAVAILABLE if retry_after => heard.unavailable += 1,
            other => heard.wrong.push(format!("{other}: {answer}")),
        }
    }
    heard
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_writes_loses_no_acknowledged_write_and_never_answers_500() {
    let Some(pg) = PrivatePg::start() else {
        return;
    };
    let settings = [
        ("DATABASE_URL", pg.url()),
        ("MEDCREDIT_BIND", "127.0.0.1:0".to_string()),
        ("MEDCREDIT_JWT_SECRET", SECRET.to_string()),
        ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "0".to_string()),
        ("MEDCREDIT_OUTBOX_MS", "0".to_string()),
        ("MEDCREDIT_DATES_SECS", "0".to_string()),
    ];
    let config = Config::from_lookup(|key| {
        settings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    })
    .expect("config");
    let keys = JwtKeys::from_secret(SECRET.as_bytes());
    let app = Application::build(config, keys.clone())
        .await
        .expect("build");
    let api = Api {
        address: format!("http://127.0.0.1:{}", app.port()),
        client: crate::helpers::client_builder(Some(crate::helpers::TEST_LANGUAGE))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        keys,
    };
    tokio::spawn(app.run_until(std::future::pending()));
    api.register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;

    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(write_until(api.clone(), stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let pg = tokio::task::spawn_blocking(move || {
        pg.pg_ctl("stop");
        pg
    })
    .await
    .unwrap();
    // Down: readiness says so within its own short timeout, whatever the pool is doing.
    for _ in 0..3 {
        let asked = Instant::now();
        let ready = api.send(reqwest::Method::GET, "/readyz", None, None).await;
        ready.assert_problem(503);
        assert!(
            asked.elapsed() < Duration::from_millis(2500),
            "{:?}",
            asked.elapsed()
        );
    }
    let read = api.get("/api/v1/violations", Role::Auditor).await;
    read.assert_problem(503);
    let pg = tokio::task::spawn_blocking(move || {
        pg.pg_ctl("start");
        pg
    })
    .await
    .unwrap();
    // Back: writes go through again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::SeqCst);
    let mut heard = Heard::default();
    for writer in writers {
        let one = writer.await.expect("writer");
        heard.acknowledged.extend(one.acknowledged);
        heard.unavailable += one.unavailable;
        heard.wrong.extend(one.wrong);
    }
    eprintln!(
        "acknowledged {}, unavailable {}, wrong {}",
        heard.acknowledged.len(),
        heard.unavailable,
        heard.wrong.len()
    );
    assert!(heard.wrong.is_empty(), "{:?}", heard.wrong);

    let after = api
        .post(
            "/api/v1/violations",
            Role::Inspector,
            &case_body(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY"),
        )
        .await;
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.body);
    let mut stored = BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let page = api
            .get(
                &format!("/api/v1/violations?limit=500{cursor}"),
                Role::Auditor,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for item in page.body["items"].as_array().expect("items") {
            stored.insert(item["id"].as_i64().expect("id"));
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    for id in &heard.acknowledged {
        assert!(stored.contains(id), "acknowledged case {id} is missing");
    }
    // Each request was sent once and nothing retried it behind the client's back: at most the acknowledged
    // ones, those answered 503 (a commit cut off may have landed) and the one after.
    let sent = heard.acknowledged.len() + heard.unavailable + 1;
    assert!(
        stored.len() <= sent,
        "{} cases stored for {sent} requests",
        stored.len()
    );
    let verify = api.get("/api/v1/audit/verify", Role::Auditor).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);

    // Frozen rather than down: readiness still answers within its bound.
    pg.signal_all("STOP").expect("freeze");
    let asked = Instant::now();
    let ready = api.send(reqwest::Method::GET, "/readyz", None, None).await;
    pg.signal_all("CONT").expect("thaw");
    ready.assert_problem(503);
    assert!(
        asked.elapsed() < Duration::from_millis(2500),
        "{:?}",
        asked.elapsed()
    );
    drop(pg);
}
