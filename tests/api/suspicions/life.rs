//! The life of a suspect: triage, the institution's explanation, the deadline on the holiday calendar, and
//! verification into a case that then goes through approval; every refusal on the way.

use medcredit::auth::Role;
use medcredit::domain::policy::SuspicionPolicy;
use medcredit::domain::suspicions::drawn;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{BEFORE_HOLIDAYS, ids, read, receive, step, suspect};
use crate::helpers::*;

const EVIDENCE: &str = "收费明细说明.pdf";

/// Confirms a second review when the draw asked for one, as `reviewer-1`; asserts that the draw is the one the
/// policy's seed gives for this id.
async fn settle_review(app: &TestApp, id: i64, view: &Value) {
    let expected = drawn(id, &SuspicionPolicy::default());
    assert_eq!(view["second_review"].is_object(), expected, "{view}");
    if expected {
        let confirmed = step(
            app,
            id,
            "second-review",
            Role::Reviewer,
            json!({"outcome": "confirmed"}),
        )
        .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    }
}

fn other_hospital(app: &TestApp) -> String {
    app.token_for(Role::Hospital, "hospital-2", Some(OTHER_INSTITUTION))
}

#[tokio::test]
async fn a_suspect_is_explained_verified_and_becomes_a_case_that_goes_through_approval() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let mut body = suspect("ZNJK-7", "R-DUP", 250_000);
    body["practitioner_code"] = json!(PHYSICIAN);
    let id = receive(&app, &body).await;

    let triaged = step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await;
    assert_eq!(triaged.status, StatusCode::OK, "{}", triaged.body);
    assert_eq!(triaged.body["state"], "to_explain");
    assert_eq!(triaged.body["triage"]["by"], "inspector-1");
    // Ten working days on the holiday calendar: Mid-Autumn and the National Day week are skipped, the
    // make-up Saturday (10 October) counts.
    assert_eq!(triaged.body["explain_due"], "2026-10-15");
    settle_review(&app, id, &triaged.body).await;

    // The institution reads its own suspect, without the authority's second review; no one else does.
    let own = app
        .get(&format!("/api/v1/suspicions/{id}"), Role::Hospital)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.get("second_review").is_none());
    let path = format!("/api/v1/suspicions/{id}");
    let other = other_hospital(&app);
    app.send(Method::GET, &path, Some(&other), None)
        .await
        .assert_problem(403);
    let missing = app.get("/api/v1/suspicions/99999", Role::Hospital).await;
    missing.assert_problem(403);
    app.get("/api/v1/suspicions/99999", Role::Inspector)
        .await
        .assert_problem(404);
    app.get(&path, Role::Partner).await.assert_problem(403);
    app.send(Method::GET, &path, None, None)
        .await
        .assert_problem(401);
    assert_eq!(ids(&app, "", Role::Hospital).await, vec![id]);
    let none: Vec<i64> = {
        let response = app
            .send(Method::GET, "/api/v1/suspicions", Some(&other), None)
            .await;
        response.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect()
    };
    assert!(none.is_empty());

    // Only the institution answers, and only its own.
    let answer = json!({"text": "系同日两次就诊，非重复收费", "evidence": [{"name": EVIDENCE}]});
    let explain = format!("/api/v1/suspicions/{id}/explanation");
    app.send(Method::POST, &explain, Some(&other), Some(&answer))
        .await
        .assert_problem(403);
    step(&app, id, "explanation", Role::Inspector, answer.clone())
        .await
        .assert_problem(403);
    let answered = step(&app, id, "explanation", Role::Hospital, answer.clone()).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(answered.body["state"], "to_verify");
    assert_eq!(answered.body["unanswered"], false);
    assert_eq!(answered.body["explanation"]["by"], "hospital-1");
    step(&app, id, "explanation", Role::Hospital, answer)
        .await
        .assert_problem(409);

    // Converted: a recorded case with the suspect's facts, linked both ways, always second-reviewed.
    let convert = json!({"outcome": "converted", "type_code": "INST-DUPLICATE-BILLING"});
    step(
        &app,
        id,
        "verification",
        Role::Inspector,
        json!({"outcome": "converted"}),
    )
    .await
    .assert_problem(422);
    let converted = step(&app, id, "verification", Role::Inspector, convert).await;
    assert_eq!(converted.status, StatusCode::OK, "{}", converted.body);
    assert_eq!(converted.body["state"], "converted");
    assert_eq!(converted.body["second_review"]["state"], "awaiting");
    assert_eq!(converted.body["second_review"]["of"], "verification");
    assert_eq!(converted.body["closed"], false);
    let case_id = converted.body["violation_id"].as_i64().expect("a case");
    let case = app
        .get(&format!("/api/v1/violations/{case_id}"), Role::Inspector)
        .await;
    assert_eq!(case.body["state"], "recorded");
    assert_eq!(case.body["suspicion_id"], id);
    assert_eq!(case.body["subject_code"], INSTITUTION);
    assert_eq!(case.body["occurred_on"], "2026-09-01");
    assert_eq!(case.body["amount_involved_fen"], 250_000);
    assert_eq!(case.body["recorded_by"], "inspector-1");
    let evidence: Vec<&str> = case.body["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(evidence, vec!["claim:JS001", "claim:JS002", EVIDENCE]);
    assert!(
        case.body["description"]
            .as_str()
            .unwrap()
            .contains(PHYSICIAN)
    );

    // Four eyes: the verifier may not second-review, even holding a reviewer's token.
    let verifier = app.token_for(Role::Reviewer, "inspector-1", None);
    let review = json!({"outcome": "confirmed"});
    let review_path = format!("/api/v1/suspicions/{id}/second-review");
    app.send(Method::POST, &review_path, Some(&verifier), Some(&review))
        .await
        .assert_problem(403);
    let confirmed = step(&app, id, "second-review", Role::Reviewer, review.clone()).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["closed"], true);
    assert_eq!(confirmed.body["second_review"]["by"], "reviewer-1");
    step(&app, id, "second-review", Role::Reviewer, review)
        .await
        .assert_problem(409);

    // The case follows the four-step workflow as every case does.
    let approved = app.review_and_approve(case_id, json!({"points": 6})).await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["suspicion_id"], id);

    let audit = app.get("/api/v1/audit?limit=500", Role::Auditor).await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["action"].as_str())
        .filter(|a| a.starts_with("suspicion."))
        .collect();
    for action in [
        "suspicion.receive",
        "suspicion.triage",
        "suspicion.explain",
        "suspicion.verify",
        "suspicion.review",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn past_the_deadline_a_suspect_moves_on_without_an_answer_and_changes_no_standing() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let standing_before = app.credit(INSTITUTION, None).await;
    let id = receive(&app, &suspect("ZNJK-8", "R-DUP", 500)).await;
    let late = receive(&app, &suspect("ZNJK-9", "R-DUP", 500)).await;
    let triaged = step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await;
    assert_eq!(triaged.status, StatusCode::OK, "{}", triaged.body);
    settle_review(&app, id, &triaged.body).await;

    // On the last day it still waits for the answer.
    app.set_now("2026-10-15T08:00:00Z");
    let waiting = read(&app, id).await;
    assert_eq!(
        (waiting["state"].as_str(), waiting["unanswered"].as_bool()),
        (Some("to_explain"), Some(false))
    );
    assert_eq!(
        ids(&app, "state=to_explain", Role::Inspector).await,
        vec![id]
    );
    // The next day it has moved on, and says so; the institution can no longer answer.
    app.set_now("2026-10-16T02:00:00Z");
    let moved = read(&app, id).await;
    assert_eq!(
        (moved["state"].as_str(), moved["unanswered"].as_bool()),
        (Some("to_verify"), Some(true))
    );
    assert_eq!(moved["verify_due"], "2026-11-05");
    assert!(
        ids(&app, "state=to_explain", Role::Inspector)
            .await
            .is_empty()
    );
    assert_eq!(
        ids(&app, "state=to_verify", Role::Inspector).await,
        vec![id]
    );
    let answer = json!({"text": "迟到的说明"});
    step(&app, id, "explanation", Role::Hospital, answer)
        .await
        .assert_problem(409);

    // Overdue: the pending one since 9 October, the unanswered one once its verification day has passed.
    assert_eq!(ids(&app, "overdue=true", Role::Inspector).await, vec![late]);
    app.set_now("2026-11-06T02:00:00Z");
    let fresh = receive(&app, &suspect("ZNJK-10", "R-DUP", 500)).await;
    assert_eq!(
        ids(&app, "overdue=true", Role::Inspector).await,
        vec![id, late]
    );
    assert_eq!(
        ids(&app, "overdue=false", Role::Inspector).await,
        vec![fresh]
    );
    assert_eq!(read(&app, id).await["overdue"], true);

    // Cleared without an answer: it says so; the standing never moved.
    step(
        &app,
        id,
        "verification",
        Role::Inspector,
        json!({"outcome": "cleared"}),
    )
    .await
    .assert_problem(422);
    let cleared = step(
        &app,
        id,
        "verification",
        Role::Inspector,
        json!({"outcome": "cleared", "reason": "系统误报"}),
    )
    .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(
        (
            cleared.body["state"].as_str(),
            cleared.body["unanswered"].as_bool()
        ),
        (Some("cleared"), Some(true))
    );
    assert_eq!(cleared.body["verification"]["reason"], "系统误报");
    app.set_now(BEFORE_HOLIDAYS);
    assert_eq!(app.credit(INSTITUTION, None).await, standing_before);
}

