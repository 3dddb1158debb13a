//! The case workflow through HTTP: recording rules, four eyes, illegal moves, returns and corrections,
//! idempotent posts and major cases.

use medcredit::auth::Role;
use medcredit::domain::dates::{add_working_days, legal_date};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_case_is_recorded_reviewed_and_approved_with_its_history() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let recorded = app
        .post(
            "/api/v1/violations",
            Role::Inspector,
            &case_body(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION"),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    assert_eq!(recorded.body["state"], "recorded");
    assert_eq!(recorded.body["type_version"], 1);
    assert_eq!(recorded.body["major"], false);
    let id = recorded.body["id"].as_i64().unwrap();

    let reviewed = app
        .post(
            &format!("/api/v1/violations/{id}/review"),
            Role::Reviewer,
            &json!({"comment": "证据充分"}),
        )
        .await;
    assert_eq!(reviewed.body["state"], "reviewed");
    let approved = app
        .post(
            &format!("/api/v1/violations/{id}/approve"),
            Role::Approver,
            &json!({"points": 5, "comment": "同意"}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["state"], "approved");
    assert_eq!(approved.body["points"], 5);
    assert_eq!(approved.body["approved_by"], "approver-1");

    let got = app
        .get(&format!("/api/v1/violations/{id}"), Role::Auditor)
        .await;
    let history = got.body["history"].as_array().unwrap();
    let steps: Vec<(&str, &str)> = history
        .iter()
        .map(|t| {
            (
                t["to_state"].as_str().unwrap(),
                t["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("recorded", "inspector-1"),
            ("reviewed", "reviewer-1"),
            ("approved", "approver-1")
        ]
    );
    assert_eq!(history[1]["reason"], "证据充分");

    let ledger = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/ledger"),
            Role::Auditor,
        )
        .await;
    let entries = ledger.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["kind"], "deduction");
    assert_eq!(entries[0]["points"], 5);
    assert_eq!(entries[0]["violation_id"], id);

    let audit = app
        .get(
            &format!("/api/v1/audit?target=violation:{id}"),
            Role::Auditor,
        )
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "violation.record",
            "violation.reviewed",
            "violation.approved"
        ]
    );

    // A list shows each case exactly as reading it alone does, whatever else is on the page.
    let second = app.record_case(OTHER_PHYSICIAN, "PRAC-ITEM-SWAP").await;
    let list = app.get("/api/v1/violations", Role::Auditor).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], got.body);
    let alone = app
        .get(&format!("/api/v1/violations/{second}"), Role::Auditor)
        .await;
    assert_eq!(items[1], alone.body);
    assert_eq!(items[1]["history"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn four_eyes_and_roles_are_enforced() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app
        .record_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    let review = format!("/api/v1/violations/{id}/review");
    let approve = format!("/api/v1/violations/{id}/approve");
    // The recorder holding a reviewer token may not review their own case.
    let same_person = app.token_for(Role::Reviewer, "inspector-1", None);
    let response = app
        .send(Method::POST, &review, Some(&same_person), Some(&json!({})))
        .await;
    response.assert_problem(403);
    assert!(
        response.body["detail"]
            .as_str()
            .unwrap()
            .contains("recorded")
    );
    app.post(&review, Role::Inspector, &json!({}))
        .await
        .assert_problem(403);
    app.post(&review, Role::Reviewer, &json!({})).await;
    // The reviewer may not approve, nor may the recorder.
    for sub in ["reviewer-1", "inspector-1"] {
        let token = app.token_for(Role::Approver, sub, None);
        app.send(
            Method::POST,
            &approve,
            Some(&token),
            Some(&json!({"points": 5})),
        )
        .await
        .assert_problem(403);
    }
    app.post(&approve, Role::Reviewer, &json!({"points": 5}))
        .await
        .assert_problem(403);
    for role in [Role::Hospital, Role::Partner] {
        app.get(&format!("/api/v1/violations/{id}"), role)
            .await
            .assert_problem(403);
        app.get("/api/v1/violations", role)
            .await
            .assert_problem(403);
    }
    let ok = app
        .post(&approve, Role::Approver, &json!({"points": 5}))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn illegal_transitions_are_conflicts_and_change_nothing() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app
        .record_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    app.post(
        &format!("/api/v1/violations/{id}/approve"),
        Role::Approver,
        &json!({"points": 5}),
    )
    .await
    .assert_problem(409);
    app.post(
        &format!("/api/v1/violations/{id}/resubmit"),
        Role::Inspector,
        &json!({}),
    )
    .await
    .assert_problem(409);
    app.post(
        &format!("/api/v1/violations/{id}/review"),
        Role::Reviewer,
        &json!({}),
    )
    .await;
    // Out of range points: 422, and the case stays reviewed.
    for points in [3, 7] {
        let response = app
            .post(
                &format!("/api/v1/violations/{id}/approve"),
                Role::Approver,
                &json!({"points": points}),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), vec!["points"]);
    }
    app.post(
        &format!("/api/v1/violations/{id}/approve"),
        Role::Approver,
        &json!({"points": 4}),
    )
    .await;
    app.post(
        &format!("/api/v1/violations/{id}/approve"),
        Role::Approver,
        &json!({"points": 4}),
    )
    .await
    .assert_problem(409);
    app.post(
        &format!("/api/v1/violations/{id}/reject"),
        Role::Approver,
        &json!({"reason": "x"}),
    )
    .await
    .assert_problem(409);
    let got = app
        .get(&format!("/api/v1/violations/{id}"), Role::Auditor)
        .await;
    assert_eq!(got.body["state"], "approved");
    assert_eq!(got.body["points"], 4);
    let ledger = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/ledger"),
            Role::Auditor,
        )
        .await;
    assert_eq!(
        ledger.body["items"].as_array().unwrap().len(),
        1,
        "one deduction only"
    );
    app.get("/api/v1/violations/999999", Role::Auditor)
        .await
        .assert_problem(404);
    app.get("/api/v1/violations/abc", Role::Auditor)
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn returned_cases_are_corrected_and_resubmitted_and_rejections_need_a_reason() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app
        .record_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    let path = format!("/api/v1/violations/{id}");
    app.patch(&path, Role::Inspector, &json!({"description": "x"}))
        .await
        .assert_problem(409);
    app.post(
        &format!("{path}/return"),
        Role::Reviewer,
        &json!({"reason": "  "}),
    )
    .await
    .assert_problem(422);
    let returned = app
        .post(
            &format!("{path}/return"),
            Role::Reviewer,
            &json!({"reason": "缺少处方原件"}),
        )
        .await;
    assert_eq!(returned.body["state"], "returned");
    let corrected = app
        .patch(
            &path,
            Role::Inspector,
            &json!({"description": "补充处方原件", "evidence": [{"name": "处方原件.jpg"}]}),
        )
        .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    assert_eq!(corrected.body["description"], "补充处方原件");
    assert_eq!(corrected.body["state"], "returned");
    app.patch(
        &path,
        Role::Inspector,
        &json!({"occurred_on": "2099-01-01"}),
    )
    .await
    .assert_problem(422);
    app.patch(&path, Role::Reviewer, &json!({"description": "x"}))
        .await
        .assert_problem(403);
    let again = app
        .post(&format!("{path}/resubmit"), Role::Inspector, &json!({}))
        .await;
    assert_eq!(again.body["state"], "recorded");
    app.post(&format!("{path}/reject"), Role::Approver, &json!({}))
        .await
        .assert_problem(422);
    let rejected = app
        .post(
            &format!("{path}/reject"),
            Role::Approver,
            &json!({"reason": "证据不足"}),
        )
        .await;
    assert_eq!(rejected.body["state"], "rejected");
    let states: Vec<String> = rejected.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["to_state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, vec!["recorded", "returned", "recorded", "rejected"]);
}

