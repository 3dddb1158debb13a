//! 信用修复 through the API: eligibility after the publication period, the due date across a holiday, and what an
//! approval ends or gives back.

use chrono::{NaiveDate, TimeZone, Utc};
use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    // 10:00 in China Standard Time.
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

fn repair_of_case(case: &Value) -> Value {
    json!({"violation_id": case["id"], "reason": "已整改到位", "evidence": [{"name": "整改报告.pdf"}]})
}

#[tokio::test]
async fn a_repair_waits_for_the_publication_period_and_is_due_in_working_days_across_a_holiday() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.clock.set(Some(at(2026, 3, 10)));
    // A minor case (3 months), a general one (6 months).
    let minor = app
        .approved_case(
            INSTITUTION,
            "INST-MANAGEMENT-DEFICIENCY",
            json!({"points": 4}),
        )
        .await;
    let general = app
        .approved_case(INSTITUTION, "INST-OVERCHARGING", json!({"points": 8}))
        .await;
    app.clock.set(Some(at(2026, 6, 9)));
    let early = app
        .post("/api/v1/repairs", Role::Inspector, &repair_of_case(&minor))
        .await;
    early.assert_problem(422);
    assert!(
        early.body["detail"]
            .as_str()
            .unwrap()
            .contains("2026-06-10"),
        "{}",
        early.body
    );

    // Wednesday 30 September 2026: 15 working days skip the National Day holidays (1–7 October) and count the
    // Saturday 10 October make-up day, ending on 27 October (weekends alone would give 21 October).
    app.clock.set(Some(at(2026, 9, 30)));
    let filed = app
        .post("/api/v1/repairs", Role::Hospital, &repair_of_case(&minor))
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(filed.body["eligible_from"], "2026-06-10");
    assert_eq!(filed.body["decision_due"], "2026-10-27");
    assert_eq!(filed.body["state"], "pending");
    let general_repair = app
        .post(
            "/api/v1/repairs",
            Role::Inspector,
            &repair_of_case(&general),
        )
        .await;
    assert_eq!(
        general_repair.body["eligible_from"], "2026-09-10",
        "{}",
        general_repair.body
    );

    // Overdue once the due day has passed undecided.
    app.clock.set(Some(at(2026, 10, 28)));
    let overdue = app
        .get("/api/v1/repairs?overdue=true", Role::Reviewer)
        .await;
    assert_eq!(
        overdue.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        overdue.body
    );
    assert_eq!(overdue.body["items"][0]["overdue"], true);

    // Approval gives the points back in the case's cycle; a rejection needs a reason.
    let id = filed.body["id"].clone();
    let approved = app
        .post(
            &format!("/api/v1/repairs/{id}/decision"),
            Role::Reviewer,
            &json!({"outcome": "approved", "reason": "整改完成"}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["points_restored"], 4);
    let standing = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Inspector)
        .await
        .body;
    assert_eq!(standing["score"], 92, "100 − 4 − 8 + 4: {standing}");
    let other = general_repair.body["id"].clone();
    let missing = app
        .post(
            &format!("/api/v1/repairs/{other}/decision"),
            Role::Reviewer,
            &json!({"outcome": "rejected", "reason": " "}),
        )
        .await;
    assert_eq!(missing.error_fields(), ["reason"]);
    let again = app
        .post(
            &format!("/api/v1/repairs/{id}/decision"),
            Role::Reviewer,
            &json!({"outcome": "approved", "reason": "再次"}),
        )
        .await;
    again.assert_problem(409);
    let pending = app
        .get("/api/v1/repairs?state=pending", Role::Reviewer)
        .await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_approved_repair_ends_a_black_list_entry_as_repaired() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.clock.set(Some(at(2025, 6, 2)));
    let case = app
        .approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    let entry = app.get("/api/v1/lists/black", Role::Inspector).await.body["items"][0].clone();
    let body = json!({"list_entry_id": entry["id"], "reason": "已整改", "evidence": [{"name": "承诺书.pdf"}]});
    app.clock.set(Some(at(2026, 5, 1)));
    let early = app.post("/api/v1/repairs", Role::Inspector, &body).await;
    early.assert_problem(422);
    let from: NaiveDate = entry["listed_on"].as_str().unwrap().parse().unwrap();
    let eligible = medcredit::domain::dates::add_months(from, 12).to_string();
    assert!(
        early.body["detail"].as_str().unwrap().contains(&eligible),
        "{}",
        early.body
    );
    app.clock.set(Some(at(2026, 6, 8)));
    let filed = app.post("/api/v1/repairs", Role::Inspector, &body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let id = filed.body["id"].clone();
    let decided = app
        .post(
            &format!("/api/v1/repairs/{id}/decision"),
            Role::Reviewer,
            &json!({"outcome": "approved", "reason": "修复"}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let ended = app
        .get(
            &format!("/api/v1/lists/black/{}", entry["id"]),
            Role::Inspector,
        )
        .await
        .body;
    assert_eq!(ended["status"], "repaired");
    assert_eq!(ended["end_kind"], "repaired");
    let standing = app
        .get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Inspector)
        .await
        .body;
    assert_ne!(standing["status"], "blacklisted", "{standing}");
    let _ = case;
}
