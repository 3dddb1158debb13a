//! The 6-point interview (约谈) through the API: the approval that brings a practitioner to the policy's line
//! starts an `interview` sanction in its transaction, once a cycle, and the standing shows key monitoring for
//! the rest of the cycle; a policy of `null` switches it off.

use chrono::{TimeZone, Utc};
use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn interviews(sanctions: &[Value]) -> Vec<&Value> {
    sanctions
        .iter()
        .filter(|s| s["type"] == "interview")
        .collect()
}

async fn standing_on(app: &TestApp, role: Role, day: &str) -> Value {
    let answer = app
        .get(&format!("/api/v1/standing/{PHYSICIAN}?as_of={day}"), role)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn six_points_start_one_interview_and_key_monitoring_to_the_end_of_the_year() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.clock
        .set(Some(Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap()));
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 4}),
    )
    .await;
    assert!(interviews(&app.sanctions_of(PHYSICIAN).await).is_empty());
    assert_eq!(
        standing_on(&app, Role::Hospital, "2026-03-11").await["supervision"],
        Value::Null
    );

    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 2}))
        .await;
    let sanctions = app.sanctions_of(PHYSICIAN).await;
    let started = interviews(&sanctions);
    assert_eq!(started.len(), 1, "{sanctions:?}");
    let interview = started[0];
    assert_eq!(interview["starts_on"], "2026-03-11");
    assert_eq!(interview["ends_on"], "2026-12-31");
    assert_eq!(interview["automatic"], true);
    let reason = interview["reason"].as_str().unwrap();
    assert!(reason.contains('6'), "{reason}");
    // Payment is untouched; the standing shows key monitoring from the start to the last day of the year.
    for role in [Role::Hospital, Role::Partner] {
        let during = standing_on(&app, role, "2026-12-31").await;
        assert_eq!(during["supervision"]["level"], "key_monitoring", "{during}");
        assert_eq!(during["may_be_paid"], true);
        assert_eq!(during["status"], "normal");
    }
    assert_eq!(
        standing_on(&app, Role::Hospital, "2026-03-10").await["supervision"],
        Value::Null
    );
    assert_eq!(
        standing_on(&app, Role::Hospital, "2027-01-01").await["supervision"],
        Value::Null
    );

    // Exactly once a cycle: the next approvals, to the suspension line, start no second interview.
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    let sanctions = app.sanctions_of(PHYSICIAN).await;
    assert_eq!(interviews(&sanctions).len(), 1);
    assert!(
        sanctions
            .iter()
            .any(|s| s["type"] == "qualification_suspension")
    );

    // A new year is a new cycle: 6 points in it start that year's interview.
    app.clock
        .set(Some(Utc.with_ymd_and_hms(2027, 2, 1, 2, 0, 0).unwrap()));
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    let sanctions = app.sanctions_of(PHYSICIAN).await;
    let both = interviews(&sanctions);
    assert_eq!(both.len(), 2);
    assert_eq!(both[1]["ends_on"], "2027-12-31");
}

#[tokio::test]
async fn a_policy_of_null_switches_the_interview_off() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"practitioner": {"interview_at": null}}"#).unwrap();
    let app = spawn_app_with(&[("MEDCREDIT_POLICY_FILE", policy.to_str().unwrap())]).await;
    app.seed_registry().await;
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    assert!(interviews(&app.sanctions_of(PHYSICIAN).await).is_empty());
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 6);
}

#[tokio::test]
async fn voiding_a_case_below_the_line_revokes_the_interview_and_a_new_crossing_starts_one_again() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let four = app
        .approved_case(
            PHYSICIAN,
            "PRAC-IRRATIONAL-PRESCRIPTION",
            json!({"points": 4}),
        )
        .await;
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 2}))
        .await;
    assert_eq!(interviews(&app.sanctions_of(PHYSICIAN).await).len(), 1);
    // The interview rests on the second case, but the first one's points brought it there.
    let void = format!("/api/v1/violations/{}/void", four["id"]);
    let voided = app
        .post(&void, Role::Approver, &json!({"reason": "复议撤销"}))
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    let sanctions = app.sanctions_of(PHYSICIAN).await;
    assert_eq!(
        interviews(&sanctions)[0]["status"],
        "revoked",
        "{sanctions:?}"
    );
    let tomorrow = interviews(&sanctions)[0]["starts_on"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        standing_on(&app, Role::Hospital, &tomorrow).await["supervision"],
        Value::Null
    );
    // A revoked interview never counted: reaching 6 again starts one.
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 4}),
    )
    .await;
    let sanctions = app.sanctions_of(PHYSICIAN).await;
    let started = interviews(&sanctions);
    assert_eq!(started.len(), 2);
    assert_eq!(started[1]["status"], "pending");
}