#[tokio::test]
async fn each_step_refuses_what_it_may_not_do() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let id = receive(&app, &suspect("ZNJK-11", "R-DUP", 500)).await;
    // Not yet triaged: nothing to explain, verify or review.
    step(
        &app,
        id,
        "verification",
        Role::Inspector,
        json!({"outcome": "cleared", "reason": "x"}),
    )
    .await
    .assert_problem(409);
    step(
        &app,
        id,
        "explanation",
        Role::Hospital,
        json!({"text": "说明"}),
    )
    .await
    .assert_problem(409);
    step(
        &app,
        id,
        "second-review",
        Role::Reviewer,
        json!({"outcome": "confirmed"}),
    )
    .await
    .assert_problem(409);
    // Who may triage, and with what.
    for role in [Role::Reviewer, Role::Hospital, Role::Partner, Role::Auditor] {
        step(
            &app,
            id,
            "triage",
            role,
            json!({"outcome": "dismissed", "reason": "x"}),
        )
        .await
        .assert_problem(403);
    }
    step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "dismissed"}),
    )
    .await
    .assert_problem(422);
    step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "maybe"}),
    )
    .await
    .assert_problem(422);
    step(
        &app,
        99_999,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await
    .assert_problem(404);
    let dismissed = step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "dismissed", "reason": "规则误报"}),
    )
    .await;
    assert_eq!(dismissed.status, StatusCode::OK, "{}", dismissed.body);
    assert_eq!(dismissed.body["state"], "dismissed");
    let reviewed = drawn(id, &SuspicionPolicy::default());
    assert_eq!(dismissed.body["closed"], !reviewed);
    step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await
    .assert_problem(409);
    // Partners are refused every operation, before anything is looked up.
    for path in [
        "/api/v1/suspicions",
        "/api/v1/suspicions/1",
        "/api/v1/suspicions/stats?group_by=rule_code&from=2026-01-01&to=2026-12-31",
    ] {
        app.get(path, Role::Partner).await.assert_problem(403);
    }
    app.get(
        "/api/v1/suspicions/stats?group_by=rule_code&from=2026-01-01&to=2026-12-31",
        Role::Hospital,
    )
    .await
    .assert_problem(403);
}

