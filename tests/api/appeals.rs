//! Appeals (申诉, issue 9) through the API: the window, who decides, and what voiding a case undoes.

use chrono::{Days, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::lists::{black, standing, today};

#[tokio::test]
async fn an_accepted_appeal_brings_a_practitioner_back_under_nine_and_revokes_the_suspension() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    let crossing = app
        .approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 1}))
        .await;
    let tomorrow = today() + Days::new(1);
    let before = standing(&app, PHYSICIAN, Some(tomorrow)).await;
    assert_eq!(
        (before["points"].clone(), before["status"].clone()),
        (json!(10), json!("suspended"))
    );

    // A hospital files for its own practitioner; the standing shows the case disputed.
    let filed = app
        .post(
            &format!("/api/v1/violations/{}/appeals", crossing["id"]),
            Role::Hospital,
            &json!({"reason": "身份核验记录完整"}),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let disputed = standing(&app, PHYSICIAN, None).await;
    assert_eq!(disputed["disputed"], true);
    assert_eq!(disputed["disputed_cases"], json!([crossing["id"]]));
    let id = filed.body["id"].clone();
    let listed = app
        .get("/api/v1/appeals?state=pending", Role::Reviewer)
        .await;
    assert_eq!(listed.body["items"][0]["id"], id);

    // The reviewer who reviewed the case may not decide; another reviewer may.
    let decision = json!({"outcome": "accepted", "reason": "证据不足，撤销"});
    app.post(
        &format!("/api/v1/appeals/{id}/decision"),
        Role::Reviewer,
        &decision,
    )
    .await
    .assert_problem(403);
    let other = app.token_for(Role::Reviewer, "reviewer-2", None);
    let decided = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/appeals/{id}/decision"),
            Some(&other),
            Some(&decision),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert_eq!(decided.body["state"], "accepted");

    let after = standing(&app, PHYSICIAN, Some(tomorrow)).await;
    assert_eq!(after["points"], 7, "{after}");
    assert_eq!(after["status"], "normal");
    assert_eq!(after["disputed"], false);
    // The interview of the first 6 points rests on the case still in force and stays.
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    assert!(
        sanctions.iter().all(|s| s["status"] == "revoked"),
        "{sanctions:?}"
    );
    let case = app
        .get(
            &format!("/api/v1/violations/{}", crossing["id"]),
            Role::Auditor,
        )
        .await
        .body;
    assert_eq!(case["state"], "voided");
    let ledger = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/ledger"),
            Role::Auditor,
        )
        .await
        .body;
    assert!(
        ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "reversal" && e["points"] == 3)
    );
    // Decided once.
    let again = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/appeals/{id}/decision"),
            Some(&other),
            Some(&decision),
        )
        .await;
    again.assert_problem(409);
}

#[tokio::test]
async fn an_appeal_against_the_listing_case_takes_the_subject_off_the_list() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app
        .approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    assert_eq!(
        standing(&app, PHYSICIAN, None).await["status"],
        "blacklisted"
    );
    let filed = app
        .post(
            &format!("/api/v1/violations/{}/appeals", case["id"]),
            Role::Inspector,
            &json!({"reason": "处方真实"}),
        )
        .await;
    let other = app.token_for(Role::Reviewer, "reviewer-2", None);
    let path = format!("/api/v1/appeals/{}/decision", filed.body["id"]);
    let decision = json!({"outcome": "accepted", "reason": "处方真实有效"});
    let decided = app
        .send(reqwest::Method::POST, &path, Some(&other), Some(&decision))
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let entries = black(&app, "", Role::Inspector).await;
    assert_eq!(entries[0]["status"], "voided");
    assert_eq!(entries[0]["end_kind"], "voided");
    let tomorrow = today() + Days::new(1);
    let now = standing(&app, PHYSICIAN, Some(tomorrow)).await;
    assert_eq!(
        (now["status"].clone(), now["points"].clone()),
        (json!("normal"), json!(0)),
        "{now}"
    );

    // A rejected appeal lets the case stand; an approver may also void of their own motion.
    let other_case = app
        .approved_case(
            OTHER_PHYSICIAN,
            "PRAC-IDENTITY-UNCHECKED",
            json!({"points": 2}),
        )
        .await;
    let filed = app
        .post(
            &format!("/api/v1/violations/{}/appeals", other_case["id"]),
            Role::Inspector,
            &json!({"reason": "异议"}),
        )
        .await;
    let path = format!("/api/v1/appeals/{}/decision", filed.body["id"]);
    let rejected = json!({"outcome": "rejected", "reason": "证据确凿"});
    app.send(reqwest::Method::POST, &path, Some(&other), Some(&rejected))
        .await;
    let kept = app
        .get(
            &format!("/api/v1/violations/{}", other_case["id"]),
            Role::Auditor,
        )
        .await
        .body;
    assert_eq!(kept["state"], "approved");
    let voided = app
        .post(
            &format!("/api/v1/violations/{}/void", other_case["id"]),
            Role::Approver,
            &json!({"reason": "更正"}),
        )
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    assert_eq!(voided.body["state"], "voided");
    assert_eq!(standing(&app, OTHER_PHYSICIAN, None).await["points"], 0);
}

#[tokio::test]
async fn an_appeal_after_the_window_is_refused_naming_the_last_day() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.clock.set(Some(Utc::now() - chrono::Duration::days(20)));
    let case = app
        .approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 1}))
        .await;
    let approved_on = legal_date(app.clock.now());
    app.clock.set(None);
    let late = app
        .post(
            &format!("/api/v1/violations/{}/appeals", case["id"]),
            Role::Inspector,
            &json!({"reason": "迟到"}),
        )
        .await;
    late.assert_problem(422);
    let last = (approved_on + Days::new(15)).to_string();
    assert!(
        late.body["detail"].as_str().unwrap().contains(&last),
        "{}",
        late.body
    );
    // Another institution's hospital may not appeal for this practitioner.
    let fresh = app
        .approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 1}))
        .await;
    let other = app.token_for(Role::Hospital, "hospital-2", Some(OTHER_INSTITUTION));
    let body = json!({"reason": "不是我院"});
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/violations/{}/appeals", fresh["id"]),
        Some(&other),
        Some(&body),
    )
    .await
    .assert_problem(403);
}