#[tokio::test]
async fn recording_rules_are_enforced() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let tomorrow = (legal_date(chrono::Utc::now()) + chrono::Days::new(1)).to_string();
    let mut cases = Vec::new();
    let mut wrong_kind = case_body(PHYSICIAN, "INST-FAKE-SERVICE");
    wrong_kind["type_code"] = json!("INST-FAKE-SERVICE");
    cases.push((wrong_kind, "type_code"));
    let mut not_in_force = case_body(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION");
    not_in_force["occurred_on"] = json!("2020-01-01");
    cases.push((not_in_force, "type_code"));
    let mut future = case_body(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION");
    future["occurred_on"] = json!(tomorrow);
    future["discovered_on"] = json!(tomorrow);
    cases.push((future, "occurred_on"));
    let mut backwards = case_body(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION");
    backwards["discovered_on"] = json!("2025-01-01");
    cases.push((backwards, "occurred_on"));
    let mut no_responsibility = case_body(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION");
    no_responsibility
        .as_object_mut()
        .unwrap()
        .remove("responsibility");
    cases.push((no_responsibility, "responsibility"));
    let mut negative = case_body(INSTITUTION, "INST-OVERCHARGING");
    negative["amount_involved_fen"] = json!(-1);
    cases.push((negative, "amount_involved_fen"));
    let mut bad_hash = case_body(INSTITUTION, "INST-OVERCHARGING");
    bad_hash["evidence"] = json!([{"name": "a.pdf", "sha256": "xyz"}]);
    cases.push((bad_hash, "evidence[0].sha256"));
    let mut responsibility_on_institution = case_body(INSTITUTION, "INST-OVERCHARGING");
    responsibility_on_institution["responsibility"] = json!("main");
    cases.push((responsibility_on_institution, "responsibility"));
    cases.push((
        case_body("H37010209999", "INST-OVERCHARGING"),
        "subject_code",
    ));
    let mut money_as_float = case_body(INSTITUTION, "INST-OVERCHARGING");
    money_as_float["amount_involved_fen"] = json!(12.5);
    cases.push((money_as_float, "amount_involved_fen"));
    for (body, field) in cases {
        let response = app.post("/api/v1/violations", Role::Inspector, &body).await;
        response.assert_problem(422);
        assert!(
            response.error_fields().contains(&field.to_string()),
            "{field}: {}",
            response.body
        );
    }
    app.post(
        "/api/v1/violations",
        Role::Reviewer,
        &case_body(INSTITUTION, "INST-OVERCHARGING"),
    )
    .await
    .assert_problem(403);
    let list = app.get("/api/v1/violations", Role::Auditor).await;
    assert!(
        list.body["items"].as_array().unwrap().is_empty(),
        "nothing was recorded"
    );
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_result() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let token = app.token(Role::Inspector);
    let post = |body: serde_json::Value, key: &'static str| {
        let request = app
            .client
            .post(format!("{}/api/v1/violations", app.address))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let body = case_body(INSTITUTION, "INST-OVERCHARGING");
    let first = post(body.clone(), "case-2026-001").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: serde_json::Value = first.json().await.unwrap();
    let second = post(body.clone(), "case-2026-001").await;
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: serde_json::Value = second.json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
    let mut changed = body.clone();
    changed["amount_involved_fen"] = json!(1);
    let conflict = post(changed, "case-2026-001").await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let other_key = post(body, "case-2026-002").await;
    assert_eq!(other_key.status(), StatusCode::CREATED);
    let list = app.get("/api/v1/violations", Role::Auditor).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn major_cases_are_flagged_with_a_report_due_date() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut big = case_body(INSTITUTION, "INST-FAKE-SERVICE");
    big["amount_involved_fen"] = json!(5_000_001);
    let recorded = app.post("/api/v1/violations", Role::Inspector, &big).await;
    assert_eq!(recorded.body["major"], true);
    let mut at_limit = case_body(INSTITUTION, "INST-FAKE-SERVICE");
    at_limit["amount_involved_fen"] = json!(5_000_000);
    assert_eq!(
        app.post("/api/v1/violations", Role::Inspector, &at_limit)
            .await
            .body["major"],
        false
    );
    let mut police = case_body(INSTITUTION, "INST-FAKE-SERVICE");
    police["transferred_to_judiciary"] = json!(true);
    assert_eq!(
        app.post("/api/v1/violations", Role::Inspector, &police)
            .await
            .body["major"],
        true
    );

    let id = recorded.body["id"].as_i64().unwrap();
    let approved = app.review_and_approve(id, json!({"points": 30})).await;
    let expected = add_working_days(legal_date(chrono::Utc::now()), 2);
    assert_eq!(approved["report_due"], expected.to_string());
    let majors = app
        .get("/api/v1/violations?major=true", Role::Auditor)
        .await;
    assert_eq!(majors.body["items"].as_array().unwrap().len(), 2);
    let by_state = app
        .get("/api/v1/violations?state=approved", Role::Auditor)
        .await;
    assert_eq!(by_state.body["items"].as_array().unwrap().len(), 1);
}
