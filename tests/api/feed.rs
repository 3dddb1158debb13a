//! The change feed, the export, and the date scheduler (issue 10): a mirror built from an export plus the feed
//! after its `seq` equals a fresh export.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Days, Duration, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn export(app: &TestApp, role: Role) -> (i64, BTreeMap<i64, Value>) {
    let response = app
        .client
        .get(format!(
            "{}/api/v1/lists/black/export?format=jsonl",
            app.address
        ))
        .bearer_auth(app.token(role))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seq: i64 = response.headers()["x-medcredit-seq"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let text = response.text().await.unwrap();
    let entries = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|e| (e["id"].as_i64().unwrap(), e))
        .collect();
    (seq, entries)
}

async fn feed(app: &TestApp, after: i64, role: Role) -> Value {
    let response = app
        .get(&format!("/api/v1/changes?after={after}&limit=500"), role)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body
}

fn blacklist(subject: &str, case: i64, published: bool) -> Value {
    json!({"subject_code": subject, "reason": "骗保", "violation_ids": [case],
           "listed_on": legal_date(Utc::now()), "published": published})
}

#[tokio::test]
async fn an_export_plus_the_feed_after_its_seq_reproduces_the_list() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app.grounds(INSTITUTION).await;
    let first = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &blacklist(INSTITUTION, case, true),
        )
        .await
        .body;
    let (seq, mut mirror) = export(&app, Role::Partner).await;
    assert_eq!(mirror.len(), 1);

    // Further changes: one removed, one added by hand, one by an approval's effects, one unpublished.
    // By another approver than the one who listed it (four eyes).
    let other_approver = app.token_for(Role::Approver, "approver-2", None);
    let removed = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/lists/black/{}/remove", first["id"]),
            Some(&other_approver),
            Some(&json!({"reason": "整改"})),
        )
        .await;
    assert_eq!(removed.status, reqwest::StatusCode::OK, "{}", removed.body);
    let other = app.grounds(OTHER_INSTITUTION).await;
    app.post(
        "/api/v1/lists/black",
        Role::Approver,
        &blacklist(OTHER_INSTITUTION, other, true),
    )
    .await;
    app.approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    app.post(
        "/api/v1/lists/black",
        Role::Approver,
        &blacklist(OTHER_INSTITUTION, other, false),
    )
    .await;

    let changes = feed(&app, seq, Role::Partner).await;
    for item in changes["items"].as_array().unwrap() {
        assert_ne!(item["entity"], "case", "partners do not read case files");
        if item["entity"] == "list_entry" {
            mirror.insert(item["value"]["id"].as_i64().unwrap(), item["value"].clone());
        }
    }
    let (now_seq, fresh) = export(&app, Role::Partner).await;
    assert_eq!(mirror, fresh, "export + feed = the list");
    assert_eq!(fresh.len(), 3, "the unpublished entry is not a partner's");
    assert_eq!(changes["next_after"], now_seq);
    // Nothing new: the same position back.
    assert_eq!(
        feed(&app, now_seq, Role::Partner).await["next_after"],
        now_seq
    );
    // CSV carries the same rows.
    let csv = app
        .client
        .get(format!(
            "{}/api/v1/lists/black/export?format=csv",
            app.address
        ))
        .bearer_auth(app.token(Role::Auditor))
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        csv.text().await.unwrap().lines().count(),
        1 + 4,
        "a header and every entry for staff"
    );
}