#[tokio::test]
async fn a_practitioner_named_by_the_monitoring_is_carried_into_a_practitioner_case() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let mut body = suspect("ZNJK-PRAC-1", "R-RX", 80_000);
    body["practitioner_code"] = json!(PHYSICIAN);
    let id = receive(&app, &body).await;
    let triaged = step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await;
    assert_eq!(triaged.status, StatusCode::OK, "{}", triaged.body);
    settle_review(&app, id, &triaged.body).await;
    let answer = json!({"text": "处方经科室复核", "evidence": [{"name": EVIDENCE}]});
    let answered = step(&app, id, "explanation", Role::Hospital, answer).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);

    // A practitioner's catalogue entry: the case is the physician's, under the institution's.
    let convert = json!({"outcome": "converted", "type_code": "PRAC-IRRATIONAL-PRESCRIPTION",
                         "responsibility": "main"});
    let converted = step(&app, id, "verification", Role::Inspector, convert).await;
    assert_eq!(converted.status, StatusCode::OK, "{}", converted.body);
    let case_id = converted.body["violation_id"].as_i64().expect("a case");
    let case = app
        .get(&format!("/api/v1/violations/{case_id}"), Role::Inspector)
        .await;
    assert_eq!(case.body["subject_code"], PHYSICIAN, "{}", case.body);
    assert_eq!(case.body["subject_kind"], "practitioner");
    assert_eq!(case.body["institution_code"], INSTITUTION);
    assert_eq!(case.body["suspicion_id"], id);
    assert_eq!(case.body["amount_involved_fen"], 80_000);
    assert_eq!(case.body["responsibility"], "main");
}
