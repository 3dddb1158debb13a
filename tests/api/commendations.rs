//! 守信激励 through the API: a commendation proposed by an inspector and decided by an approver who did not
//! propose it writes a `bonus` entry, capped per cycle, seen in the ledger, credit, standing and the feed; the
//! once-a-cycle commitment bonus is written once and respects the cap. Outsiders see none of it.

use chrono::{Datelike, TimeZone, Utc};
use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn commendation(points: u32) -> Value {
    json!({"points": points, "reason": "医保基金使用规范，获评示范单位",
           "evidence": [{"name": "表彰决定.pdf", "sha256": "cd".repeat(32)}]})
}

fn propose_path(code: &str) -> String {
    format!("/api/v1/subjects/{code}/commendations")
}

pub(crate) async fn propose(app: &TestApp, code: &str, points: u32) -> i64 {
    let proposed = app
        .post(&propose_path(code), Role::Inspector, &commendation(points))
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.body);
    proposed.body["id"].as_i64().unwrap()
}

pub(crate) async fn decide(app: &TestApp, id: i64, token: &str, outcome: &str) -> TestResponse {
    let body = json!({"outcome": outcome, "reason": "同意表彰"});
    let path = format!("/api/v1/commendations/{id}/decision");
    app.send(Method::POST, &path, Some(token), Some(&body))
        .await
}

async fn standing(app: &TestApp, code: &str) -> Value {
    let answer = app
        .get(&format!("/api/v1/standing/{code}"), Role::Hospital)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn an_approved_commendation_is_a_bonus_capped_in_the_cycle_and_never_past_100() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.clock
        .set(Some(Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap()));
    app.approved_case(INSTITUTION, "INST-OVERCHARGING", json!({"points": 8}))
        .await;
    let first = app
        .post(
            &propose_path(INSTITUTION),
            Role::Inspector,
            &commendation(5),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["state"], "pending");
    assert_eq!(first.body["proposed_by"], "inspector-1");
    let id = first.body["id"].as_i64().unwrap();
    assert_eq!(
        first.headers["location"],
        format!("/api/v1/commendations/{id}").as_str()
    );
    // Nothing counts before the decision.
    assert_eq!(app.credit(INSTITUTION, None).await["score"], 92);

    // Four eyes: the proposer may not decide, whatever role their token carries.
    for role in [Role::Approver, Role::Admin] {
        let proposer = app.token_for(role, "inspector-1", None);
        decide(&app, id, &proposer, "approved")
            .await
            .assert_problem(403);
    }
    let approver = app.token(Role::Approver);
    let approved = decide(&app, id, &approver, "approved").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["state"], "approved");
    assert_eq!(approved.body["points_awarded"], 5);
    assert_eq!(approved.body["decided_by"], "approver-1");
    let credit = app.credit(INSTITUTION, None).await;
    assert_eq!(credit["score"], 97);
    assert_eq!(credit["bonus_points"], 5);
    let bonus = credit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "bonus")
        .cloned()
        .expect("a bonus entry");
    assert_eq!(bonus["points"], 5);
    assert_eq!(bonus["id"], approved.body["credit_entry_id"]);
    assert_eq!(standing(&app, INSTITUTION).await["bonus_points"], 5);
    decide(&app, id, &approver, "rejected")
        .await
        .assert_problem(409);

    // The second fills the cap of 10; the score stops at 100 (92 + 10).
    let second = propose(&app, INSTITUTION, 5).await;
    let approved = decide(&app, second, &approver, "approved").await;
    assert_eq!(approved.body["points_awarded"], 5, "{}", approved.body);
    let credit = app.credit(INSTITUTION, None).await;
    assert_eq!(
        (credit["score"].clone(), credit["bonus_points"].clone()),
        (json!(100), json!(10))
    );
    assert_eq!(standing(&app, INSTITUTION).await["grade"], "A");

    // With the cap reached an approval is 409 and the commendation waits; it may still be rejected.
    let third = propose(&app, INSTITUTION, 3).await;
    let refused = decide(&app, third, &approver, "approved").await;
    let detail = refused.assert_problem(409)["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("10") && detail.contains("2026"), "{detail}");
    let pending = app
        .get(&format!("/api/v1/commendations/{third}"), Role::Auditor)
        .await;
    assert_eq!(pending.body["state"], "pending");
    let rejected = decide(&app, third, &approver, "rejected").await;
    assert_eq!(rejected.body["state"], "rejected", "{}", rejected.body);
    assert_eq!(rejected.body["points_awarded"], Value::Null);

    // The next year starts from nothing: the cap is per cycle, and so is the bonus.
    app.clock
        .set(Some(Utc.with_ymd_and_hms(2027, 2, 1, 2, 0, 0).unwrap()));
    let next = app.credit(INSTITUTION, None).await;
    assert_eq!(
        (next["score"].clone(), next["bonus_points"].clone()),
        (json!(100), json!(0))
    );
    let next_year = propose(&app, INSTITUTION, 4).await;
    let approved = decide(&app, next_year, &approver, "approved").await;
    assert_eq!(approved.body["points_awarded"], 4, "{}", approved.body);

    // The bonus entries are in the feed like deductions; the commendations themselves for staff only.
    let staff = app.get("/api/v1/changes?limit=500", Role::Auditor).await;
    let entities: Vec<&str> = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["entity"].as_str())
        .collect();
    assert!(entities.contains(&"commendation"));
    let partner = app.get("/api/v1/changes?limit=500", Role::Partner).await;
    let rows = partner.body["items"].as_array().unwrap();
    assert!(rows.iter().all(|c| c["entity"] != "commendation"));
    assert!(
        rows.iter()
            .any(|c| c["entity"] == "ledger_entry" && c["value"]["kind"] == "bonus")
    );
}

