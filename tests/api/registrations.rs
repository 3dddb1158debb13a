//! Registration (登记备案, issue 20 point 1 and 6): a hospital office files and ends registrations at its own
//! institution only, staff who start later included; each registration's state is derived from its dates, the
//! person's commitment and running qualification sanctions; standing, the roster and `registered_here` say so.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;

pub const NEW_DOCTOR: &str = "D370102000003";

/// A published text every kind signs, in force since 2024.
pub async fn publish_text(app: &TestApp, version: &str, from: &str, grace: Option<u32>) -> Value {
    let mut body = json!({"applies_to": ["institution", "pharmacy", "practitioner"], "version": version,
                          "title": "医保基金使用信用承诺书", "body": "承诺遵守医疗保障法律法规", "effective_from": from});
    if let Some(days) = grace {
        body["resign_within_days"] = json!(days);
    }
    let response = app
        .post("/api/v1/commitment-texts", Role::Admin, &body)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

/// The seeded registry plus a new doctor not yet registered anywhere.
async fn seeded() -> TestApp {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.register(practitioner(NEW_DOCTOR, "赵医生", &person_id(3)))
        .await;
    app
}

fn day(offset: i64) -> String {
    let today = medcredit::domain::dates::legal_date(chrono::Utc::now());
    (today + chrono::Duration::days(offset)).to_string()
}

/// The change feed's rows about `entity` that the bearer of `token` is shown.
pub async fn feed_rows(app: &TestApp, token: &str, entity: &str) -> Vec<Value> {
    let response = app
        .send(Method::GET, "/api/v1/changes?limit=500", Some(token), None)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let items = response.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .into_iter()
        .filter(|row| row["entity"] == entity)
        .collect()
}

async fn standing(app: &TestApp, code: &str, token: &str, as_of: &str) -> TestResponse {
    let path = format!("/api/v1/standing/{code}?as_of={as_of}");
    app.send(Method::GET, &path, Some(token), None).await
}

#[tokio::test]
async fn a_hospital_office_registers_a_new_doctor_records_the_signature_and_sees_registered_here() {
    let app = seeded().await;
    publish_text(&app, "2024-1", "2024-01-01", None).await;
    let hospital = app.token(Role::Hospital);
    // Starting next week: filed, and the hospital may vet the doctor before the first day.
    let path = format!("/api/v1/subjects/{NEW_DOCTOR}/affiliations");
    let body = json!({"institution_code": INSTITUTION, "valid_from": day(7)});
    let filed = app
        .send(Method::POST, &path, Some(&hospital), Some(&body))
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(filed.body["state"], "filed");
    assert_eq!(filed.body["active"], false);

    let today = standing(&app, NEW_DOCTOR, &hospital, &day(0)).await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert_eq!(today.body["registered_here"], false, "not begun yet");
    assert_eq!(today.body["commitment"]["state"], "missing");
    assert_eq!(today.body["registrations"][0]["state"], "filed");
    assert_eq!(
        today.body["registrations"][0]["institution_code"],
        INSTITUTION
    );
    let first_day = standing(&app, NEW_DOCTOR, &hospital, &day(7)).await;
    assert_eq!(first_day.body["registered_here"], true);
    assert_eq!(
        first_day.body["registrations"][0]["state"], "filed",
        "no commitment yet"
    );

    // The office records the doctor's signature: from the first day the registration is active.
    let sign = json!({"text_version": "2024-1", "signed_on": day(0), "signer_name": "赵医生",
                      "evidence": [{"name": "承诺书-赵医生.pdf"}]});
    let path = format!("/api/v1/subjects/{NEW_DOCTOR}/commitments");
    let signed = app
        .send(Method::POST, &path, Some(&hospital), Some(&sign))
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    assert_eq!(signed.body["state"], "signed");
    let first_day = standing(&app, NEW_DOCTOR, &hospital, &day(7)).await;
    assert_eq!(first_day.body["registrations"][0]["state"], "active");
    assert_eq!(first_day.body["commitment"]["state"], "signed");
    assert_eq!(first_day.body["commitment"]["version"], "2024-1");
    assert_eq!(first_day.body["commitment"]["signed_on"], day(0));

    // Staff see the registrations without registered_here (it is the asking hospital's).
    let staff = app
        .get(
            &format!("/api/v1/standing/{NEW_DOCTOR}?as_of={}", day(7)),
            Role::Inspector,
        )
        .await;
    assert_eq!(staff.body["registrations"][0]["state"], "active");
    assert!(
        staff.body.get("registered_here").is_none(),
        "{}",
        staff.body
    );

    // The roster filters by the registration's state here.
    let roster = |state: &'static str| {
        let app = &app;
        async move {
            let path = format!(
                "/api/v1/institutions/{INSTITUTION}/practitioners?registration_state={state}"
            );
            let response = app.get(&path, Role::Hospital).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.body);
            let items = response.body["practitioners"].as_array().unwrap().clone();
            items
                .iter()
                .map(|p| p["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Today the new doctor's registration has not begun (filed); PHYSICIAN's has, without a commitment.
    assert_eq!(roster("filed").await, [PHYSICIAN, NEW_DOCTOR]);
    assert!(roster("active").await.is_empty());
    let bad = app
        .get(
            &format!("/api/v1/institutions/{INSTITUTION}/practitioners?registration_state=gone"),
            Role::Hospital,
        )
        .await;
    bad.assert_problem(400);

    // Ending it before it began: it never takes effect, and the hospital no longer sees the doctor.
    let path = format!("/api/v1/subjects/{NEW_DOCTOR}/affiliations/{INSTITUTION}");
    let ended = app.send(Method::DELETE, &path, Some(&hospital), None).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.body["state"], "ended");
    let gone = standing(&app, NEW_DOCTOR, &hospital, &day(0)).await;
    gone.assert_problem(403);
}

#[tokio::test]
async fn a_hospital_office_acts_only_for_its_own_institution() {
    let app = seeded().await;
    let hospital = app.token(Role::Hospital);
    let path = format!("/api/v1/subjects/{NEW_DOCTOR}/affiliations");
    let before = app.count("affiliations").await;
    // Another institution's, and one that does not exist: the same 403, whatever else the body says.
    for body in [
        json!({"institution_code": OTHER_INSTITUTION, "valid_from": "2024-01-01"}),
        json!({"institution_code": "H99999999999", "valid_from": "2024-01-01"}),
        json!({"institution_code": OTHER_INSTITUTION, "valid_from": "2024-01-01", "valid_to": "2023-01-01"}),
    ] {
        let response = app
            .send(Method::POST, &path, Some(&hospital), Some(&body))
            .await;
        response.assert_problem(403);
    }
    let end = format!("/api/v1/subjects/{PHYSICIAN}/affiliations/{OTHER_INSTITUTION}");
    app.send(Method::DELETE, &end, Some(&hospital), None)
        .await
        .assert_problem(403);
    // Another institution's office cannot end this institution's registration either.
    let other = app.token_for(Role::Hospital, "his-2", Some(OTHER_INSTITUTION));
    let end = format!("/api/v1/subjects/{PHYSICIAN}/affiliations/{INSTITUTION}");
    app.send(Method::DELETE, &end, Some(&other), None)
        .await
        .assert_problem(403);
    // Partners and reviewers file nothing.
    for role in [Role::Partner, Role::Reviewer, Role::Auditor] {
        let body = json!({"institution_code": INSTITUTION, "valid_from": "2024-01-01"});
        app.post(&path, role, &body).await.assert_problem(403);
    }
    assert_eq!(app.count("affiliations").await, before, "nothing written");
    // A bad date from the right office is a 422 naming the field.
    let body = json!({"institution_code": INSTITUTION, "valid_from": "2024-02-30"});
    let response = app
        .send(Method::POST, &path, Some(&hospital), Some(&body))
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["valid_from"]);
}

#[tokio::test]
async fn running_qualification_sanctions_suspend_and_terminate_the_registration() {
    let app = seeded().await;
    publish_text(&app, "2024-1", "2024-01-01", None).await;
    let sign = json!({"text_version": "2024-1", "signed_on": "2024-01-02", "signer_name": "张三"});
    let path = format!("/api/v1/subjects/{PHYSICIAN}/commitments");
    let response = app.post(&path, Role::Inspector, &sign).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let state = |body: &Value| {
        body["registrations"][0]["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let hospital = app.token(Role::Hospital);
    assert_eq!(
        state(&standing(&app, PHYSICIAN, &hospital, &day(0)).await.body),
        "active"
    );

    let grounds = app.grounds(PHYSICIAN).await;
    let suspension = json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "all",
        "starts_on": day(1), "ends_on": day(30), "reason": "不合理处方", "violation_ids": [grounds]});
    let response = app
        .post("/api/v1/sanctions", Role::Approver, &suspension)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(
        state(&standing(&app, PHYSICIAN, &hospital, &day(0)).await.body),
        "active"
    );
    assert_eq!(
        state(&standing(&app, PHYSICIAN, &hospital, &day(1)).await.body),
        "suspended"
    );
    assert_eq!(
        state(&standing(&app, PHYSICIAN, &hospital, &day(31)).await.body),
        "active"
    );

    let termination = json!({"subject_code": PHYSICIAN, "type": "qualification_termination",
        "starts_on": day(0), "reason": "终止", "violation_ids": [grounds]});
    let response = app
        .post("/api/v1/sanctions", Role::Approver, &termination)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let listed = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}/affiliations"),
            Role::Hospital,
        )
        .await;
    assert_eq!(
        listed.body["items"][0]["state"], "terminated",
        "{}",
        listed.body
    );
    // The re-registration ban still refuses a new filing, naming the ban and its end.
    let path = format!("/api/v1/subjects/{PHYSICIAN}/affiliations");
    let again = json!({"institution_code": OTHER_INSTITUTION, "valid_from": day(0)});
    let refused = app.post(&path, Role::Inspector, &again).await;
    let problem = refused.assert_problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains(PHYSICIAN),
        "{problem}"
    );
}

