//! Credit and service commitments (信用承诺, issue 20 point 2 and 6): texts published by an admin and never
//! edited, signatures recorded by a hospital office for its own subjects or by an inspector for anyone,
//! validity (`signed`, `outdated` after the grace, `missing`) in standing, and who has none.

use medcredit::auth::Role;
use medcredit::worker::outbox::deliver_due;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::registrations::{feed_rows, publish_text};
use crate::webhooks::{receiver, subscribe};

fn signature(version: &str, on: &str, name: &str) -> Value {
    json!({"text_version": version, "signed_on": on, "signer_name": name,
           "evidence": [{"name": "承诺书.pdf", "sha256": "a".repeat(64)}]})
}

async fn sign(app: &TestApp, code: &str, role: Role, body: &Value) -> TestResponse {
    app.post(&format!("/api/v1/subjects/{code}/commitments"), role, body)
        .await
}

/// Records a signature as an inspector and asserts it was created.
async fn signed(app: &TestApp, code: &str, version: &str, on: &str) -> Value {
    let response = sign(
        app,
        code,
        Role::Inspector,
        &signature(version, on, "王院长"),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

async fn commitment_on(app: &TestApp, code: &str, as_of: &str) -> Value {
    let path = format!("/api/v1/standing/{code}?as_of={as_of}");
    let response = app.get(&path, Role::Inspector).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["commitment"].clone()
}

#[tokio::test]
async fn an_old_version_stays_valid_for_the_grace_then_is_outdated() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let v1 = publish_text(&app, "2024-1", "2024-01-01", None).await;
    assert_eq!(v1["resign_within_days"], 30, "the policy's default");
    let first = signed(&app, INSTITUTION, "2024-1", "2024-02-01").await;
    assert_eq!(first["state"], "signed");
    assert_eq!(first["evidence"][0]["name"], "承诺书.pdf");
    publish_text(&app, "2024-2", "2024-06-01", Some(10)).await;

    assert_eq!(
        commitment_on(&app, INSTITUTION, "2024-01-31").await["state"],
        "missing"
    );
    let before = commitment_on(&app, INSTITUTION, "2024-05-31").await;
    assert_eq!(
        before,
        json!({"state": "signed", "version": "2024-1", "signed_on": "2024-02-01"})
    );
    assert_eq!(
        commitment_on(&app, INSTITUTION, "2024-06-10").await["state"],
        "signed"
    );
    let after = commitment_on(&app, INSTITUTION, "2024-06-11").await;
    assert_eq!(
        after,
        json!({"state": "outdated", "version": "2024-1", "signed_on": "2024-02-01"})
    );

    // Who has no valid signature today: the outdated institution, everyone who never signed.
    let missing = app
        .get(
            "/api/v1/commitments/missing?kind=institution",
            Role::Inspector,
        )
        .await;
    assert_eq!(missing.status, StatusCode::OK, "{}", missing.body);
    let items = missing.body["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(codes, [INSTITUTION, OTHER_INSTITUTION]);
    assert_eq!(items[0]["state"], "outdated");
    assert_eq!(items[1]["state"], "missing");

    // Signing the new version makes it valid again, and the institution leaves the list.
    signed(&app, INSTITUTION, "2024-2", "2024-06-20").await;
    assert_eq!(
        commitment_on(&app, INSTITUTION, "2024-07-01").await["version"],
        "2024-2"
    );
    let missing = app
        .get(
            "/api/v1/commitments/missing?kind=institution",
            Role::Inspector,
        )
        .await;
    assert_eq!(missing.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(missing.body["items"][0]["code"], OTHER_INSTITUTION);
    // The listing keeps every signature, oldest first.
    let listed = app
        .get(
            &format!("/api/v1/subjects/{INSTITUTION}/commitments"),
            Role::Auditor,
        )
        .await;
    let versions: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text_version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["2024-1", "2024-2"]);
}

#[tokio::test]
async fn texts_are_published_by_admins_only_and_never_rewritten() {
    let app = spawn_app().await;
    let before = app.count("commitment_texts").await;
    // Any other role is refused before its body is looked at.
    for role in [
        Role::Inspector,
        Role::Approver,
        Role::Hospital,
        Role::Partner,
        Role::Auditor,
    ] {
        app.post("/api/v1/commitment-texts", role, &json!({"version": 1}))
            .await
            .assert_problem(403);
    }
    let ok = json!({"applies_to": ["institution"], "version": "v1", "title": "承诺书", "body": "承诺",
                    "effective_from": "2024-01-01"});
    let refused = [
        (json!({"applies_to": ["insured"]}), "applies_to"),
        (json!({"applies_to": []}), "applies_to"),
        (
            json!({"applies_to": ["institution", "institution"]}),
            "applies_to",
        ),
        (json!({"version": "v 1"}), "version"),
        (json!({"title": "承诺\u{202E}书"}), "title"),
        (json!({"body": "   "}), "body"),
        (json!({"resign_within_days": 366}), "resign_within_days"),
    ];
    for (patch, field) in refused {
        let mut body = ok.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app
            .post("/api/v1/commitment-texts", Role::Admin, &body)
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), [field], "{body}");
    }
    let mut bad_date = ok.clone();
    bad_date["effective_from"] = json!("2024-02-30");
    app.post("/api/v1/commitment-texts", Role::Admin, &bad_date)
        .await
        .assert_problem(422);
    assert_eq!(
        app.count("commitment_texts").await,
        before,
        "nothing written"
    );

    let response = app.post("/api/v1/commitment-texts", Role::Admin, &ok).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    // The same version again, or a new version not after the last of the same kinds: 409.
    app.post("/api/v1/commitment-texts", Role::Admin, &ok)
        .await
        .assert_problem(409);
    let mut same_day = ok.clone();
    same_day["version"] = json!("v2");
    app.post("/api/v1/commitment-texts", Role::Admin, &same_day)
        .await
        .assert_problem(409);
    // Another kind's chain is its own.
    same_day["applies_to"] = json!(["pharmacy"]);
    let response = app
        .post("/api/v1/commitment-texts", Role::Admin, &same_day)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let listed = app
        .get("/api/v1/commitment-texts?limit=1", Role::Partner)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["items"][0]["version"], "v1");
    let cursor = listed.body["next_cursor"].as_str().expect("a second page");
    let next = app
        .get(
            &format!("/api/v1/commitment-texts?limit=1&cursor={cursor}"),
            Role::Hospital,
        )
        .await;
    assert_eq!(next.body["items"][0]["version"], "v2");
    assert!(next.body["next_cursor"].is_null());
}

