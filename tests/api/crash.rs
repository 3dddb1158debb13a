//! Crash safety: the real binary is SIGKILLed in the middle of a stream of approvals and restarted on the same
//! database. Whatever the kill interrupted, each case must be either wholly approved (state, transition, ledger
//! deduction, audit row, threshold sanctions) or wholly untouched, and every acknowledged approval must be there.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use medcredit::auth::{JwtKeys, Role};
use medcredit::domain::policy::Policy;
use medcredit::domain::sanctions::last_day_of_term;
use medcredit::domain::scoring::{
    EntryKind, LedgerEntry, ThresholdOutcome, practitioner_points, practitioner_threshold,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::helpers::*;

const SERIOUS: &str = "PRAC-ITEM-SWAP"; // 7–9 points
const GENERAL: &str = "PRAC-IRRATIONAL-PRESCRIPTION"; // 4–6 points
const MINOR: &str = "PRAC-IDENTITY-UNCHECKED"; // 1–3 points

/// Approvals per practitioner, sent in this order. Running totals cross 9 (suspension), 10–11 (extension) and
/// 12 (termination) at different steps, and the last practitioner never reaches 9, so wherever the kill falls
/// some practitioners have sanctions and some not. The first one crosses 9 with its first approval, which is
/// acknowledged long before the tenth.
#[rustfmt::skip]
const PLANS: [(&str, &[(&str, u32)]); 4] = [
    ("D370102000101", &[(SERIOUS, 9), (MINOR, 1), (MINOR, 2), (MINOR, 1), (MINOR, 3), (MINOR, 1)]),
    ("D370102000102", &[(MINOR, 3), (MINOR, 3), (MINOR, 3), (MINOR, 1), (MINOR, 1), (MINOR, 1)]),
    ("D370102000103", &[(GENERAL, 5), (GENERAL, 4), (MINOR, 1), (MINOR, 1), (MINOR, 1), (MINOR, 1)]),
    ("D370102000104", &[(MINOR, 1), (MINOR, 2), (MINOR, 1), (MINOR, 2), (MINOR, 1), (MINOR, 1)]),
];

/// The kill comes after this many acknowledged approvals of the 24: the middle of the stream.
const KILL_AFTER: usize = 10;

/// The real binary serving one database. Dropping it SIGKILLs the process, so no exit path of a test (a failed
/// assertion included) leaves a server behind.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) api: Api,
    log: PathBuf,
}

impl Server {
    /// Starts `medcredit serve` the way an operator would, configured like `spawn_app`, and waits for `/readyz`.
    pub(crate) async fn start(database: &TestDatabase, log_dir: &Path) -> Server {
        Self::start_with(database, log_dir, &[]).await
    }

    /// As `start`, with more environment variables (tests/api/resilience: timeouts, the grace period).
    pub(crate) async fn start_with(
        database: &TestDatabase,
        log_dir: &Path,
        settings: &[(&str, &str)],
    ) -> Server {
        let port = free_port();
        let log = log_dir.join(format!("server-{port}.log"));
        let out = File::create(&log).expect("server log file");
        let err = out.try_clone().expect("server log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_medcredit"));
        command
            .arg("serve")
            // Only the settings below: a developer's own MEDCREDIT_* variables must not change the test.
            .env_clear()
            .env("DATABASE_URL", &database.url)
            .env("MEDCREDIT_BIND", format!("127.0.0.1:{port}"))
            .env("MEDCREDIT_JWT_SECRET", SECRET)
            // Readiness polls and the approval burst are not what is tested here; throttling is.
            .env("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        if let Some(schema) = &database.schema {
            command.env("MEDCREDIT_DB_SCHEMA", schema);
        }
        command.envs(settings.iter().copied());
        let child = command.spawn().expect("start the medcredit binary");
        let mut server = Server {
            child,
            api: Api {
                address: format!("http://127.0.0.1:{port}"),
                client: crate::helpers::client_builder(Some(crate::helpers::TEST_LANGUAGE))
                    .timeout(Duration::from_secs(15))
                    .build()
                    .expect("HTTP client"),
                keys: JwtKeys::from_secret(SECRET.as_bytes()),
            },
            log,
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("{}/readyz", self.api.address);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("medcredit exited with {status}: {}", self.log_text());
            }
            let probe = self.api.client.get(&url).send().await;
            if probe.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "medcredit not ready in 20 s: {}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown hook, no flush, open transactions cut off.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago; the server binds it itself, as it would in production.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// What the client learnt of one approval before the kill.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    /// 200: the server said the approval is in force; it must survive the crash.
    Acknowledged,
    /// The connection broke (the kill): the approval may or may not have committed.
    CutOff,
    /// Never sent: the stream had stopped.
    NotSent,
}

