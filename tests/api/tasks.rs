//! The work queue (issue 24): each user's tasks, never one four eyes forbids them, due in working days with the
//! holiday calendar, overdue first, in pages.

use chrono::{TimeZone, Utc};
use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const CASE_TYPE: &str = "INST-OVERCHARGING";

/// 10:00 in China Standard Time on that day.
fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

async fn tasks_of(app: &TestApp, role: Role, sub: &str, query: &str) -> Value {
    let token = app.token_for(role, sub, None);
    let path = format!("/api/v1/tasks{query}");
    let response = app.send(Method::GET, &path, Some(&token), None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(response.body["items"].is_array(), "{}", response.body);
    response.body
}

/// `(kind, id of what is decided)` of every task on the page.
fn kinds_and_ids(page: &Value) -> Vec<(String, i64)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let id = ["appeal_id", "repair_id", "violation_id"]
                .iter()
                .find_map(|k| t[*k].as_i64())
                .unwrap();
            (t["kind"].as_str().unwrap().to_string(), id)
        })
        .collect()
}

fn has(page: &Value, kind: &str, id: i64) -> bool {
    kinds_and_ids(page).contains(&(kind.to_string(), id))
}

async fn as_user(app: &TestApp, role: Role, sub: &str, path: &str, body: Value) -> Value {
    let token = app.token_for(role, sub, None);
    let response = app
        .send(Method::POST, path, Some(&token), Some(&body))
        .await;
    assert!(response.status.is_success(), "{path}: {}", response.body);
    response.body
}