#[tokio::test]
async fn signatures_are_checked_and_recorded_only_by_who_may() {
    let app = spawn_app().await;
    app.seed_registry().await;
    publish_text(&app, "2024-1", "2024-01-01", None).await;
    let only_pharmacies = json!({"applies_to": ["pharmacy"], "version": "P-1", "title": "药店承诺书",
                                 "body": "承诺", "effective_from": "2024-03-01"});
    let response = app
        .post("/api/v1/commitment-texts", Role::Admin, &only_pharmacies)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let before = app.count("commitments").await;
    let tomorrow =
        medcredit::domain::dates::legal_date(chrono::Utc::now()) + chrono::Duration::days(1);
    let refused = [
        (signature("9999-1", "2024-02-01", "张三"), "text_version"),
        (signature("P-1", "2024-02-01", "张三"), "text_version"),
        (
            signature("2024-1", &tomorrow.to_string(), "张三"),
            "signed_on",
        ),
        (signature("2024-1", "2024-02-01", "😀"), "signer_name"),
        (
            signature("2024-1", "2024-02-01", "张\u{0007}三"),
            "signer_name",
        ),
    ];
    for (body, field) in refused {
        let response = sign(&app, PHYSICIAN, Role::Inspector, &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), [field], "{body}");
    }
    let good = signature("2024-1", "2024-02-01", "张三");
    // Insured persons sign nothing; an unknown subject is 404 for staff.
    sign(&app, "11010519491231002X", Role::Inspector, &good)
        .await
        .assert_problem(422);
    sign(&app, "D370102999999", Role::Inspector, &good)
        .await
        .assert_problem(404);
    // Partners, reviewers and auditors record nothing; a hospital nothing of another's, nor of nobody.
    for role in [Role::Partner, Role::Reviewer, Role::Auditor] {
        sign(&app, PHYSICIAN, role, &good).await.assert_problem(403);
    }
    for code in [OTHER_PHYSICIAN, OTHER_INSTITUTION, "D370102999999"] {
        sign(&app, code, Role::Hospital, &good)
            .await
            .assert_problem(403);
    }
    assert_eq!(app.count("commitments").await, before, "nothing written");

    // The office signs for its institution and its practitioner.
    for code in [INSTITUTION, PHYSICIAN] {
        let response = sign(&app, code, Role::Hospital, &good).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    // Who reads signatures: staff and the own office; partners read the state in standing only.
    let path = format!("/api/v1/subjects/{PHYSICIAN}/commitments");
    let own = app.get(&path, Role::Hospital).await;
    assert_eq!(own.body["items"][0]["signer_name"], "张三");
    app.get(&path, Role::Partner).await.assert_problem(403);
    let other = app.token_for(Role::Hospital, "his-2", Some(OTHER_INSTITUTION));
    app.send(Method::GET, &path, Some(&other), None)
        .await
        .assert_problem(403);
    let partner = app
        .get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Partner)
        .await;
    assert_eq!(partner.body["commitment"]["state"], "signed");
    assert_eq!(partner.body["name"], "张*");
}

