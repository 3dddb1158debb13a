//! The subject registry: every identifier rule, duplicates, corrections, affiliations and stable pagination.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn every_kind_registers_and_reads_back() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let pharmacy = app
        .register(json!({
            "kind": "pharmacy", "code": "P37010200001", "name": " 泉城大药房 ", "region": "370102",
            "uscc": "92370102MA3M9AG94X", "responsible_person": OTHER_PHYSICIAN
        }))
        .await;
    assert_eq!(pharmacy["name"], "泉城大药房", "names are trimmed");
    assert_eq!(pharmacy["responsible_person"], OTHER_PHYSICIAN);

    let got = app
        .get(&format!("/api/v1/subjects/{INSTITUTION}"), Role::Reviewer)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["kind"], "institution");
    assert_eq!(got.body["uscc"], uscc_for(INSTITUTION));
    assert_eq!(got.body["level"], "三级甲等");

    let doctor = app
        .get(&format!("/api/v1/subjects/{PHYSICIAN}"), Role::Auditor)
        .await;
    assert_eq!(doctor.body["profession"], "physician");
    assert_eq!(doctor.body["id_number"], "11010519491231002X");

    // An insured person registered without a code is known by the ID number.
    let insured = app
        .get("/api/v1/subjects/11010519491231002X", Role::Inspector)
        .await;
    assert_eq!(insured.status, StatusCode::OK);
    assert_eq!(insured.body["kind"], "insured");
    assert_eq!(insured.body["insurance_type"], "employee");
}

#[tokio::test]
async fn each_identifier_rule_is_enforced_with_the_field_named() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"kind": "institution", "code": "H3701020000", "name": "医院", "region": "370102", "uscc": "91350100M000100Y43"}),
            "code",
        ),
        (
            json!({"kind": "institution", "code": "H37010200009", "name": "医院", "region": "370102", "uscc": "91350100M000100Y44"}),
            "uscc",
        ),
        (
            json!({"kind": "institution", "code": "H37010200009", "name": "医院", "region": "37010", "uscc": "91350100M000100Y43"}),
            "region",
        ),
        (
            json!({"kind": "institution", "code": "H37010200009", "name": "  ", "region": "370102", "uscc": "91350100M000100Y43"}),
            "name",
        ),
        (
            json!({"kind": "institution", "code": "H37010200009", "name": "医".repeat(101), "region": "370102", "uscc": "91350100M000100Y43"}),
            "name",
        ),
        (
            json!({"kind": "institution", "code": "H37010200009", "name": "医院", "region": "370102"}),
            "uscc",
        ),
        (
            json!({"kind": "pharmacy", "code": "H37010200009", "name": "药房", "region": "370102", "uscc": "91350100M000100Y43"}),
            "code",
        ),
        (
            json!({"kind": "practitioner", "code": "D370102000009", "name": "赵六", "region": "370102", "id_number": "110105194912310021", "profession": "physician"}),
            "id_number",
        ),
        (
            json!({"kind": "practitioner", "code": "D370102000009", "name": "赵六", "region": "370102", "id_number": "11010519491231002X"}),
            "profession",
        ),
        (
            json!({"kind": "practitioner", "code": "D370102000009", "name": "赵六", "region": "370102", "id_number": "11010519491231002X", "profession": "physician", "uscc": "91350100M000100Y43"}),
            "uscc",
        ),
        (
            json!({"kind": "insured", "name": "钱七", "region": "370102", "id_number": "11010519491231002X"}),
            "insurance_type",
        ),
        (
            json!({"kind": "insured", "name": "钱七", "region": "370102", "insurance_type": "resident"}),
            "id_number",
        ),
        // 1949-02-30 does not exist; the check digit is right for these 17 digits.
        (
            json!({"kind": "insured", "name": "钱七", "region": "370102", "insurance_type": "resident", "id_number": "110105194902300010"}),
            "id_number",
        ),
    ];
    for (body, field) in cases {
        let response = app.post("/api/v1/subjects", Role::Inspector, &body).await;
        response.assert_problem(422);
        assert!(
            response.error_fields().contains(&field.to_string()),
            "{body} should name {field}: {}",
            response.body
        );
    }
    let list = app.get("/api/v1/subjects", Role::Admin).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn all_invalid_fields_are_reported_at_once() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &json!({"kind": "institution", "code": "X", "name": "", "region": "1", "uscc": "bad"}),
        )
        .await;
    response.assert_problem(422);
    let fields = response.error_fields();
    for field in ["code", "name", "region", "uscc"] {
        assert!(fields.contains(&field.to_string()), "{fields:?}");
    }
}

#[tokio::test]
async fn a_duplicate_code_is_a_conflict() {
    let app = spawn_app().await;
    app.register(institution(INSTITUTION, "甲医院")).await;
    let again = app
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &institution(INSTITUTION, "乙医院"),
        )
        .await;
    again.assert_problem(409);
    let got = app
        .get(&format!("/api/v1/subjects/{INSTITUTION}"), Role::Admin)
        .await;
    assert_eq!(got.body["name"], "甲医院", "the first registration stands");
}

#[tokio::test]
async fn unknown_fields_and_wrong_enums_are_rejected() {
    let app = spawn_app().await;
    let mut body = institution(INSTITUTION, "医院");
    body["colour"] = json!("red");
    let response = app.post("/api/v1/subjects", Role::Inspector, &body).await;
    response.assert_problem(422);
    assert!(response.body.to_string().contains("colour"));
    let response = app
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &json!({"kind": "hospital", "code": INSTITUTION}),
        )
        .await;
    response.assert_problem(422);
}

