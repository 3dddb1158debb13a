//! Taking suspects in: one by one and as a day's file, with duplicates reported (not errors) and every bad row
//! an error on its line.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{BEFORE_HOLIDAYS, IMPORT, ids, read, receive, suspect};
use crate::helpers::*;

const HEADER: &str = "external_id,rule_code,rule_name,subject_code,practitioner_code,occurred_on,amount_fen,detail,claim_ids";

fn row(external: &str, subject: &str, practitioner: &str, date: &str, amount: i64) -> String {
    format!(
        "{external},R-DUP,重复收费,{subject},{practitioner},{date},{amount},同日重复收费,JS1;JS2"
    )
}

#[tokio::test]
async fn one_suspect_is_taken_in_once_and_a_changed_one_is_refused() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let mut body = suspect("ZNJK-1", "R-DUP", 12_000);
    body["practitioner_code"] = json!(PHYSICIAN);
    let created = app.post("/api/v1/suspicions", Role::Inspector, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["state"], "pending");
    assert_eq!(created.body["source"], "smart_monitoring");
    assert_eq!(created.body["claim_ids"], json!(["JS001", "JS002"]));
    // Five working days: the Mid-Autumn Friday and the National Day week do not count.
    assert_eq!(created.body["triage_due"], "2026-10-09");
    // The same row again: the suspect already there, nothing written.
    let again = app.post("/api/v1/suspicions", Role::Inspector, &body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["id"], id);
    assert_eq!(app.count("suspicions").await, 1);
    // Other content under the same id is a conflict.
    body["amount_fen"] = json!(13_000);
    app.post("/api/v1/suspicions", Role::Inspector, &body)
        .await
        .assert_problem(409);
    // The audit trail names the intake.
    let audit = app.get("/api/v1/audit?limit=500", Role::Auditor).await;
    let intakes = audit.body["items"].as_array().unwrap().iter();
    assert_eq!(
        intakes
            .filter(|r| r["action"] == "suspicion.receive")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_bad_suspect_is_a_422_naming_its_field() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let cases = [
        ("subject_code", json!("H99999999999")),
        ("occurred_on", json!("2026-9-01")),
        ("occurred_on", json!("2026-12-31")),
        ("amount_fen", json!(-1)),
        ("rule_code", json!("重复 收费")),
        ("detail", json!("a\u{202e}b")),
    ];
    for (field, value) in cases {
        let mut body = suspect("ZNJK-BAD", "R-DUP", 100);
        body[field] = value;
        let response = app.post("/api/v1/suspicions", Role::Inspector, &body).await;
        response.assert_problem(422);
        assert_eq!(
            response.error_fields(),
            vec![field.to_string()],
            "{}",
            response.body
        );
    }
    // A practitioner of another institution (or of none) on that day.
    let mut body = suspect("ZNJK-BAD", "R-DUP", 100);
    body["practitioner_code"] = json!(OTHER_PHYSICIAN);
    let response = app.post("/api/v1/suspicions", Role::Inspector, &body).await;
    response.assert_problem(422);
    assert_eq!(
        response.error_fields(),
        vec!["practitioner_code".to_string()]
    );
    assert_eq!(app.count("suspicions").await, 0);
}

#[tokio::test]
async fn only_inspectors_and_admins_take_suspects_in() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let body = suspect("ZNJK-1", "R-DUP", 100);
    for role in [Role::Hospital, Role::Partner, Role::Auditor, Role::Reviewer] {
        let response = app.post("/api/v1/suspicions", role, &body).await;
        response.assert_problem(403);
        let file = format!(
            "{}\n{}\n",
            HEADER,
            row("X", INSTITUTION, "", "2026-09-01", 1)
        );
        let token = app.token(role);
        let import = app.send_raw(IMPORT, Some(&token), "text/csv", file).await;
        import.assert_problem(403);
    }
    app.send(Method::POST, "/api/v1/suspicions", None, Some(&body))
        .await
        .assert_problem(401);
    let response = app.post("/api/v1/suspicions", Role::Admin, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
}