/// Sends one practitioner's approvals in order until the server stops answering.
async fn approval_stream(
    api: Api,
    cases: Vec<(i64, u32)>,
    acknowledged: Arc<AtomicUsize>,
    kill_now: Arc<Notify>,
) -> Vec<(i64, Answer)> {
    let token = api.token(Role::Approver);
    let mut answers = Vec::new();
    let mut stopped = false;
    for (id, points) in cases {
        if stopped {
            answers.push((id, Answer::NotSent));
            continue;
        }
        let url = format!("{}/api/v1/violations/{id}/approve", api.address);
        let sent = api
            .client
            .post(url)
            .bearer_auth(&token)
            .json(&json!({"points": points}))
            .send()
            .await;
        match sent {
            Ok(response) => {
                // Before the kill nothing may fail; after it nothing can answer.
                assert_eq!(response.status(), StatusCode::OK, "approval of case {id}");
                answers.push((id, Answer::Acknowledged));
                if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    kill_now.notify_one();
                }
            }
            Err(_) => {
                answers.push((id, Answer::CutOff));
                stopped = true;
            }
        }
    }
    answers
}

async fn items(api: &Api, path: &str) -> Vec<Value> {
    let response = api.get(path, Role::Auditor).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    response.body["items"]
        .as_array()
        .cloned()
        .expect("a page of items")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_leaves_every_approval_whole_or_absent() {
    let database = TestDatabase::fresh().await;
    let logs = tempfile::tempdir().expect("log dir");
    let mut server = Server::start(&database, logs.path()).await;

    // Subjects and reviewed cases, each practitioner's cases with the points they will be approved with.
    let mut planned: HashMap<i64, (&str, u32)> = HashMap::new();
    let mut streams = Vec::new();
    for (n, (code, plan)) in (1..).zip(PLANS) {
        server
            .api
            .register(practitioner(code, "医生", &person_id(n)))
            .await;
        let mut cases = Vec::new();
        for &(type_code, points) in plan {
            let id = server.api.reviewed_case(code, type_code).await;
            planned.insert(id, (code, points));
            cases.push((id, points));
        }
        streams.push(cases);
    }

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let kill_now = Arc::new(Notify::new());
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|cases| {
            let stream = approval_stream(
                server.api.clone(),
                cases,
                acknowledged.clone(),
                kill_now.clone(),
            );
            tokio::spawn(stream)
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(20), kill_now.notified())
        .await
        .expect("approvals are acknowledged before the kill");
    server.kill();
    let mut answers: HashMap<i64, Answer> = HashMap::new();
    for task in tasks {
        answers.extend(task.await.expect("approval stream"));
    }
    let count = |kind| answers.values().filter(|a| **a == kind).count();
    // Shown when the test fails: how the kill fell.
    eprintln!(
        "acknowledged {}, cut off {}, not sent {}",
        count(Answer::Acknowledged),
        count(Answer::CutOff),
        count(Answer::NotSent)
    );
    assert!(
        answers.values().any(|a| *a != Answer::Acknowledged),
        "the kill came after the whole stream; it must interrupt it"
    );

    let server = Server::start(&database, logs.path()).await;
    let api = &server.api;
    // Each practitioner's ledger, oldest first: the order in which approvals committed.
    let mut committed_of: HashMap<&str, Vec<LedgerEntry>> = HashMap::new();
    let mut deductions_of_case: HashMap<i64, usize> = HashMap::new();
    for (code, _) in PLANS {
        let mut committed = Vec::new();
        for entry in items(api, &format!("/api/v1/subjects/{code}/ledger?limit=500")).await {
            assert_eq!(entry["kind"], "deduction", "{entry}");
            let id = entry["violation_id"]
                .as_i64()
                .expect("a deduction names its case");
            assert_eq!(planned.get(&id).map(|p| p.0), Some(code), "{entry}");
            assert_eq!(entry["points"], planned[&id].1, "{entry}");
            *deductions_of_case.entry(id).or_default() += 1;
            committed.push(LedgerEntry {
                kind: EntryKind::Deduction,
                points: entry["points"].as_u64().expect("points") as u32,
                cycle: entry["cycle"].as_i64().expect("cycle") as i32,
            });
        }
        committed_of.insert(code, committed);
    }
    for (&id, &(code, points)) in &planned {
        let answer = answers.get(&id).copied();
        check_case_is_whole(api, id, (code, points), &deductions_of_case, answer).await;
    }
    for (code, committed) in &committed_of {
        check_threshold_sanctions(api, code, committed, &deductions_of_case).await;
    }
    let crossed = committed_of
        .values()
        .filter(|c| c.iter().map(|e| e.points).sum::<u32>() >= 9);
    assert!(
        crossed.count() > 0,
        "some practitioner must have crossed 9 points before the kill"
    );

    let verify = api.get("/api/v1/audit/verify", Role::Auditor).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

/// A case is approved with exactly one deduction, one `approved` transition and one `violation.approved` audit
/// row, or still reviewed with none of them; an acknowledged approval must have survived.
async fn check_case_is_whole(
    api: &Api,
    id: i64,
    (code, points): (&str, u32),
    deductions_of_case: &HashMap<i64, usize>,
    answer: Option<Answer>,
) {
    let case = api
        .get(&format!("/api/v1/violations/{id}"), Role::Auditor)
        .await
        .body;
    let approvals_in_history = case["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|t| t["to_state"] == "approved")
        .count();
    let audit = items(
        api,
        &format!("/api/v1/audit?target=violation:{id}&limit=500"),
    )
    .await;
    let approvals_in_audit = audit
        .iter()
        .filter(|row| row["action"] == "violation.approved")
        .count();
    let whole = (
        deductions_of_case.get(&id).copied().unwrap_or(0),
        approvals_in_history,
        approvals_in_audit,
    );
    match case["state"].as_str() {
        Some("approved") => {
            assert_eq!(whole, (1, 1, 1), "approved case {id} of {code}: {case}");
            assert_eq!(case["points"], points, "{case}");
        }
        Some("reviewed") => assert_eq!(whole, (0, 0, 0), "unapproved case {id}: {case}"),
        other => panic!("case {id} is {other:?} after the crash: {case}"),
    }
    match answer {
        Some(Answer::Acknowledged) => {
            assert_eq!(
                case["state"], "approved",
                "acknowledged approval of case {id} lost"
            )
        }
        Some(Answer::NotSent) => assert_eq!(case["state"], "reviewed", "case {id}"),
        _ => {}
    }
}

/// Exactly the threshold sanctions the committed approvals call for, replayed in ledger order the way the engine
/// applied them (the strongest suspension reached, a termination once), each resting on approved cases only.
async fn check_threshold_sanctions(
    api: &Api,
    code: &str,
    committed: &[LedgerEntry],
    deductions_of_case: &HashMap<i64, usize>,
) {
    let policy = Policy::default();
    let (mut months, mut terminated) = (None, false);
    for (i, approval) in committed.iter().enumerate() {
        let after = practitioner_points(&committed[..=i], approval.cycle);
        match practitioner_threshold(after, approval.points, &policy) {
            ThresholdOutcome::None => {}
            ThresholdOutcome::Suspend { months: m } => months = months.max(Some(m)),
            ThresholdOutcome::Terminate { .. } => terminated = true,
        }
    }
    let mut sanctions = api.sanctions_of(code).await;
    // The 6-point interview (约谈) has tests of its own; here the ladder and the termination line count.
    sanctions.retain(|s| s["type"] != "interview");
    // A higher rung is a new row extending the suspension; the row no other extends carries the term in force.
    let extended: Vec<i64> = sanctions
        .iter()
        .filter_map(|s| s["extends_id"].as_i64())
        .collect();
    let in_force: Vec<&serde_json::Value> = sanctions
        .iter()
        .filter(|s| !extended.contains(&s["id"].as_i64().unwrap_or_default()))
        .collect();
    let kinds: Vec<&str> = in_force
        .iter()
        .map(|s| s["type"].as_str().unwrap_or_default())
        .collect();
    let mut expected = Vec::new();
    expected.extend(months.map(|_| "qualification_suspension"));
    expected.extend(terminated.then_some("qualification_termination"));
    assert_eq!(kinds, expected, "{code} with {committed:?}: {sanctions:?}");
    for sanction in &sanctions {
        assert_eq!(sanction["automatic"], true, "{sanction}");
        for id in sanction["violation_ids"].as_array().expect("cases") {
            let id = id.as_i64().expect("case id");
            let deductions = deductions_of_case.get(&id);
            assert_eq!(
                deductions,
                Some(&1),
                "{sanction} rests on unapproved case {id}"
            );
        }
    }
    for sanction in in_force {
        if let (Some(m), "qualification_suspension") = (months, sanction["type"].as_str().unwrap())
        {
            let starts = sanction["starts_on"]
                .as_str()
                .expect("start")
                .parse()
                .expect("date");
            assert_eq!(sanction["ends_on"], last_day_of_term(starts, m).to_string());
        }
    }
    let total: u32 = committed.iter().map(|e| e.points).sum();
    assert_eq!(api.credit(code, None).await["points"], total, "{code}");
}
