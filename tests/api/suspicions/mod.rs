//! Smart-monitoring suspects (疑点, issue 22) through the HTTP API: intake one by one and in bulk (duplicates,
//! errors by line), each step of their life and each refusal, the deadline on the holiday calendar, second review
//! and its 5% floor, conversion into a case that then goes through approval, who sees what, and the statistics.

mod intake;
mod life;
mod review;
mod stats;

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

pub const IMPORT: &str = "/api/v1/suspicions:import";
/// Thursday 24 September 2026, 10:00 in China: the day before the Mid-Autumn holiday and the National Day week.
pub const BEFORE_HOLIDAYS: &str = "2026-09-24T02:00:00Z";

/// A suspect of `INSTITUTION` flagged by rule `rule`.
pub fn suspect(external_id: &str, rule: &str, amount_fen: i64) -> Value {
    json!({
        "external_id": external_id, "rule_code": rule, "rule_name": "重复收费",
        "subject_code": INSTITUTION, "occurred_on": "2026-09-01", "amount_fen": amount_fen,
        "detail": "同日重复收取诊查费", "claim_ids": ["JS001", "JS002"]
    })
}

/// Takes a suspect in as an inspector; returns its id.
pub async fn receive(app: &TestApp, body: &Value) -> i64 {
    let response = app.post("/api/v1/suspicions", Role::Inspector, body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["id"].as_i64().expect("id")
}

pub async fn read(app: &TestApp, id: i64) -> Value {
    let response = app
        .get(&format!("/api/v1/suspicions/{id}"), Role::Inspector)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body
}

/// Posts `body` to the suspect's step `step` as `role` and returns the answer.
pub async fn step(app: &TestApp, id: i64, step: &str, role: Role, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/suspicions/{id}/{step}"), role, &body)
        .await
}

/// A server whose policy second-reviews every triage decision (rate 1), so that the review path is certain.
pub async fn always_reviewing() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"suspicions": {"second_review_rate": 1}}"#).unwrap();
    let app = spawn_app_with(&[("MEDCREDIT_POLICY_FILE", policy.to_str().unwrap())]).await;
    (app, dir)
}

/// Suspects of `INSTITUTION` at each step, for the access matrix (default policy; a triage drawn for second
/// review is confirmed by `reviewer-2`, so that none of them awaits one except `awaiting`).
pub struct AtEachStep {
    pub pending: i64,
    pub pending_too: i64,
    pub to_explain: i64,
    pub to_verify: i64,
    /// Cleared above the policy amount by `inspector-1`: its second review is awaited.
    pub awaiting: i64,
}

pub async fn at_each_step(app: &TestApp) -> AtEachStep {
    let pending = receive(app, &suspect("STEP-1", "R-DUP", 100)).await;
    let pending_too = receive(app, &suspect("STEP-2", "R-DUP", 100)).await;
    let mut later = Vec::new();
    for n in 3..=5 {
        let id = receive(app, &suspect(&format!("STEP-{n}"), "R-DUP", 2_000_000)).await;
        let triaged = step(
            app,
            id,
            "triage",
            Role::Inspector,
            json!({"outcome": "to_explain"}),
        )
        .await;
        assert_eq!(triaged.status, StatusCode::OK, "{}", triaged.body);
        if triaged.body["second_review"].is_object() {
            let reviewer = app.token_for(Role::Reviewer, "reviewer-2", None);
            let path = format!("/api/v1/suspicions/{id}/second-review");
            let body = json!({"outcome": "confirmed"});
            let confirmed = app
                .send(reqwest::Method::POST, &path, Some(&reviewer), Some(&body))
                .await;
            assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        }
        later.push(id);
    }
    for id in [later[1], later[2]] {
        let answered = step(
            app,
            id,
            "explanation",
            Role::Hospital,
            json!({"text": "说明"}),
        )
        .await;
        assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    }
    let clear = json!({"outcome": "cleared", "reason": "已退费"});
    let cleared = step(app, later[2], "verification", Role::Inspector, clear).await;
    assert_eq!(
        cleared.body["second_review"]["state"], "awaiting",
        "{}",
        cleared.body
    );
    AtEachStep {
        pending,
        pending_too,
        to_explain: later[0],
        to_verify: later[1],
        awaiting: later[2],
    }
}

/// The ids of a page of suspects.
pub async fn ids(app: &TestApp, query: &str, role: Role) -> Vec<i64> {
    let response = app.get(&format!("/api/v1/suspicions?{query}"), role).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}