#[tokio::test]
async fn the_missing_list_is_an_office_s_to_do_list() {
    let app = spawn_app().await;
    app.seed_registry().await;
    publish_text(&app, "2024-1", "2024-01-01", None).await;
    let path = format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations");
    let body = json!({"institution_code": INSTITUTION, "valid_from": "2024-01-01"});
    assert_eq!(
        app.post(&path, Role::Inspector, &body).await.status,
        StatusCode::CREATED
    );
    let response = sign(
        &app,
        PHYSICIAN,
        Role::Hospital,
        &signature("2024-1", "2024-02-01", "张三"),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);

    // The hospital's own by default: its institution and its unsigned practitioner, one page at a time.
    let first = app
        .get("/api/v1/commitments/missing?limit=1", Role::Hospital)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["items"][0]["code"], INSTITUTION);
    let cursor = first.body["next_cursor"].as_str().expect("a second page");
    let second = app
        .get(
            &format!("/api/v1/commitments/missing?limit=1&cursor={cursor}"),
            Role::Hospital,
        )
        .await;
    assert_eq!(second.body["items"][0]["code"], OTHER_PHYSICIAN);
    assert_eq!(second.body["items"][0]["state"], "missing");
    assert!(second.body["next_cursor"].is_null(), "{}", second.body);
    let doctors = app
        .get(
            &format!(
                "/api/v1/commitments/missing?institution_code={INSTITUTION}&kind=practitioner"
            ),
            Role::Inspector,
        )
        .await;
    assert_eq!(doctors.body["items"].as_array().unwrap().len(), 1);
    // Another institution's list, a partner, and an insured kind are refused.
    app.get(
        &format!("/api/v1/commitments/missing?institution_code={OTHER_INSTITUTION}"),
        Role::Hospital,
    )
    .await
    .assert_problem(403);
    app.get("/api/v1/commitments/missing", Role::Partner)
        .await
        .assert_problem(403);
    app.get("/api/v1/commitments/missing?kind=insured", Role::Inspector)
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn commitment_changes_reach_staff_and_the_own_hospital_but_not_partners() {
    let app = spawn_app().await;
    app.seed_registry().await;
    publish_text(&app, "2024-1", "2024-01-01", None).await;
    let (url, got) = receiver().await;
    let events = json!(["commitment.changed", "registration.changed"]);
    subscribe(&app, Role::Partner, &url, events.clone()).await;
    subscribe(&app, Role::Hospital, &url, events).await;
    let response = sign(
        &app,
        PHYSICIAN,
        Role::Hospital,
        &signature("2024-1", "2024-02-01", "张三"),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let path = format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations");
    let body = json!({"institution_code": INSTITUTION, "valid_from": "2024-01-01"});
    assert_eq!(
        app.post(&path, Role::Inspector, &body).await.status,
        StatusCode::CREATED
    );

    deliver_due(&app.db, &app.outbound(), chrono::Utc::now())
        .await
        .unwrap();
    let received = got.got.lock().unwrap().clone();
    let mut events: Vec<String> = received
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<Value>(body).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    events.sort();
    // The signature for the hospital alone; the registration for both.
    assert_eq!(
        events,
        [
            "commitment.changed",
            "registration.changed",
            "registration.changed"
        ]
    );

    let commitments = |token: String| {
        let app = &app;
        async move { feed_rows(app, &token, "commitment").await.len() }
    };
    assert_eq!(commitments(app.token(Role::Auditor)).await, 1);
    assert_eq!(commitments(app.token(Role::Hospital)).await, 1);
    assert_eq!(commitments(app.token(Role::Partner)).await, 0);
    let other = app.token_for(Role::Hospital, "his-2", Some(OTHER_INSTITUTION));
    assert_eq!(commitments(other).await, 0);
}
