//! The standing answer (`GET /api/v1/standing/{code}`), the effects engine's sanctions, and the cache that
//! serves the hot path, through the HTTP API.

use chrono::{Days, TimeZone, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use medcredit::domain::sanctions::last_day_of_term;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn tomorrow() -> chrono::NaiveDate {
    legal_date(Utc::now()) + Days::new(1)
}

async fn standing(api: &Api, code: &str, as_of: Option<&str>, role: Role) -> TestResponse {
    let path = match as_of {
        Some(day) => format!("/api/v1/standing/{code}?as_of={day}"),
        None => format!("/api/v1/standing/{code}"),
    };
    api.get(&path, role).await
}

async fn revoke(app: &TestApp, id: &Value) {
    let response = app
        .post(
            &format!("/api/v1/sanctions/{id}/revoke"),
            Role::Approver,
            &json!({"reason": "复核撤销"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}

/// The defect of issue 8: a revoked automatic suspension was extended by the next crossing and the
/// practitioner stayed `normal` at 10 points.
#[tokio::test]
async fn a_revoked_automatic_suspension_is_never_reused() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let start = tomorrow();
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    let first = app.ladder_sanctions_of(PHYSICIAN).await.remove(0);
    assert_eq!(first["type"], "qualification_suspension");
    revoke(&app, &first["id"]).await;
    let day = start.to_string();
    let body = standing(&app, PHYSICIAN, Some(&day), Role::Inspector)
        .await
        .body;
    assert_eq!(body["status"], "normal", "{body}");

    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 1}))
        .await;
    let sanctions = app.ladder_sanctions_of(PHYSICIAN).await;
    assert_eq!(sanctions.len(), 2, "{sanctions:?}");
    assert_eq!(sanctions[0]["status"], "revoked");
    assert_eq!(
        sanctions[0]["ends_on"], first["ends_on"],
        "the revoked row is untouched"
    );
    assert_eq!(sanctions[0]["reason"], first["reason"]);
    let fresh = &sanctions[1];
    assert!(
        fresh["extends_id"].is_null(),
        "a revoked sanction is not extended: {fresh}"
    );
    assert_eq!(fresh["starts_on"], day);
    assert_eq!(fresh["ends_on"], last_day_of_term(start, 2).to_string());
    assert!(fresh["reason"].as_str().unwrap().contains("10 points"));

    let body = standing(&app, PHYSICIAN, Some(&day), Role::Inspector)
        .await
        .body;
    assert_eq!(body["points"], 10);
    assert_eq!(body["status"], "suspended", "{body}");
    assert_eq!(body["may_be_paid"], false);
    let suspension = body["sanctions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "qualification_suspension")
        .cloned()
        .unwrap_or_default();
    assert_eq!(suspension["sanction_ids"], json!([fresh["id"]]));
}

#[tokio::test]
async fn standing_gives_scopes_payability_and_a_validator() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app
        .approved_case(
            PHYSICIAN,
            "PRAC-IRRATIONAL-PRESCRIPTION",
            json!({"points": 4}),
        )
        .await;
    let start = tomorrow();
    let end = last_day_of_term(start, 3);
    let imposed = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &json!({"subject_code": PHYSICIAN, "type": "qualification_suspension",
                    "scope": "outpatient_general", "starts_on": start, "ends_on": end,
                    "violation_ids": [case["id"]], "reason": "暂停普通门诊医保结算资格3个月"}),
        )
        .await;
    assert_eq!(imposed.status, StatusCode::CREATED, "{}", imposed.body);

    let today = standing(&app, PHYSICIAN, None, Role::Hospital).await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert_eq!(today.body["status"], "normal", "it starts tomorrow");
    assert_eq!(today.body["points"], 4);
    assert_eq!(today.body["kind"], "practitioner");

    let during = standing(&app, PHYSICIAN, Some(&start.to_string()), Role::Hospital).await;
    let body = &during.body;
    assert_eq!(body["status"], "suspended", "{body}");
    assert_eq!(body["may_prescribe"]["outpatient_general"], false);
    assert_eq!(body["may_prescribe"]["outpatient_chronic"], true);
    assert_eq!(body["may_prescribe"]["inpatient"], true);
    assert_eq!(body["may_be_paid"], true, "other scopes are still payable");
    assert_eq!(body["emergency_payable"], true);
    assert_eq!(body["sanctions"][0]["scope"], "outpatient_general");
    assert_eq!(body["sanctions"][0]["ends_on"], end.to_string());
    assert!(body["seq"].as_i64().unwrap() > 0);
    assert!(body["computed_at"].is_string());

    let after = end + Days::new(1);
    let body = standing(&app, PHYSICIAN, Some(&after.to_string()), Role::Hospital)
        .await
        .body;
    assert_eq!(body["status"], "normal");
    assert_eq!(body["may_prescribe"]["outpatient_general"], true);

    // ETag: the same question while nothing changed is a 304; a change makes a new answer.
    let path = format!("/api/v1/standing/{PHYSICIAN}?as_of={start}");
    let etag = during.headers["etag"].to_str().unwrap().to_string();
    let again = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(app.token(Role::Hospital))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // The Chinese answer is another representation (its texts differ), so the English validator does not match it.
    let in_chinese = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(app.token(Role::Hospital))
        .header("Accept-Language", "zh-CN")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(in_chinese.status(), StatusCode::OK);
    assert_ne!(in_chinese.headers()["etag"].to_str().unwrap(), etag);
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 1}))
        .await;
    let changed = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(app.token(Role::Hospital))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["points"], 5);
}