#[tokio::test]
async fn who_sees_registrations_in_standing_and_in_the_feed() {
    let app = seeded().await;
    let path = format!("/api/v1/subjects/{NEW_DOCTOR}/affiliations");
    let body = json!({"institution_code": OTHER_INSTITUTION, "valid_from": "2024-01-01"});
    let response = app.post(&path, Role::Inspector, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);

    // A partner sees what it could always list (institution and dates), the person's name masked.
    let partner = app
        .get(&format!("/api/v1/standing/{NEW_DOCTOR}"), Role::Partner)
        .await;
    assert_eq!(partner.status, StatusCode::OK, "{}", partner.body);
    assert_eq!(partner.body["name"], "赵**");
    assert_eq!(
        partner.body["registrations"][0]["institution_code"],
        OTHER_INSTITUTION
    );
    assert!(partner.body.get("registered_here").is_none());
    // Another institution's office, and a hospital token of someone else's sub for it, get 403.
    app.get(&format!("/api/v1/standing/{NEW_DOCTOR}"), Role::Hospital)
        .await
        .assert_problem(403);
    let stranger = app.token_for(Role::Hospital, "someone-else", Some(INSTITUTION));
    standing(&app, NEW_DOCTOR, &stranger, &day(0))
        .await
        .assert_problem(403);
    // No token: 401.
    let anonymous = app
        .send(
            Method::GET,
            &format!("/api/v1/standing/{NEW_DOCTOR}"),
            None,
            None,
        )
        .await;
    anonymous.assert_problem(401);

    // The feed carries the registration for partners and for the registering institution's office only.
    let feed = |token: String| {
        let app = &app;
        async move { feed_rows(app, &token, "registration").await }
    };
    let seen = feed(app.token(Role::Partner)).await;
    let new = seen
        .iter()
        .find(|r| r["subject_code"] == NEW_DOCTOR)
        .expect("the partner sees it");
    assert_eq!(new["op"], "added");
    assert_eq!(new["value"]["institution_code"], OTHER_INSTITUTION);
    assert_eq!(new["value"]["state"], "filed");
    let other = app.token_for(Role::Hospital, "his-2", Some(OTHER_INSTITUTION));
    assert!(
        feed(other)
            .await
            .iter()
            .any(|r| r["subject_code"] == NEW_DOCTOR)
    );
    let mine = feed(app.token(Role::Hospital)).await;
    assert!(
        mine.iter().all(|r| r["subject_code"] != NEW_DOCTOR),
        "{mine:?}"
    );
}