#[tokio::test]
async fn who_reads_the_feed_and_what_they_see() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let insured = "11010519491231002X";
    let mut fraud = case_body(insured, "INSD-CARD-CASHOUT");
    fraud["amount_involved_fen"] = json!(1_500_000);
    let id = app
        .post("/api/v1/violations", Role::Inspector, &fraud)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    app.review_and_approve(id, json!({"points": 0, "settlement_suspension_months": 6}))
        .await;
    app.grounds(OTHER_INSTITUTION).await;

    let partner = feed(&app, 0, Role::Partner).await.to_string();
    assert!(
        !partner.contains(insured) && !partner.contains("李四"),
        "masked for partners"
    );
    assert!(partner.contains("110105********002X"));
    let hospital = feed(&app, 0, Role::Hospital).await;
    for item in hospital["items"].as_array().unwrap() {
        assert!(
            [INSTITUTION, PHYSICIAN].contains(&item["subject_code"].as_str().unwrap()),
            "only the hospital's own: {item}"
        );
    }
    let auditor = feed(&app, 0, Role::Auditor).await;
    assert!(
        auditor["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["entity"] == "case")
    );
    app.get("/api/v1/changes", Role::Inspector)
        .await
        .assert_problem(403);
    app.get("/api/v1/changes?after=-1", Role::Partner)
        .await
        .assert_problem(422);

    // A position older than the retention window (90 days) must re-export.
    app.clock.set(Some(Utc::now() + Duration::days(100)));
    let gone = app.get("/api/v1/changes?after=1", Role::Partner).await;
    gone.assert_problem(410);
    assert!(gone.body["detail"].as_str().unwrap().contains("re-export"));
}

#[tokio::test]
async fn date_driven_changes_are_written_once_even_by_two_nodes() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let config = Arc::new(app.config.clone());
    let now = Utc::now();
    medcredit::worker::dates::run_due(&app.db, config.clone(), now)
        .await
        .unwrap();
    // A suspension that starts tomorrow (UTC+8) and a 1-day one that ends then.
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    let before = feed(&app, 0, Role::Auditor).await["next_after"]
        .as_i64()
        .unwrap();

    let tomorrow = now + Duration::days(1);
    let (other, other_state) = app.second_node().await;
    let _ = other;
    // Several nodes are a PostgreSQL deployment (SQLite is one node, README): race them there; on SQLite the
    // second node runs after the first.
    let run = |db| medcredit::worker::dates::run_due(db, config.clone(), tomorrow);
    let (a, b) = if app.db.backend() == sea_orm::DbBackend::Postgres {
        tokio::join!(run(&app.db), run(&other_state.db))
    } else {
        (run(&app.db).await, run(&other_state.db).await)
    };
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one node wrote the day");
    medcredit::worker::dates::run_due(&app.db, config, tomorrow)
        .await
        .unwrap();
    let after = feed(&app, before, Role::Auditor).await;
    let started: Vec<&Value> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["entity"] == "sanction" && i["value"]["event"] == "started")
        .filter(|i| i["value"]["type"] == "qualification_suspension")
        .collect();
    assert_eq!(started.len(), 1, "once: {after}");
    assert_eq!(
        started[0]["value"]["on"],
        (legal_date(now) + Days::new(1)).to_string()
    );
}

#[tokio::test]
async fn the_csv_export_opens_in_a_chinese_spreadsheet_and_runs_no_formula() {
    let app = spawn_app().await;
    app.register(institution(
        INSTITUTION,
        "=HYPERLINK(\"http://evil.example\")医院",
    ))
    .await;
    let case = app.grounds(INSTITUTION).await;
    let today = legal_date(Utc::now());
    let entry = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &json!({"subject_code": INSTITUTION, "reason": "+1+cmd|' /C calc'!A0", "violation_ids": [case],
                    "listed_on": today}),
        )
        .await;
    assert_eq!(entry.status, StatusCode::CREATED, "{}", entry.body);
    let csv = app
        .api
        .client
        .get(format!(
            "{}/api/v1/lists/black/export?format=csv",
            app.api.address
        ))
        .header("accept-language", "zh-CN")
        .bearer_auth(app.token(Role::Partner))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark first");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.starts_with("编号,主体代码"), "{text}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[3], "'=HYPERLINK(\"http://evil.example\")医院");
    assert_eq!(&row[13], "'+1+cmd|' /C calc'!A0");
    for cell in row.iter() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{cell}"
        );
    }
}
