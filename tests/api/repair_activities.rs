//! Point repair by activities through the API: an inspector records a practitioner's training, publicity or
//! flight inspection, a reviewer who did not record it approves, and a `repair` entry gives points back, never
//! below 0 nor past the cycle's allowance; running sanctions stay, later thresholds count the repaired total.

use chrono::{TimeZone, Utc};
use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn activity(kind: &str, held_on: &str) -> Value {
    json!({"kind": kind, "held_on": held_on, "description": "参加医保政策培训",
           "evidence": [{"name": "签到表.pdf"}]})
}

fn record_path(code: &str) -> String {
    format!("/api/v1/subjects/{code}/repair-activities")
}

async fn record(app: &TestApp, code: &str, kind: &str) -> i64 {
    let recorded = app
        .post(
            &record_path(code),
            Role::Inspector,
            &activity(kind, "2026-03-01"),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    recorded.body["id"].as_i64().unwrap()
}

async fn decide(app: &TestApp, id: i64, token: &str, outcome: &str) -> TestResponse {
    let body = json!({"outcome": outcome, "reason": "材料齐全"});
    let path = format!("/api/v1/repair-activities/{id}/decision");
    app.send(Method::POST, &path, Some(token), Some(&body))
        .await
}

fn on_day(app: &TestApp, month: u32, day: u32) {
    app.clock.set(Some(
        Utc.with_ymd_and_hms(2026, month, day, 2, 0, 0).unwrap(),
    ));
}

#[tokio::test]
async fn approved_activities_give_points_back_up_to_the_allowance_and_later_thresholds_count_the_rest()
 {
    let app = spawn_app().await;
    app.seed_registry().await;
    on_day(&app, 3, 10);
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    on_day(&app, 3, 15);
    let sanctions_before = app.sanctions_of(PHYSICIAN).await;
    assert!(
        sanctions_before
            .iter()
            .any(|s| s["type"] == "qualification_suspension")
    );

    let kinds = [
        "training",
        "publicity",
        "flight_inspection",
        "training",
        "publicity",
    ];
    let mut ids = Vec::new();
    for kind in kinds {
        ids.push(record(&app, PHYSICIAN, kind).await);
    }
    // Four eyes: the recorder may not decide, whatever role their token carries.
    let recorder = app.token_for(Role::Reviewer, "inspector-1", None);
    decide(&app, ids[0], &recorder, "approved")
        .await
        .assert_problem(403);
    let reviewer = app.token(Role::Reviewer);
    let first = decide(&app, ids[0], &reviewer, "approved").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["points_awarded"], 1);
    assert_eq!(first.body["state"], "approved");
    let credit = app.credit(PHYSICIAN, None).await;
    assert_eq!(credit["points"], 8);
    let repair = credit["entries"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (repair["kind"].clone(), repair["points"].clone()),
        (json!("repair"), json!(1))
    );
    // The suspension that had started runs its course.
    assert_eq!(app.sanctions_of(PHYSICIAN).await, sanctions_before);
    assert_eq!(credit["status"], "suspended");

    for id in &ids[1..4] {
        let approved = decide(&app, *id, &reviewer, "approved").await;
        assert_eq!(approved.body["points_awarded"], 1, "{}", approved.body);
    }
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 5);
    // The fifth finds the cycle's allowance of 4 used: 409, and it waits.
    let fifth = decide(&app, ids[4], &reviewer, "approved").await;
    let detail = fifth.assert_problem(409)["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains('4') && detail.contains("2026"), "{detail}");
    let waiting = app
        .get(
            &format!("/api/v1/repair-activities/{}", ids[4]),
            Role::Auditor,
        )
        .await;
    assert_eq!(waiting.body["state"], "pending");
    decide(&app, ids[0], &reviewer, "rejected")
        .await
        .assert_problem(409);

    // 5 repaired points + 6 is 11: a longer suspension, not the termination 15 would have been.
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    let credit = app.credit(PHYSICIAN, None).await;
    assert_eq!(credit["points"], 11);
    assert_ne!(credit["status"], "terminated");
    let sanctions = app.sanctions_of(PHYSICIAN).await;
    assert!(
        sanctions
            .iter()
            .all(|s| s["type"] != "qualification_termination")
    );

    // The feed carries the repair entries to partners; the activities stay with staff.
    let partner = app.get("/api/v1/changes?limit=500", Role::Partner).await;
    let rows = partner.body["items"].as_array().unwrap();
    assert!(rows.iter().all(|c| c["entity"] != "repair_activity"));
    assert!(
        rows.iter()
            .any(|c| c["entity"] == "ledger_entry" && c["value"]["kind"] == "repair")
    );
    let staff = app.get("/api/v1/changes?limit=500", Role::Auditor).await;
    assert!(
        staff.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["entity"] == "repair_activity")
    );
}

#[tokio::test]
async fn points_never_fall_below_zero() {
    let app = spawn_app().await;
    app.seed_registry().await;
    on_day(&app, 3, 10);
    let reviewer = app.token(Role::Reviewer);
    let nothing = record(&app, OTHER_PHYSICIAN, "training").await;
    let refused = decide(&app, nothing, &reviewer, "approved").await;
    refused.assert_problem(409);
    app.approved_case(
        OTHER_PHYSICIAN,
        "PRAC-IDENTITY-UNCHECKED",
        json!({"points": 1}),
    )
    .await;
    let one = decide(&app, nothing, &reviewer, "approved").await;
    assert_eq!(one.body["points_awarded"], 1, "{}", one.body);
    let again = record(&app, OTHER_PHYSICIAN, "publicity").await;
    decide(&app, again, &reviewer, "approved")
        .await
        .assert_problem(409);
    assert_eq!(app.credit(OTHER_PHYSICIAN, None).await["points"], 0);
    // A later case counts in full: nothing was given back beyond the points held.
    app.approved_case(
        OTHER_PHYSICIAN,
        "PRAC-IDENTITY-UNCHECKED",
        json!({"points": 2}),
    )
    .await;
    assert_eq!(app.credit(OTHER_PHYSICIAN, None).await["points"], 2);
}

