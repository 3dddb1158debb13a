//! Tokens and roles: 401 for bad tokens, 403 for the wrong role, and what hospitals and partners may see.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use medcredit::auth::{JwtKeys, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn bad_tokens_are_unauthorized() {
    let app = spawn_app().await;
    let expired = app
        .keys
        .mint(Role::Admin, "a", None, chrono::Duration::seconds(-10));
    let foreign = JwtKeys::from_secret(b"some-other-secret-some-other-secret").mint(
        Role::Admin,
        "a",
        None,
        chrono::Duration::hours(1),
    );
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(
        json!({"sub": "a", "role": "admin", "exp": chrono::Utc::now().timestamp() + 3600, "iat": 0}).to_string(),
    );
    let unsigned = format!("{header}.{claims}.");
    let hospital_without_org = app
        .keys
        .mint(Role::Hospital, "h", None, chrono::Duration::hours(1));
    for token in [
        None,
        Some("garbage"),
        Some(expired.as_str()),
        Some(foreign.as_str()),
        Some(unsigned.as_str()),
        Some(hospital_without_org.as_str()),
    ] {
        let response = app.send(Method::GET, "/api/v1/subjects", token, None).await;
        response.assert_problem(401);
    }
    // A scheme other than Bearer is refused too.
    let response = app
        .client
        .get(format!("{}/api/v1/subjects", app.address))
        .header("Authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_writers_register_and_correct_subjects() {
    let app = spawn_app().await;
    for role in [Role::Reviewer, Role::Hospital, Role::Partner, Role::Auditor] {
        let response = app
            .post("/api/v1/subjects", role, &institution(INSTITUTION, "医院"))
            .await;
        response.assert_problem(403);
    }
    for (i, role) in [Role::Inspector, Role::Approver, Role::Admin]
        .into_iter()
        .enumerate()
    {
        let response = app
            .post(
                "/api/v1/subjects",
                role,
                &institution(&format!("H3701020000{i}"), "医院"),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{role:?}");
    }
    let path = "/api/v1/subjects/H37010200000";
    app.patch(path, Role::Reviewer, &json!({"name": "改名"}))
        .await
        .assert_problem(403);
    app.patch(path, Role::Auditor, &json!({"name": "改名"}))
        .await
        .assert_problem(403);
    assert_eq!(app.get(path, Role::Partner).await.body["name"], "医院");
}

#[tokio::test]
async fn a_hospital_sees_only_its_institution_and_its_practitioners() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let own = app
        .get(&format!("/api/v1/subjects/{INSTITUTION}"), Role::Hospital)
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let doctor = app
        .get(&format!("/api/v1/subjects/{PHYSICIAN}"), Role::Hospital)
        .await;
    assert_eq!(doctor.status, StatusCode::OK);
    assert_eq!(
        doctor.body["name"], "张三",
        "hospitals see their own staff unmasked"
    );
    app.get(
        &format!("/api/v1/subjects/{OTHER_INSTITUTION}"),
        Role::Hospital,
    )
    .await
    .assert_problem(403);
    app.get(
        &format!("/api/v1/subjects/{OTHER_PHYSICIAN}"),
        Role::Hospital,
    )
    .await
    .assert_problem(403);
    app.get("/api/v1/subjects/11010519491231002X", Role::Hospital)
        .await
        .assert_problem(403);

    let list = app.get("/api/v1/subjects", Role::Hospital).await;
    let codes: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![INSTITUTION, PHYSICIAN]);

    // A token for another institution sees that one instead.
    let other = app.token_for(Role::Hospital, "his-2", Some(OTHER_INSTITUTION));
    let response = app
        .send(
            Method::GET,
            &format!("/api/v1/subjects/{INSTITUTION}"),
            Some(&other),
            None,
        )
        .await;
    response.assert_problem(403);

    // Once the affiliation ends, the practitioner drops out of the hospital's view.
    let ended = app
        .send(
            Method::DELETE,
            &format!("/api/v1/subjects/{PHYSICIAN}/affiliations/{INSTITUTION}"),
            Some(&app.token(Role::Inspector)),
            None,
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK);
    // It ends today (inclusive), so tomorrow it no longer covers; today the hospital still sees its doctor.
    assert_eq!(ended.body["active"], true);
}

#[tokio::test]
async fn partners_see_masked_personal_identifiers() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let doctor = app
        .get(
            &format!("/api/v1/subjects/{OTHER_PHYSICIAN}"),
            Role::Partner,
        )
        .await;
    assert_eq!(doctor.body["name"], "王**");
    assert_eq!(doctor.body["id_number"], "440524********0014");
    // An insured person is read by ID number, which a partner may not do (DESIGN §14).
    let insured = app
        .get("/api/v1/subjects/11010519491231002X", Role::Partner)
        .await;
    assert_eq!(insured.status, StatusCode::NOT_FOUND);
    let hospital = app
        .get(&format!("/api/v1/subjects/{INSTITUTION}"), Role::Partner)
        .await;
    assert_eq!(
        hospital.body["name"], "济南市第一人民医院",
        "organisations are not masked"
    );
    let list = app
        .get("/api/v1/subjects?kind=practitioner", Role::Partner)
        .await;
    for item in list.body["items"].as_array().unwrap() {
        assert!(item["id_number"].as_str().unwrap().contains("********"));
        assert!(item["name"].as_str().unwrap().contains('*'));
    }
    // Everyone else sees them in full.
    let auditor = app
        .get(
            &format!("/api/v1/subjects/{OTHER_PHYSICIAN}"),
            Role::Auditor,
        )
        .await;
    assert_eq!(auditor.body["name"], "王小明");
}