#[tokio::test]
async fn proposals_are_checked_and_only_staff_see_commendations() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let path = propose_path(INSTITUTION);
    for (body, field) in [
        (commendation(0), "points"),
        (commendation(6), "points"),
        (
            json!({"points": 2, "reason": " ", "evidence": [{"name": "a.pdf"}]}),
            "reason",
        ),
        (
            json!({"points": 2, "reason": "好\u{202e}", "evidence": [{"name": "a.pdf"}]}),
            "reason",
        ),
        (
            json!({"points": 2, "reason": "好", "evidence": []}),
            "evidence",
        ),
    ] {
        let refused = app.post(&path, Role::Inspector, &body).await;
        refused.assert_problem(422);
        assert!(
            refused.error_fields().contains(&field.to_string()),
            "{}",
            refused.body
        );
    }
    app.post(
        &path,
        Role::Inspector,
        &json!({"points": -1, "reason": "x", "evidence": []}),
    )
    .await
    .assert_problem(422);
    // People are not commended; an unknown code is 404.
    app.post(&propose_path(PHYSICIAN), Role::Inspector, &commendation(2))
        .await
        .assert_problem(422);
    app.post(
        &propose_path("H37019999999"),
        Role::Inspector,
        &commendation(2),
    )
    .await
    .assert_problem(404);

    // Who may propose, before the body is looked at.
    for role in [
        Role::Hospital,
        Role::Partner,
        Role::Reviewer,
        Role::Approver,
        Role::Auditor,
    ] {
        app.post(&path, role, &json!({"nonsense": true}))
            .await
            .assert_problem(403);
    }
    app.send(Method::POST, &path, None, Some(&commendation(2)))
        .await
        .assert_problem(401);

    let id = propose(&app, INSTITUTION, 2).await;
    let other = app.token_for(Role::Hospital, "hospital-9", Some(OTHER_INSTITUTION));
    let reads = [
        path.clone(),
        "/api/v1/commendations".to_string(),
        format!("/api/v1/commendations/{id}"),
    ];
    for read in &reads {
        for role in [Role::Hospital, Role::Partner] {
            app.get(read, role).await.assert_problem(403);
        }
        app.send(Method::GET, read, Some(&other), None)
            .await
            .assert_problem(403);
        app.send(Method::GET, read, None, None)
            .await
            .assert_problem(401);
        let staff = app.get(read, Role::Reviewer).await;
        assert_eq!(staff.status, StatusCode::OK, "{read}: {}", staff.body);
    }
    // Only approvers decide; the decision's body is checked after the role.
    for role in [
        Role::Inspector,
        Role::Reviewer,
        Role::Hospital,
        Role::Partner,
    ] {
        let token = app.token(role);
        decide(&app, id, &token, "approved")
            .await
            .assert_problem(403);
    }
    let approver = app.token(Role::Approver);
    let bad = app
        .send(
            Method::POST,
            &format!("/api/v1/commendations/{id}/decision"),
            Some(&approver),
            Some(&json!({"outcome": "maybe", "reason": "x"})),
        )
        .await;
    bad.assert_problem(422);
    decide(&app, 999, &approver, "approved")
        .await
        .assert_problem(404);

    // The approvers' queue offers it, except to its proposer.
    let queue = "/api/v1/tasks?kind=commendation_decision";
    let tasks = app.get(queue, Role::Approver).await;
    assert_eq!(
        tasks.body["items"][0]["commendation_id"], id,
        "{}",
        tasks.body
    );
    let proposer = app.token_for(Role::Approver, "inspector-1", None);
    let own = app.send(Method::GET, queue, Some(&proposer), None).await;
    assert_eq!(own.body["items"], json!([]), "{}", own.body);

    // Lists page like every list and filter by state and subject.
    propose(&app, OTHER_INSTITUTION, 3).await;
    let page = app
        .get(
            "/api/v1/commendations?state=pending&limit=1",
            Role::Approver,
        )
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    let cursor = page.body["next_cursor"].as_str().expect("a second page");
    let rest = app
        .get(
            &format!("/api/v1/commendations?state=pending&cursor={cursor}"),
            Role::Approver,
        )
        .await;
    assert_eq!(rest.body["items"][0]["subject_code"], OTHER_INSTITUTION);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let own = app.get(&path, Role::Approver).await;
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(own.body["items"][0]["id"], id);
}

