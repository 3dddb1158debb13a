//! Scoring and automatic sanctions through the API: the seed 003 physicians, the 12-point thresholds, an
//! institution's grade falling, an insured person's settlement suspension, races and the year rollover.

use medcredit::auth::Role;
use medcredit::domain::dates::{add_months, add_years, legal_date};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn tomorrow() -> chrono::NaiveDate {
    legal_date(chrono::Utc::now()) + chrono::Days::new(1)
}

fn last_day(starts: chrono::NaiveDate, months: u32) -> String {
    medcredit::domain::sanctions::last_day_of_term(starts, months).to_string()
}

async fn physicians(app: &TestApp, codes: &[(&str, &str)]) {
    for (code, id) in codes {
        app.register(practitioner(code, "医生", id)).await;
    }
}

#[tokio::test]
async fn seed_003_three_physicians_lose_outpatient_settlement_scopes() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let doctors = [PHYSICIAN, OTHER_PHYSICIAN, "D370102000003"];
    physicians(&app, &[("D370102000003", &person_id(3))]).await;
    let start = tomorrow();
    for doctor in doctors {
        let mut body = case_body(doctor, "PRAC-IRRATIONAL-PRESCRIPTION");
        body["institution_code"] = json!(INSTITUTION);
        body["institution_liable"] = json!(true);
        let id = app
            .post("/api/v1/violations", Role::Inspector, &body)
            .await
            .body["id"]
            .as_i64()
            .unwrap();
        let approved = app.review_and_approve(id, json!({"points": 6})).await;
        assert_eq!(approved["institution_liable"], true);
        for (scope, months) in [("outpatient_general", 3), ("outpatient_chronic", 3)] {
            let sanction = json!({
                "subject_code": doctor, "type": "qualification_suspension", "scope": scope,
                "starts_on": start, "ends_on": last_day(start, months), "violation_ids": [id],
                "reason": "滥用药、开具不合理处方（医保处方医师违规处理决定）"
            });
            let created = app
                .post("/api/v1/sanctions", Role::Approver, &sanction)
                .await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        }
        let credit = app.credit(doctor, None).await;
        assert_eq!(credit["points"], 6);
        assert_eq!(
            credit["status"], "normal",
            "6 points cross no threshold, and the suspensions start tomorrow"
        );
        let later = app.credit(doctor, Some(&start.to_string())).await;
        assert_eq!(later["status"], "suspended");
        // The 6 points also started the interview (约谈), which has no scope.
        let scopes: Vec<&str> = later["active_sanctions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["type"] != "interview")
            .map(|s| s["scope"].as_str().unwrap())
            .collect();
        assert_eq!(scopes, vec!["outpatient_general", "outpatient_chronic"]);
    }
    let active = app
        .get(
            &format!("/api/v1/sanctions?active_on={start}"),
            Role::Auditor,
        )
        .await;
    let suspensions = active.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] == "qualification_suspension");
    assert_eq!(suspensions.count(), 6);
}

#[tokio::test]
async fn a_practitioner_is_suspended_at_9_extended_at_10_and_terminated_at_12() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let start = tomorrow();
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 6);
    assert!(
        app.ladder_sanctions_of(PHYSICIAN).await.is_empty(),
        "8 or fewer points: nothing"
    );

    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    assert_eq!(sanctions.len(), 1);
    assert_eq!(sanctions[0]["type"], "qualification_suspension");
    assert_eq!(sanctions[0]["scope"], "all");
    assert_eq!(sanctions[0]["automatic"], true);
    assert_eq!(sanctions[0]["starts_on"], start.to_string());
    assert_eq!(sanctions[0]["ends_on"], last_day(start, 1));
    assert!(
        sanctions[0]["reason"]
            .as_str()
            .unwrap()
            .contains("9 points")
    );

    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 1}))
        .await;
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    // The suspension is extended, not stacked: a second row continues the first from the same start to the
    // longer end, and the first keeps its own end and reason.
    assert_eq!(sanctions.len(), 2);
    assert_eq!(sanctions[0]["ends_on"], last_day(start, 1));
    assert!(
        sanctions[0]["reason"]
            .as_str()
            .unwrap()
            .contains("9 points")
    );
    assert_eq!(sanctions[1]["extends_id"], sanctions[0]["id"]);
    assert_eq!(sanctions[1]["starts_on"], start.to_string());
    assert_eq!(sanctions[1]["ends_on"], last_day(start, 2));
    assert!(
        sanctions[1]["reason"]
            .as_str()
            .unwrap()
            .contains("10 points")
    );
    let standing = app
        .get(
            &format!("/api/v1/standing/{PHYSICIAN}?as_of={start}"),
            Role::Inspector,
        )
        .await;
    // Beside the interview of the first 6 points.
    let in_force: Vec<&Value> = standing.body["sanctions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] != "interview")
        .collect();
    assert_eq!(
        in_force.len(),
        1,
        "one suspension in force: {}",
        standing.body
    );
    assert_eq!(in_force[0]["ends_on"], last_day(start, 2));

    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 2}))
        .await;
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    assert_eq!(sanctions.len(), 3);
    let termination = &sanctions[2];
    assert_eq!(termination["type"], "qualification_termination");
    assert_eq!(termination["ban_until"], add_years(start, 1).to_string());
    assert!(termination["ends_on"].is_null());
    let credit = app.credit(PHYSICIAN, Some(&start.to_string())).await;
    assert_eq!(credit["points"], 12);
    assert_eq!(credit["status"], "terminated");
}