#[tokio::test]
async fn organisations_and_insured_persons_and_who_may_ask() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let body = standing(&app, INSTITUTION, None, Role::Partner).await.body;
    assert_eq!(body["score"], 100);
    assert_eq!(body["grade"], "A");
    assert_eq!(body["supervision"]["level"], "lighter");
    assert_eq!(body["status"], "normal");
    assert_eq!(body["may_be_paid"], true);
    assert!(body.get("points").is_none() && body.get("may_prescribe").is_none());

    // Partners read no person by ID number (DESIGN §14), and see practitioners masked.
    let insured = "11010519491231002X";
    let answer = standing(&app, insured, None, Role::Partner).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let body = standing(&app, PHYSICIAN, None, Role::Partner).await.body;
    assert_eq!(body["name"], "张*");
    let body = standing(&app, PHYSICIAN, None, Role::Inspector).await.body;
    assert_eq!(body["name"], "张三");

    // A hospital: its own institution and practitioners, also one whose affiliation starts later.
    assert_eq!(
        standing(&app, INSTITUTION, None, Role::Hospital)
            .await
            .status,
        StatusCode::OK
    );
    standing(&app, OTHER_PHYSICIAN, None, Role::Hospital)
        .await
        .assert_problem(403);
    standing(&app, OTHER_INSTITUTION, None, Role::Hospital)
        .await
        .assert_problem(403);
    let later = legal_date(Utc::now()) + Days::new(30);
    let response = app
        .post(
            &format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations"),
            Role::Inspector,
            &json!({"institution_code": INSTITUTION, "valid_from": later}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(
        standing(&app, OTHER_PHYSICIAN, None, Role::Hospital)
            .await
            .status,
        StatusCode::OK
    );

    standing(&app, "D999999999999", None, Role::Inspector)
        .await
        .assert_problem(404);
    app.send(Method::GET, "/api/v1/standing/H37010200001", None, None)
        .await
        .assert_problem(401);
    app.get(
        "/api/v1/standing/H37010200001?as_of=2026-13-01",
        Role::Inspector,
    )
    .await
    .assert_problem(400);
}

/// Points reset on 1 January; a day of the earlier cycle is answered by folding that cycle's ledger.
#[tokio::test]
async fn a_day_of_an_earlier_cycle_folds_its_ledger() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.clock
        .set(Some(Utc.with_ymd_and_hms(2026, 6, 1, 2, 0, 0).unwrap()));
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 5}),
    )
    .await;
    app.clock
        .set(Some(Utc.with_ymd_and_hms(2027, 2, 1, 2, 0, 0).unwrap()));
    app.approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 2}))
        .await;
    let now = standing(&app, PHYSICIAN, None, Role::Inspector).await.body;
    assert_eq!(
        (now["points"].clone(), now["cycle"].clone()),
        (json!(2), json!(2027))
    );
    let then = standing(&app, PHYSICIAN, Some("2026-12-31"), Role::Inspector)
        .await
        .body;
    assert_eq!(
        (then["points"].clone(), then["cycle"].clone()),
        (json!(5), json!(2026))
    );
    let before = standing(&app, PHYSICIAN, Some("2026-05-31"), Role::Inspector)
        .await
        .body;
    assert_eq!(before["points"], 0);
    let january = standing(&app, PHYSICIAN, Some("2027-01-15"), Role::Inspector)
        .await
        .body;
    assert_eq!(
        january["points"], 0,
        "the 2027 entry was written on 1 February"
    );
}

/// A second node serves its cache until it applies the change log; the bound is its sync period, and the
/// sync hook stands in for the timer here (no sleeping).
#[tokio::test]
async fn a_second_nodes_cache_is_fresh_after_its_sync() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (other, other_state) = app.second_node().await;
    let before = standing(&other, PHYSICIAN, None, Role::Inspector)
        .await
        .body;
    assert_eq!(before["points"], 0);
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 4}),
    )
    .await;
    // The writing node answers its own write at once.
    assert_eq!(
        standing(&app, PHYSICIAN, None, Role::Inspector).await.body["points"],
        4
    );
    other_state
        .standings
        .sync(&other_state.db.conn)
        .await
        .expect("sync");
    let after = standing(&other, PHYSICIAN, None, Role::Inspector)
        .await
        .body;
    assert_eq!(after["points"], 4, "{after}");
    assert!(after["seq"].as_i64() > before["seq"].as_i64());
}

/// A stored closed-set value that does not parse is a 500 problem naming the row, never a silent default.
#[tokio::test]
async fn an_unreadable_stored_value_is_a_500_naming_the_row() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app.record_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED").await;
    app.db
        .conn
        .execute_unprepared(&format!(
            "UPDATE violations SET state = 'limbo' WHERE id = {id}"
        ))
        .await
        .unwrap();
    let response = app
        .get(&format!("/api/v1/violations/{id}"), Role::Auditor)
        .await;
    let problem = response.assert_problem(500);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("violations#{id}")) && detail.contains("limbo"),
        "{detail}"
    );
    app.db
        .conn
        .execute_unprepared(&format!(
            "UPDATE subjects SET kind = 'alien' WHERE code = '{OTHER_PHYSICIAN}'"
        ))
        .await
        .unwrap();
    let response = app
        .get(
            &format!("/api/v1/subjects/{OTHER_PHYSICIAN}"),
            Role::Inspector,
        )
        .await;
    let detail = response.assert_problem(500)["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("subjects#") && detail.contains("alien"),
        "{detail}"
    );
}