#[tokio::test]
async fn standings_written_before_registrations_get_them_at_start_up_and_follow_a_renamed_institution()
 {
    let app = seeded().await;
    // The physician's row as it was written before registrations were facts: without them.
    let row = app
        .db
        .conn
        .query_one_raw(sea_orm::Statement::from_string(
            app.backend(),
            format!("SELECT facts FROM standings WHERE code = '{PHYSICIAN}'"),
        ))
        .await
        .unwrap()
        .expect("a row");
    let mut facts: Value =
        serde_json::from_str(&row.try_get::<String>("", "facts").unwrap()).unwrap();
    assert!(facts["registrations"].is_array(), "{facts}");
    facts.as_object_mut().unwrap().remove("registrations");
    let old = facts.to_string().replace('\'', "''");
    app.db
        .conn
        .execute_unprepared(&format!(
            "UPDATE standings SET facts = '{old}' WHERE code = '{PHYSICIAN}'"
        ))
        .await
        .unwrap();
    // A node that starts on this database rewrites it: no manual step.
    let (node, _) = app.second_node().await;
    let answer = node
        .get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Inspector)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body["registrations"][0]["institution_code"],
        INSTITUTION
    );
    assert_eq!(answer.body["registrations"][0]["state"], "filed");

    // The institution's new name reaches its practitioners' standings.
    let patch = json!({"name": "济南市第一人民医院（总院）"});
    let response = app
        .patch(
            &format!("/api/v1/subjects/{INSTITUTION}"),
            Role::Inspector,
            &patch,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let answer = app
        .get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Hospital)
        .await;
    assert_eq!(
        answer.body["registrations"][0]["institution_name"],
        "济南市第一人民医院（总院）"
    );
}