#[tokio::test]
async fn twelve_points_from_one_event_terminate_with_a_three_year_ban() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app
        .approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    assert_eq!(
        sanctions.len(),
        1,
        "no suspension on the way: straight to termination"
    );
    assert_eq!(sanctions[0]["type"], "qualification_termination");
    assert_eq!(
        sanctions[0]["ban_until"],
        add_years(tomorrow(), 3).to_string()
    );
    assert_eq!(sanctions[0]["violation_ids"], json!([case["id"]]));
    assert!(
        sanctions[0]["reason"]
            .as_str()
            .unwrap()
            .contains("single event")
    );
    let got = app
        .get(&format!("/api/v1/violations/{}", case["id"]), Role::Auditor)
        .await;
    // The interview its 12 points also call for rests on it too.
    let resting: Vec<Value> = app
        .sanctions_of(PHYSICIAN)
        .await
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(got.body["sanction_ids"], json!(resting));
}

#[tokio::test]
async fn an_institution_falls_from_a_to_d() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let credit = app.credit(INSTITUTION, None).await;
    assert_eq!(
        (credit["score"].clone(), credit["grade"].clone()),
        (json!(100), json!("A"))
    );
    assert_eq!(credit["supervision"]["level"], "lighter");
    let steps: [(&str, u32, u32, &str); 3] = [
        ("INST-BED-HOLDING", 11, 89, "B"),
        ("INST-OVERCHARGING", 10, 79, "C"),
        ("INST-ITEM-SWAP", 15, 64, "D"),
    ];
    for (type_code, points, score, grade) in steps {
        app.approved_case(INSTITUTION, type_code, json!({"points": points}))
            .await;
        let credit = app.credit(INSTITUTION, None).await;
        assert_eq!(credit["score"], score, "{type_code}");
        assert_eq!(credit["grade"], grade, "{type_code}");
    }
    let credit = app.credit(INSTITUTION, None).await;
    let measures: Vec<&str> = credit["supervision"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        measures.contains(&"interview") && measures.contains(&"agreement_review"),
        "{measures:?}"
    );
    assert!(
        app.sanctions_of(INSTITUTION).await.is_empty(),
        "grades do not create sanctions by themselves"
    );
    // Points outside the 100-point range of the type are refused.
    let id = app.reviewed_case(INSTITUTION, "INST-OVERCHARGING").await;
    app.post(
        &format!("/api/v1/violations/{id}/approve"),
        Role::Approver,
        &json!({"points": 11}),
    )
    .await
    .assert_problem(422);
}