#[tokio::test]
async fn a_signed_commitment_earns_its_bonus_once_a_cycle_inside_the_cap_for_organisations_only() {
    let app = spawn_app().await;
    app.seed_registry().await;
    crate::registrations::publish_text(&app, "2020-1", "2020-01-01", None).await;
    let today = medcredit::domain::dates::legal_date(Utc::now()).to_string();
    let sign = |code: &'static str| {
        let (app, today) = (&app, today.clone());
        async move {
            let body = json!({"text_version": "2020-1", "signed_on": today, "signer_name": "王院长",
                              "evidence": [{"name": "承诺书.pdf"}]});
            let path = format!("/api/v1/subjects/{code}/commitments");
            let response = app.post(&path, Role::Inspector, &body).await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        }
    };
    // Signing twice in a cycle earns one bonus; a practitioner's signature earns none.
    for code in [INSTITUTION, INSTITUTION, PHYSICIAN] {
        sign(code).await;
    }
    let credit = app.credit(INSTITUTION, None).await;
    let bonuses: Vec<&Value> = credit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "bonus")
        .collect();
    assert_eq!(bonuses.len(), 1, "{credit}");
    assert_eq!(bonuses[0]["points"], 2);
    assert_eq!(credit["bonus_points"], 2);
    assert!(
        app.credit(PHYSICIAN, None).await["entries"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Another organisation with 9 of its 10 cap points used gets the 1 left.
    let approver = app.token(Role::Approver);
    for points in [5, 4] {
        let id = propose(&app, OTHER_INSTITUTION, points).await;
        decide(&app, id, &approver, "approved").await;
    }
    sign(OTHER_INSTITUTION).await;
    let credit = app.credit(OTHER_INSTITUTION, None).await;
    let last = credit["entries"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (last["kind"].clone(), last["points"].clone()),
        (json!("bonus"), json!(1))
    );
    assert_eq!(credit["bonus_points"], 10);
}

#[tokio::test]
async fn a_commitment_still_valid_on_the_first_of_january_earns_the_new_cycle_s_bonus() {
    let app = spawn_app().await;
    app.seed_registry().await;
    crate::registrations::publish_text(&app, "2020-1", "2020-01-01", None).await;
    let now = Utc::now();
    let today = medcredit::domain::dates::legal_date(now);
    let body = json!({"text_version": "2020-1", "signed_on": today.to_string(), "signer_name": "王院长",
                      "evidence": [{"name": "承诺书.pdf"}]});
    let path = format!("/api/v1/subjects/{INSTITUTION}/commitments");
    let signed = app.post(&path, Role::Inspector, &body).await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);

    // The scheduler reaches 1 January (China Standard Time) of next year, twice, as two passes would.
    let config = std::sync::Arc::new(app.config.clone());
    medcredit::worker::dates::run_due(&app.db, config.clone(), now)
        .await
        .unwrap();
    let next = today.year() + 1;
    let new_year = Utc.with_ymd_and_hms(next - 1, 12, 31, 17, 0, 0).unwrap();
    for _ in 0..2 {
        medcredit::worker::dates::run_due(&app.db, config.clone(), new_year)
            .await
            .unwrap();
    }
    let bonus_cycles = |code: &'static str| {
        let app = &app;
        async move {
            let path = format!("/api/v1/subjects/{code}/ledger?limit=500");
            let ledger = app.get(&path, Role::Auditor).await;
            assert_eq!(ledger.status, StatusCode::OK, "{}", ledger.body);
            ledger.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "bonus")
                .map(|e| e["cycle"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        bonus_cycles(INSTITUTION).await,
        vec![i64::from(next - 1), i64::from(next)]
    );
    // An organisation that never signed earns nothing.
    assert!(bonus_cycles(OTHER_INSTITUTION).await.is_empty());
}