#[tokio::test]
async fn records_are_checked_and_only_staff_see_activities() {
    let app = spawn_app().await;
    app.seed_registry().await;
    on_day(&app, 3, 10);
    let path = record_path(PHYSICIAN);
    for (body, field) in [
        (activity("training", "2026-03-11"), "held_on"),
        (activity("training", "2025-12-31"), "held_on"),
        (activity("training", "2026-02-30"), "held_on"),
        (activity("training", "26-03-01"), "held_on"),
        (activity("party", "2026-03-01"), "kind"),
        (
            json!({"kind": "training", "held_on": "2026-03-01", "description": "", "evidence": [{"name": "a"}]}),
            "description",
        ),
        (
            json!({"kind": "training", "held_on": "2026-03-01", "description": "培训", "evidence": []}),
            "evidence",
        ),
    ] {
        let refused = app.post(&path, Role::Inspector, &body).await;
        refused.assert_problem(422);
        let fields = refused.error_fields();
        assert!(
            fields.is_empty() || fields.contains(&field.to_string()),
            "{field}: {}",
            refused.body
        );
    }
    // Practitioners only; an unknown code is 404.
    app.post(
        &record_path(INSTITUTION),
        Role::Inspector,
        &activity("training", "2026-03-01"),
    )
    .await
    .assert_problem(422);
    app.post(
        &record_path("D370102999999"),
        Role::Inspector,
        &activity("training", "2026-03-01"),
    )
    .await
    .assert_problem(404);
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
    app.send(
        Method::POST,
        &path,
        None,
        Some(&activity("training", "2026-03-01")),
    )
    .await
    .assert_problem(401);

    let id = record(&app, PHYSICIAN, "flight_inspection").await;
    let other = app.token_for(Role::Hospital, "hospital-9", Some(OTHER_INSTITUTION));
    for read in [
        path.clone(),
        "/api/v1/repair-activities?state=pending".to_string(),
        format!("/api/v1/repair-activities/{id}"),
    ] {
        // Even the practitioner's own hospital: the activities are staff's work, the standing shows the result.
        for role in [Role::Hospital, Role::Partner] {
            app.get(&read, role).await.assert_problem(403);
        }
        app.send(Method::GET, &read, Some(&other), None)
            .await
            .assert_problem(403);
        app.send(Method::GET, &read, None, None)
            .await
            .assert_problem(401);
        let staff = app.get(&read, Role::Approver).await;
        assert_eq!(staff.status, StatusCode::OK, "{read}: {}", staff.body);
    }
    let listed = app.get(&path, Role::Inspector).await;
    assert_eq!(listed.body["items"][0]["kind"], "flight_inspection");
    assert_eq!(listed.body["items"][0]["cycle"], 2026);
    assert_eq!(listed.body["next_cursor"], Value::Null);
    for role in [
        Role::Inspector,
        Role::Approver,
        Role::Hospital,
        Role::Partner,
    ] {
        let token = app.token(role);
        decide(&app, id, &token, "approved")
            .await
            .assert_problem(403);
    }
    // The reviewers' queue offers it, except to its recorder.
    let queue = "/api/v1/tasks?kind=repair_activity_decision";
    let tasks = app.get(queue, Role::Reviewer).await;
    assert_eq!(
        tasks.body["items"][0]["repair_activity_id"], id,
        "{}",
        tasks.body
    );
    let recorder = app.token_for(Role::Reviewer, "inspector-1", None);
    let own = app.send(Method::GET, queue, Some(&recorder), None).await;
    assert_eq!(own.body["items"], json!([]), "{}", own.body);
    let reviewer = app.token(Role::Reviewer);
    decide(&app, 999, &reviewer, "approved")
        .await
        .assert_problem(404);
    let no_reason = app
        .send(
            Method::POST,
            &format!("/api/v1/repair-activities/{id}/decision"),
            Some(&reviewer),
            Some(&json!({"outcome": "rejected", "reason": ""})),
        )
        .await;
    no_reason.assert_problem(422);
}

#[tokio::test]
async fn voiding_a_repaired_case_gives_back_only_what_is_held() {
    let app = spawn_app().await;
    app.seed_registry().await;
    on_day(&app, 3, 10);
    let case = app
        .approved_case(
            PHYSICIAN,
            "PRAC-IRRATIONAL-PRESCRIPTION",
            json!({"points": 4}),
        )
        .await;
    let reviewer = app.token(Role::Reviewer);
    let id = record(&app, PHYSICIAN, "training").await;
    decide(&app, id, &reviewer, "approved").await;
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 3);
    let void = format!("/api/v1/violations/{}/void", case["id"]);
    let voided = app
        .post(&void, Role::Approver, &json!({"reason": "复议撤销"}))
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    let credit = app.credit(PHYSICIAN, None).await;
    assert_eq!(credit["points"], 0);
    let reversal = credit["entries"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (reversal["kind"].clone(), reversal["points"].clone()),
        (json!("reversal"), json!(3))
    );
    // Nothing was given back twice: the next case counts in full.
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 2}))
        .await;
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 2);
}