#[tokio::test]
async fn nobody_is_offered_a_decision_four_eyes_forbids_them() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // Recorded by inspector-1, and one recorded by admin-1.
    let by_inspector = app.record_case(INSTITUTION, CASE_TYPE).await;
    let body = case_body(INSTITUTION, CASE_TYPE);
    let by_admin = as_user(&app, Role::Admin, "admin-1", "/api/v1/violations", body).await["id"]
        .as_i64()
        .unwrap();
    let reviewer = tasks_of(&app, Role::Reviewer, "reviewer-1", "").await;
    assert!(has(&reviewer, "case_review", by_inspector), "{reviewer}");
    assert!(has(&reviewer, "case_review", by_admin), "{reviewer}");
    let admin = tasks_of(&app, Role::Admin, "admin-1", "").await;
    assert!(has(&admin, "case_review", by_inspector), "{admin}");
    assert!(
        !has(&admin, "case_review", by_admin),
        "the recorder never reviews: {admin}"
    );

    // Reviewed by reviewer-1: approvers see it, and neither its recorder nor its reviewer does.
    let path = format!("/api/v1/violations/{by_admin}/review");
    as_user(&app, Role::Reviewer, "reviewer-1", &path, json!({})).await;
    let approver = tasks_of(&app, Role::Approver, "approver-1", "").await;
    assert!(has(&approver, "case_approval", by_admin), "{approver}");
    let admin = tasks_of(&app, Role::Admin, "admin-1", "").await;
    assert!(!has(&admin, "case_approval", by_admin), "{admin}");
    let reviewer_as_admin = tasks_of(&app, Role::Admin, "reviewer-1", "").await;
    assert!(
        !has(&reviewer_as_admin, "case_approval", by_admin),
        "{reviewer_as_admin}"
    );
    assert!(!has(&reviewer_as_admin, "case_review", by_admin));
    let reviewer = tasks_of(&app, Role::Reviewer, "reviewer-1", "").await;
    assert!(
        kinds_and_ids(&reviewer)
            .iter()
            .all(|(kind, _)| kind != "case_approval"),
        "approval is not a reviewer's: {reviewer}"
    );

    // An approved case appealed: a reviewer who acted on it is not offered the appeal, another one is.
    let case = app.grounds(INSTITUTION).await;
    let appeal = app
        .post(
            &format!("/api/v1/violations/{case}/appeals"),
            Role::Inspector,
            &json!({"reason": "证据不足"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED, "{}", appeal.body);
    let appeal = appeal.body["id"].as_i64().unwrap();
    let acted = tasks_of(&app, Role::Reviewer, "reviewer-1", "").await;
    assert!(!has(&acted, "appeal_decision", appeal), "{acted}");
    let other = tasks_of(&app, Role::Reviewer, "reviewer-2", "?kind=appeal_decision").await;
    assert_eq!(
        kinds_and_ids(&other),
        [("appeal_decision".to_string(), appeal)]
    );
    assert_eq!(other["items"][0]["violation_id"], case);
    assert_eq!(other["items"][0]["subject_code"], INSTITUTION);

    // A case returned for more evidence waits for the inspector who recorded it, and only for them.
    let path = format!("/api/v1/violations/{by_inspector}/return");
    as_user(
        &app,
        Role::Reviewer,
        "reviewer-2",
        &path,
        json!({"reason": "证据不足"}),
    )
    .await;
    let recorder = tasks_of(&app, Role::Inspector, "inspector-1", "").await;
    assert!(
        has(&recorder, "case_resubmission", by_inspector),
        "{recorder}"
    );
    let colleague = tasks_of(&app, Role::Inspector, "inspector-2", "").await;
    assert_eq!(colleague["items"], json!([]), "{colleague}");

    // A repair applied for by admin-1 is decided by a reviewer, never by its applicant, by its decision_due.
    app.clock
        .set(Some(Utc::now() - chrono::Duration::days(200)));
    let old = app.grounds(INSTITUTION).await;
    app.clock.set(None);
    let body = json!({"violation_id": old, "reason": "已整改到位", "evidence": [{"name": "整改报告.pdf"}]});
    let repair = as_user(&app, Role::Admin, "admin-1", "/api/v1/repairs", body).await;
    let id = repair["id"].as_i64().unwrap();
    let applicant = tasks_of(&app, Role::Admin, "admin-1", "?kind=repair_decision").await;
    assert_eq!(applicant["items"], json!([]), "{applicant}");
    let reviewer = tasks_of(&app, Role::Reviewer, "reviewer-1", "?kind=repair_decision").await;
    assert_eq!(
        kinds_and_ids(&reviewer),
        [("repair_decision".to_string(), id)]
    );
    assert_eq!(reviewer["items"][0]["due_on"], repair["decision_due"]);

    // Roles that decide nothing are refused, before anything is read.
    for role in [Role::Partner, Role::Hospital, Role::Auditor] {
        app.get("/api/v1/tasks", role).await.assert_problem(403);
    }
    app.get("/api/v1/tasks?kind=everything", Role::Reviewer)
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn overdue_tasks_come_first_with_due_dates_in_working_days() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // Recorded on Tuesday 20 October 2026: 5 working days → Tuesday 27 October.
    app.clock.set(Some(at(2026, 10, 20)));
    let recent = app.record_case(INSTITUTION, CASE_TYPE).await;
    // Recorded earlier (a later id): Monday 28 September; 1–7 October are holidays and Saturday 10 October a
    // make-up working day, so 5 working days end on 10 October (weekends alone would give 5 October).
    app.clock.set(Some(at(2026, 9, 28)));
    let early = app.record_case(INSTITUTION, CASE_TYPE).await;
    // A major case (over 50,000 yuan) approved on Friday 16 October: its report is due in 2 working days.
    app.clock.set(Some(at(2026, 10, 16)));
    let mut body = case_body(INSTITUTION, CASE_TYPE);
    body["amount_involved_fen"] = json!(6_000_000);
    let major = app.post("/api/v1/violations", Role::Inspector, &body).await;
    let major = major.body["id"].as_i64().unwrap();
    let approved = app.review_and_approve(major, json!({"points": 8})).await;
    assert_eq!(approved["major"], true, "{approved}");

    app.clock.set(Some(at(2026, 10, 20)));
    let reviewer = tasks_of(&app, Role::Reviewer, "reviewer-2", "").await;
    assert_eq!(
        kinds_and_ids(&reviewer),
        [
            ("case_review".to_string(), early),
            ("case_review".to_string(), recent)
        ],
        "{reviewer}"
    );
    let items = &reviewer["items"];
    assert_eq!(items[0]["waiting_since"], "2026-09-28");
    assert_eq!(items[0]["due_on"], "2026-10-10");
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[1]["due_on"], "2026-10-27");
    assert_eq!(items[1]["overdue"], false);

    // The approver's report: due with the case's report_due, overdue since Tuesday 20 October has begun.
    let approver = tasks_of(&app, Role::Approver, "approver-2", "").await;
    assert_eq!(
        kinds_and_ids(&approver),
        [("major_case_report".to_string(), major)]
    );
    assert_eq!(approver["items"][0]["due_on"], approved["report_due"]);
    assert_eq!(approver["items"][0]["due_on"], "2026-10-20");
    assert_eq!(
        approver["items"][0]["overdue"], false,
        "due today is not late"
    );

    // Pages of one: the same order, each task once, and no cursor after the last.
    let first = tasks_of(&app, Role::Reviewer, "reviewer-2", "?limit=1").await;
    assert_eq!(kinds_and_ids(&first), [("case_review".to_string(), early)]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = tasks_of(
        &app,
        Role::Reviewer,
        "reviewer-2",
        &format!("?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(
        kinds_and_ids(&second),
        [("case_review".to_string(), recent)]
    );
    assert!(second["next_cursor"].is_null(), "{second}");
    for bad in ["?limit=0", "?limit=501", "?cursor=bm90LWEtY3Vyc29y"] {
        app.get(&format!("/api/v1/tasks{bad}"), Role::Reviewer)
            .await
            .assert_problem(422);
    }

    // A month after its due day the reminder of the report is gone (policy `cases.report_reminder_days`).
    app.clock.set(Some(at(2026, 11, 20)));
    let later = tasks_of(
        &app,
        Role::Approver,
        "approver-2",
        "?kind=major_case_report",
    )
    .await;
    assert_eq!(later["items"], json!([]), "{later}");
}

#[tokio::test]
async fn a_received_tip_waits_for_an_inspector_until_it_is_decided() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (number, _) = crate::tips::submit(&app, &crate::tips::new_tip(None)).await;
    let id = crate::tips::id_of(&app, &number).await;
    let queue = app
        .get("/api/v1/tasks?kind=tip_decision", Role::Inspector)
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let items = queue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["tip_id"], id);
    assert_eq!(items[0]["subject_code"], INSTITUTION);
    assert_eq!(items[0]["overdue"], false);
    let register = app
        .get(&format!("/api/v1/tips/{id}"), Role::Inspector)
        .await;
    assert_eq!(items[0]["due_on"], register.body["decision_due"]);
    // A reviewer decides no tips; nothing about the reporter is in a task.
    let reviewer = app.get("/api/v1/tasks", Role::Reviewer).await;
    assert!(
        reviewer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["kind"] != "tip_decision")
    );
    assert!(!queue.body.to_string().contains("contact"));

    let decided = app
        .post(
            &format!("/api/v1/tips/{id}/decision"),
            Role::Inspector,
            &json!({"outcome": "not_accepted", "reason": "所述事实已在查处中"}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let queue = app
        .get("/api/v1/tasks?kind=tip_decision", Role::Inspector)
        .await;
    assert_eq!(queue.body["items"], json!([]));
}