#[tokio::test]
async fn a_day_s_file_is_taken_in_and_its_re_sending_reports_duplicates() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let rows: Vec<String> = (1..=120)
        .map(|n| row(&format!("ZNJK-{n}"), INSTITUTION, "", "2026-09-01", 100 * n))
        .collect();
    // A row repeated in the same file is a duplicate too.
    let file = format!("\u{feff}{HEADER}\n{}\n{}\n", rows.join("\n"), rows[0]);
    let token = app.token(Role::Inspector);
    let first = app
        .send_raw(IMPORT, Some(&token), "text/csv", file.clone())
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["kind"], "suspicions");
    assert_eq!(first.body["rows_read"], 121);
    assert_eq!(first.body["rows_imported"], 120);
    assert_eq!(first.body["rows_duplicate"], 1);
    assert_eq!(app.count("suspicions").await, 120);
    // Each new suspect has its staff-only change row.
    let (first_seq, last_seq) = (
        first.body["first_seq"].as_i64().unwrap(),
        first.body["last_seq"].as_i64().unwrap(),
    );
    assert_eq!(last_seq - first_seq + 1, 120);
    // The whole day re-sent: every row a duplicate, nothing written.
    let again = app.send_raw(IMPORT, Some(&token), "text/csv", file).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["rows_imported"], 0);
    assert_eq!(again.body["rows_duplicate"], 121);
    assert_eq!(app.count("suspicions").await, 120);
    // JSON lines work the same way, with a CSV-less shape.
    let line = serde_json::to_string(&suspect("ZNJK-JSON", "R-DUP", 5)).unwrap();
    let jsonl = app
        .send_raw(
            IMPORT,
            Some(&token),
            "application/x-ndjson",
            format!("{line}\n"),
        )
        .await;
    assert_eq!(jsonl.status, StatusCode::CREATED, "{}", jsonl.body);
    assert_eq!(jsonl.body["rows_imported"], 1);
    let listed = ids(&app, "rule_code=R-DUP&limit=500", Role::Inspector).await;
    assert_eq!(listed.len(), 121);
    let one = read(&app, listed[0]).await;
    assert_eq!(one["claim_ids"], json!(["JS1", "JS2"]));
    assert_eq!(one["amount_fen"], 100);
}

#[tokio::test]
async fn any_bad_row_fails_the_file_with_errors_by_line() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let token = app.token(Role::Inspector);
    let taken = receive(&app, &suspect("ZNJK-TAKEN", "R-DUP", 100)).await;
    let file = [
        HEADER.to_string(),
        row("OK-1", INSTITUTION, PHYSICIAN, "2026-09-01", 100),
        row("BAD-2", "H99999999999", "", "2026-09-01", 100),
        row("BAD-3", INSTITUTION, OTHER_PHYSICIAN, "2026-09-01", 100),
        row("BAD-4", INSTITUTION, "", "2026-02-30", 100),
        row("ZNJK-TAKEN", INSTITUTION, "", "2026-09-01", 999),
        row("OK-1", INSTITUTION, PHYSICIAN, "2026-09-01", 101),
    ]
    .join("\n");
    let response = app.send_raw(IMPORT, Some(&token), "text/csv", file).await;
    response.assert_problem(422);
    let errors: Vec<(u64, String)> = response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (3, "subject_code"),
        (4, "practitioner_code"),
        (5, "occurred_on"),
        (6, "external_id"),
        (7, "external_id"),
    ];
    let expected: Vec<(u64, String)> = expected.iter().map(|(l, f)| (*l, f.to_string())).collect();
    assert_eq!(errors, expected, "{}", response.body);
    // Nothing of it was written; the record says it failed.
    assert_eq!(app.count("suspicions").await, 1);
    let imports = app
        .get("/api/v1/imports?state=failed", Role::Inspector)
        .await;
    assert_eq!(imports.body["items"][0]["kind"], "suspicions");
    assert_eq!(read(&app, taken).await["amount_fen"], 100);
}