#[tokio::test]
async fn patch_changes_mutable_fields_only() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let path = format!("/api/v1/subjects/{INSTITUTION}");
    let response = app
        .patch(
            &path,
            Role::Approver,
            &json!({"name": "济南市第一人民医院（东院）", "region": "370103"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["region"], "370103");
    assert_eq!(response.body["code"], INSTITUTION);

    // The code changes by correction (tests/api/identities.rs); the kind and the ID number never do.
    for forbidden in [json!({"kind": "pharmacy"}), json!({"id_number": "x"})] {
        app.patch(&path, Role::Inspector, &forbidden)
            .await
            .assert_problem(422);
    }
    app.patch(&path, Role::Inspector, &json!({"region": "abc"}))
        .await
        .assert_problem(422);
    // The document requires a body naming a field; a lost body is not taken for a success.
    let token = app.token(Role::Inspector);
    let empty = app.send(Method::PATCH, &path, Some(&token), None).await;
    empty.assert_problem(422);
    assert_eq!(empty.error_fields(), ["body"]);
    app.patch(&path, Role::Inspector, &json!({}))
        .await
        .assert_problem(422);

    app.patch(&path, Role::Inspector, &json!({"profession": "nurse"}))
        .await
        .assert_problem(422);
    app.patch(
        "/api/v1/subjects/H37010209999",
        Role::Inspector,
        &json!({"name": "x"}),
    )
    .await
    .assert_problem(404);
    let doctor = app
        .patch(
            &format!("/api/v1/subjects/{PHYSICIAN}"),
            Role::Inspector,
            &json!({"profession": "pharmacist"}),
        )
        .await;
    assert_eq!(doctor.body["profession"], "pharmacist");
    let got = app.get(&path, Role::Admin).await;
    assert_eq!(got.body["name"], "济南市第一人民医院（东院）");
}

#[tokio::test]
async fn affiliations_are_added_listed_and_ended_without_losing_history() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let path = format!("/api/v1/subjects/{PHYSICIAN}/affiliations");
    let overlapping = json!({"institution_code": INSTITUTION, "valid_from": "2024-01-01"});
    app.post(&path, Role::Inspector, &overlapping)
        .await
        .assert_problem(409);
    let backwards = json!({"institution_code": OTHER_INSTITUTION, "valid_from": "2024-01-01", "valid_to": "2023-01-01"});
    app.post(&path, Role::Inspector, &backwards)
        .await
        .assert_problem(422);
    let not_org = json!({"institution_code": OTHER_PHYSICIAN, "valid_from": "2024-01-01"});
    app.post(&path, Role::Inspector, &not_org)
        .await
        .assert_problem(422);
    let second = json!({"institution_code": OTHER_INSTITUTION, "valid_from": "2024-01-01"});
    let created = app.post(&path, Role::Inspector, &second).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["active"], true);

    let ended = app
        .send(
            reqwest::Method::DELETE,
            &format!("{path}/{OTHER_INSTITUTION}"),
            Some(&app.token(Role::Inspector)),
            None,
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert!(ended.body["valid_to"].is_string());
    let list = app.get(&path, Role::Reviewer).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the ended affiliation is kept");
    assert_eq!(items[0]["institution_code"], INSTITUTION);
    assert_eq!(items[0]["active"], true);

    // Only practitioners have affiliations.
    app.get(
        &format!("/api/v1/subjects/{INSTITUTION}/affiliations"),
        Role::Admin,
    )
    .await
    .assert_problem(422);
}

#[tokio::test]
async fn pagination_is_stable_and_complete() {
    let app = spawn_app().await;
    for i in 0..7 {
        app.register(institution(
            &format!("H370102000{i:02}"),
            &format!("医院{i}"),
        ))
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/subjects?limit=3&cursor={c}"),
            None => "/api/v1/subjects?limit=3".to_string(),
        };
        let page = app.get(&path, Role::Auditor).await;
        assert_eq!(page.status, StatusCode::OK);
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["code"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).map(|i| format!("H370102000{i:02}")).collect();
    assert_eq!(seen, expected);

    app.get("/api/v1/subjects?limit=0", Role::Admin)
        .await
        .assert_problem(422);
    app.get("/api/v1/subjects?limit=501", Role::Admin)
        .await
        .assert_problem(422);
    app.get("/api/v1/subjects?limit=abc", Role::Admin)
        .await
        .assert_problem(400);
    app.get("/api/v1/subjects?cursor=nonsense", Role::Admin)
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn lists_filter_by_kind_region_and_text() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let doctors = app
        .get("/api/v1/subjects?kind=practitioner", Role::Admin)
        .await;
    assert_eq!(doctors.body["items"].as_array().unwrap().len(), 2);
    let by_name = app
        .get("/api/v1/subjects?q=%E4%B8%AD%E5%8C%BB", Role::Admin)
        .await; // 中医
    let items = by_name.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], OTHER_INSTITUTION);
    let elsewhere = app.get("/api/v1/subjects?region=110105", Role::Admin).await;
    assert!(elsewhere.body["items"].as_array().unwrap().is_empty());
    app.get("/api/v1/subjects?kind=alien", Role::Admin)
        .await
        .assert_problem(400);
}
