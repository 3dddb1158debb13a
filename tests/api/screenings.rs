//! Screenings and the hospital roster (issue 10), through the API.

use medcredit::auth::Role;
use medcredit::service::audit::sha256_hex;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_screening_answers_every_code_and_is_kept_as_proof() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    let codes = json!([PHYSICIAN, INSTITUTION, "D999999999999", OTHER_PHYSICIAN]);
    let response = app
        .post(
            "/api/v1/screenings",
            Role::Inspector,
            &json!({"codes": codes}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let record = &response.body;
    let answers = record["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 4, "every code answered, in order");
    assert_eq!(answers[0]["standing"]["status"], "blacklisted");
    assert_eq!(answers[2]["result"], "not_found");
    assert!(answers[2]["standing"].is_null());
    assert!(record["seq"].as_i64().unwrap() > 0);
    // The digest is the SHA-256 of the answers as stored, and reading it back gives the same.
    let id = record["id"].clone();
    let stored = app
        .get(&format!("/api/v1/screenings/{id}"), Role::Inspector)
        .await
        .body;
    assert_eq!(stored["answers"], record["answers"]);
    let text = serde_json::to_string(&stored["answers"]).unwrap();
    assert_eq!(stored["digest"], sha256_hex(text.as_bytes()));
    // Only its maker (and auditors) read it; the maker lists it.
    app.get(&format!("/api/v1/screenings/{id}"), Role::Reviewer)
        .await
        .assert_problem(404);
    assert_eq!(
        app.get(&format!("/api/v1/screenings/{id}"), Role::Auditor)
            .await
            .status,
        StatusCode::OK
    );
    let mine = app
        .get(
            "/api/v1/screenings?from=2020-01-01T00:00:00Z",
            Role::Inspector,
        )
        .await
        .body;
    assert_eq!(mine["items"][0]["id"], id);
    assert!(mine["items"][0].get("answers").is_none());
    // The list says what the record says, but for the answers themselves.
    let mut whole = app
        .get(&format!("/api/v1/screenings/{id}"), Role::Inspector)
        .await
        .body;
    whole.as_object_mut().expect("record").remove("answers");
    assert_eq!(mine["items"][0], whole);
    assert_eq!(
        app.get("/api/v1/screenings", Role::Reviewer).await.body["items"],
        json!([])
    );

    // Limits: 10,000 codes are answered, one more is 413 naming the limit; none is 422.
    let many: Vec<String> = (0..10_000).map(|i| format!("D37010210{i:04}")).collect();
    let big = app
        .post("/api/v1/screenings", Role::Partner, &json!({"codes": many}))
        .await;
    assert_eq!(big.status, StatusCode::CREATED);
    assert_eq!(big.body["answers"].as_array().unwrap().len(), 10_000);
    let mut too_many = many.clone();
    too_many.push(PHYSICIAN.into());
    let refused = app
        .post(
            "/api/v1/screenings",
            Role::Partner,
            &json!({"codes": too_many}),
        )
        .await;
    refused.assert_problem(413);
    assert!(refused.body["detail"].as_str().unwrap().contains("10000"));
    app.post("/api/v1/screenings", Role::Partner, &json!({"codes": []}))
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn hospitals_screen_only_their_own_and_partners_get_people_masked() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let insured = "11010519491231002X";
    let body = json!({"codes": [PHYSICIAN, OTHER_PHYSICIAN, OTHER_INSTITUTION, INSTITUTION]});
    let hospital = app
        .post("/api/v1/screenings", Role::Hospital, &body)
        .await
        .body;
    let results: Vec<&str> = hospital["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        ["found", "not_found", "not_found", "found"],
        "{hospital}"
    );
    let partner = app
        .post(
            "/api/v1/screenings",
            Role::Partner,
            &json!({"codes": [{"code": insured, "name": "李四"}, PHYSICIAN]}),
        )
        .await
        .body;
    let text = partner["answers"].to_string();
    assert!(
        text.contains("110105********002X") && text.contains("李*") && text.contains("张*"),
        "{text}"
    );
    assert!(!text.contains("李四") && !text.contains("张三"));
}

#[tokio::test]
async fn a_hospital_reads_its_roster_with_standing_including_future_starters() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let later = medcredit::domain::dates::legal_date(chrono::Utc::now()) + chrono::Days::new(30);
    let path = format!("/api/v1/subjects/{OTHER_PHYSICIAN}/affiliations");
    app.post(
        &path,
        Role::Inspector,
        &json!({"institution_code": INSTITUTION, "valid_from": later}),
    )
    .await;
    let case = app
        .approved_case(
            PHYSICIAN,
            "PRAC-IRRATIONAL-PRESCRIPTION",
            json!({"points": 4}),
        )
        .await;
    let today = medcredit::domain::dates::legal_date(chrono::Utc::now());
    let suspension = json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "inpatient",
        "starts_on": today, "ends_on": today + chrono::Days::new(20), "violation_ids": [case["id"]], "reason": "住院处方不合理"});
    assert_eq!(
        app.post("/api/v1/sanctions", Role::Approver, &suspension)
            .await
            .status,
        StatusCode::CREATED
    );

    let roster = app
        .get(
            &format!("/api/v1/institutions/{INSTITUTION}/practitioners"),
            Role::Hospital,
        )
        .await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    let codes: Vec<&str> = roster.body["practitioners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [PHYSICIAN, OTHER_PHYSICIAN]);
    // `scope` is the roster of a clinic: who may prescribe in it today. The physician suspended for inpatient
    // prescribing is left out of the inpatient roster and stays on the general-outpatient one.
    let roster_of = |scope: &'static str| {
        let path = format!("/api/v1/institutions/{INSTITUTION}/practitioners?scope={scope}");
        let app = &app;
        async move {
            let body = app.get(&path, Role::Hospital).await.body;
            body["practitioners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(roster_of("inpatient").await, [OTHER_PHYSICIAN]);
    assert_eq!(
        roster_of("outpatient_general").await,
        [PHYSICIAN, OTHER_PHYSICIAN]
    );
    assert_eq!(roster_of("all").await, [PHYSICIAN, OTHER_PHYSICIAN]);
    let suspended = app
        .get(
            &format!("/api/v1/institutions/{INSTITUTION}/practitioners?status=suspended"),
            Role::Hospital,
        )
        .await
        .body;
    assert_eq!(suspended["practitioners"].as_array().unwrap().len(), 1);
    // Another institution's roster is not this hospital's to read.
    app.get(
        &format!("/api/v1/institutions/{OTHER_INSTITUTION}/practitioners"),
        Role::Hospital,
    )
    .await
    .assert_problem(403);
}

/// Screenings answer from the node's cache where it is current, yet a write made through another node is in the
/// very next screening on this one, with the seq it reflects (no waiting for the cache's timer).
#[tokio::test]
async fn a_screening_on_another_node_reflects_every_committed_change() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (other, _) = app.second_node().await;
    let body = json!({"codes": [PHYSICIAN, INSTITUTION]});
    let before = other
        .post("/api/v1/screenings", Role::Inspector, &body)
        .await;
    assert_eq!(before.status, StatusCode::CREATED, "{}", before.body);
    assert_eq!(before.body["answers"][0]["standing"]["points"], 0);
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 4}),
    )
    .await;
    let after = other
        .post("/api/v1/screenings", Role::Inspector, &body)
        .await;
    assert_eq!(
        after.body["answers"][0]["standing"]["points"], 4,
        "{}",
        after.body
    );
    let standing_seq = after.body["answers"][0]["standing"]["seq"]
        .as_i64()
        .unwrap();
    assert!(after.body["seq"].as_i64().unwrap() >= standing_seq);
    assert!(after.body["seq"].as_i64() > before.body["seq"].as_i64());
}
