//! Appeals and list entries (issue 18 point 9): appeals carry evidence; voiding a case ends the entries resting
//! on it alone and leaves the others saying which cases remain; red-list proposals count only years designated
//! throughout; an entry over at birth or far ahead is refused.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn today(app: &TestApp) -> chrono::NaiveDate {
    medcredit::domain::dates::legal_date(app.clock.now())
}

async fn blacklist(app: &TestApp, cases: &[i64]) -> Value {
    let body = json!({"subject_code": INSTITUTION, "reason": "欺诈骗保", "violation_ids": cases,
                      "listed_on": today(app)});
    let response = app.post("/api/v1/lists/black", Role::Approver, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

async fn entry(app: &TestApp, id: &Value) -> Value {
    app.get(&format!("/api/v1/lists/black/{id}"), Role::Auditor)
        .await
        .body
}

#[tokio::test]
async fn an_accepted_appeal_with_evidence_ends_the_entry_resting_on_its_case_alone() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let only = app.grounds(INSTITUTION).await;
    let listed = blacklist(&app, &[only]).await;

    let evidence =
        json!([{"name": "复核意见书.pdf", "sha256": "cd".repeat(32), "uri": "file://appeal/1"}]);
    let bad = app
        .post(
            &format!("/api/v1/violations/{only}/appeals"),
            Role::Inspector,
            &json!({"reason": "证据不足", "evidence": [{"name": "x", "sha256": "not-hex"}]}),
        )
        .await;
    assert_eq!(
        bad.assert_problem(422)["errors"][0]["field"],
        "evidence[0].sha256"
    );
    let filed = app
        .post(
            &format!("/api/v1/violations/{only}/appeals"),
            Role::Inspector,
            &json!({"reason": "证据不足", "evidence": evidence}),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(filed.body["evidence"], evidence);

    let decider = app.token_for(Role::Reviewer, "reviewer-2", None);
    let decision = json!({"outcome": "accepted", "reason": "证据不足，撤销"});
    let path = format!("/api/v1/appeals/{}/decision", filed.body["id"]);
    let decided = app
        .send(Method::POST, &path, Some(&decider), Some(&decision))
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);

    let ended = entry(&app, &listed["id"]).await;
    assert_eq!(ended["end_kind"], "voided", "{ended}");
    assert!(
        ended["end_reason"]
            .as_str()
            .unwrap()
            .contains(&format!("case {only}"))
    );
    let standing = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Inspector)
        .await
        .body;
    assert_ne!(standing["status"], "blacklisted", "{standing}");
    let partner = app.get("/api/v1/lists/black", Role::Partner).await.body;
    assert!(
        partner["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] != "active"),
        "{partner}"
    );
}

#[tokio::test]
async fn an_entry_resting_on_other_cases_too_stays_and_says_which_remain() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (first, second) = (
        app.grounds(INSTITUTION).await,
        app.grounds(INSTITUTION).await,
    );
    let listed = blacklist(&app, &[first, second]).await;
    let voided = app
        .post(
            &format!("/api/v1/violations/{first}/void"),
            Role::Approver,
            &json!({"reason": "更正"}),
        )
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    let stays = entry(&app, &listed["id"]).await;
    assert_eq!(stays["status"], "active", "{stays}");
    assert_eq!(stays["resting_on"], json!([second]));
    // The last one voided ends it.
    app.post(
        &format!("/api/v1/violations/{second}/void"),
        Role::Approver,
        &json!({"reason": "更正"}),
    )
    .await;
    let ended = entry(&app, &listed["id"]).await;
    assert_eq!(ended["end_kind"], "voided", "{ended}");
    assert_eq!(ended["resting_on"], json!([]));
}

#[tokio::test]
async fn red_list_proposals_count_only_years_designated_throughout() {
    use chrono::Datelike;
    let app = spawn_app().await;
    app.seed_registry().await;
    let year = today(&app).year();
    // Registered minutes ago, designated by default from today: no complete year to speak for it.
    let mut newcomer = institution("H37010200041", "新定点医院");
    newcomer.as_object_mut().unwrap().remove("designated_since");
    let registered = app.register(newcomer).await;
    assert_eq!(registered["designated_since"], json!(today(&app)));
    // Designated in the middle of the first counted year: not throughout.
    let mut midway = institution("H37010200042", "年中定点医院");
    midway["designated_since"] = json!(format!("{}-07-01", year - 2));
    app.register(midway).await;
    let mut ahead = institution("H37010200043", "未来医院");
    ahead["designated_since"] = json!(today(&app) + chrono::Days::new(1));
    let refused = app.post("/api/v1/subjects", Role::Inspector, &ahead).await;
    assert_eq!(
        refused.assert_problem(422)["errors"][0]["field"],
        "designated_since"
    );

    let proposed = app
        .post(
            "/api/v1/lists/red/proposals",
            Role::Admin,
            &json!({"year": year}),
        )
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.body);
    let codes: Vec<&str> = proposed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["subject_code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&INSTITUTION), "{codes:?}");
    assert!(
        !codes.contains(&"H37010200041") && !codes.contains(&"H37010200042"),
        "{codes:?}"
    );
}

#[tokio::test]
async fn an_entry_over_on_the_day_it_is_made_or_far_ahead_is_refused() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app.grounds(INSTITUTION).await;
    let today = today(&app);
    let body = |listed_on: chrono::NaiveDate| json!({"subject_code": INSTITUTION, "reason": "欺诈骗保", "violation_ids": [case], "listed_on": listed_on});
    let over = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &body(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
        )
        .await;
    assert_eq!(over.assert_problem(422)["errors"][0]["field"], "listed_on");
    let far = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &body(today + chrono::Days::new(60)),
        )
        .await;
    assert_eq!(far.assert_problem(422)["errors"][0]["field"], "listed_on");
    // An earlier day still running, as a replaced system's entries are brought in, stays possible.
    let earlier = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &body(today - chrono::Days::new(200)),
        )
        .await;
    assert_eq!(earlier.status, StatusCode::CREATED, "{}", earlier.body);
}

#[tokio::test]
async fn an_import_gives_designated_since_and_defaults_it_to_the_registration_day() {
    let app = spawn_app().await;
    let csv = format!(
        "kind,code,name,region,uscc,designated_since\n\
         institution,H37010200051,导入医院,370102,{},2019-03-01\n\
         pharmacy,P37010200051,导入药房,370102,{},\n",
        uscc_for("H37010200051"),
        uscc_for("P37010200051")
    );
    let token = app.token(Role::Inspector);
    let imported = app
        .send_raw("/api/v1/subjects:import", Some(&token), "text/csv", csv)
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
    let read = |code: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/subjects/{code}"), Role::Inspector)
                .await
                .body
        }
    };
    assert_eq!(read("H37010200051").await["designated_since"], "2019-03-01");
    assert_eq!(
        read("P37010200051").await["designated_since"],
        json!(today(&app))
    );
}