#[tokio::test]
async fn impersonation_suspends_an_insured_persons_settlement_for_six_months() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let insured = "11010519491231002X";
    let id = app.reviewed_case(insured, "INSD-IMPERSONATION").await;
    let approve = format!("/api/v1/violations/{id}/approve");
    let missing = app
        .post(&approve, Role::Approver, &json!({"points": 0}))
        .await;
    missing.assert_problem(422);
    assert_eq!(missing.error_fields(), vec!["settlement_suspension_months"]);
    app.post(
        &approve,
        Role::Approver,
        &json!({"points": 0, "settlement_suspension_months": 13}),
    )
    .await
    .assert_problem(422);
    app.post(
        &approve,
        Role::Approver,
        &json!({"points": 0, "settlement_suspension_months": 6, "fine_multiple": 6}),
    )
    .await
    .assert_problem(422);
    let approved = app
        .post(
            &approve,
            Role::Approver,
            &json!({"points": 0, "settlement_suspension_months": 6, "fine_multiple": 3}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let start = tomorrow();
    let sanctions = app.sanctions_of(insured).await;
    assert_eq!(sanctions.len(), 1);
    assert_eq!(sanctions[0]["type"], "settlement_suspension");
    assert_eq!(sanctions[0]["ends_on"], last_day(start, 6));
    assert_eq!(
        app.credit(insured, Some(&start.to_string())).await["status"],
        "settlement_suspended"
    );
    let after = add_months(start, 6).to_string();
    assert_eq!(app.credit(insured, Some(&after)).await["status"], "normal");
    let ledger = app
        .get(&format!("/api/v1/subjects/{insured}/ledger"), Role::Auditor)
        .await;
    assert!(
        ledger.body["items"].as_array().unwrap().is_empty(),
        "insured persons have no points"
    );
}

#[tokio::test]
async fn points_reset_with_the_year_in_china_standard_time() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // 23:00 on 31 December in UTC+8.
    app.set_now("2026-12-31T15:00:00Z");
    let first = app
        .approved_case(
            PHYSICIAN,
            "PRAC-IRRATIONAL-PRESCRIPTION",
            json!({"points": 6}),
        )
        .await;
    assert_eq!(first["cycle"], 2026);
    // 01:00 on 1 January in UTC+8, still 31 December in UTC.
    app.set_now("2026-12-31T17:00:00Z");
    let second = app
        .approved_case(
            PHYSICIAN,
            "PRAC-IRRATIONAL-PRESCRIPTION",
            json!({"points": 6}),
        )
        .await;
    assert_eq!(second["cycle"], 2027);
    assert_eq!(app.credit(PHYSICIAN, Some("2026-12-31")).await["points"], 6);
    assert_eq!(app.credit(PHYSICIAN, Some("2027-01-01")).await["points"], 6);
    assert_eq!(app.credit(PHYSICIAN, None).await["cycle"], 2027);
    assert!(
        app.ladder_sanctions_of(PHYSICIAN).await.is_empty(),
        "12 points, but across two cycles"
    );
    let ledger = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/ledger"),
            Role::Auditor,
        )
        .await;
    let cycles: Vec<i64> = ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cycle"].as_i64().unwrap())
        .collect();
    assert_eq!(cycles, vec![2026, 2027]);
}

#[tokio::test]
async fn racing_approvals_create_one_threshold_sanction() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let first = app
        .reviewed_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    let second = app
        .reviewed_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    let body = json!({"points": 5});
    let (first, second) = (
        format!("/api/v1/violations/{first}/approve"),
        format!("/api/v1/violations/{second}/approve"),
    );
    let (a, b) = tokio::join!(
        app.post(&first, Role::Approver, &body),
        app.post(&second, Role::Approver, &body),
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::OK, StatusCode::OK),
        "{} {}",
        a.body,
        b.body
    );
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 10);
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    assert_eq!(sanctions.len(), 1, "{sanctions:?}");
    assert_eq!(sanctions[0]["ends_on"], last_day(tomorrow(), 2));
}

#[tokio::test]
async fn the_same_case_approved_twice_at_once_counts_once() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app.reviewed_case(PHYSICIAN, "PRAC-ITEM-SWAP").await;
    let path = format!("/api/v1/violations/{id}/approve");
    let body = json!({"points": 9});
    let (a, b) = tokio::join!(
        app.post(&path, Role::Approver, &body),
        app.post(&path, Role::Approver, &body)
    );
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 409]);
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 9);
    let ledger = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/ledger"),
            Role::Auditor,
        )
        .await;
    assert_eq!(ledger.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.ladder_sanctions_of(PHYSICIAN).await.len(), 1);
}

#[tokio::test]
async fn the_ledger_cannot_be_rewritten_in_the_database() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 4}),
    )
    .await;
    use sea_orm::ConnectionTrait;
    assert!(
        app.db
            .conn
            .execute_unprepared("UPDATE credit_entries SET points = 0")
            .await
            .is_err()
    );
    assert!(
        app.db
            .conn
            .execute_unprepared("DELETE FROM credit_entries")
            .await
            .is_err()
    );
    assert_eq!(app.credit(PHYSICIAN, None).await["points"], 4);
}

#[tokio::test]
async fn hospitals_read_their_own_practitioners_credit_only() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let own: Value = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/credit"),
            Role::Hospital,
        )
        .await
        .body;
    assert_eq!(own["status"], "normal");
    app.get(
        &format!("/api/v1/subjects/{OTHER_PHYSICIAN}/credit"),
        Role::Hospital,
    )
    .await
    .assert_problem(403);
    app.get(
        &format!("/api/v1/subjects/{OTHER_PHYSICIAN}/ledger"),
        Role::Hospital,
    )
    .await
    .assert_problem(403);
    app.get(
        &format!("/api/v1/subjects/{INSTITUTION}/credit?as_of=2026-13-01"),
        Role::Auditor,
    )
    .await
    .assert_problem(400);
    app.get("/api/v1/subjects/H37010209999/credit", Role::Auditor)
        .await
        .assert_problem(404);
}
