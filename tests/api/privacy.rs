//! Issue 11's privacy and input rules, tried the way an attacker and a careless client would.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const INSURED: &str = "11010519491231002X";

async fn codes(app: &TestApp, query: &str, role: Role) -> Vec<String> {
    let response = app.get(&format!("/api/v1/subjects?{query}"), role).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.body
    );
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect()
}

/// The 38-request attack: guess the hidden birth date of `110105********002X` one digit at a time.
#[tokio::test]
async fn a_partner_cannot_recover_a_masked_id_number_or_name_by_searching() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let masked = "110105********002X";
    let mut recovered = String::from("110105");
    let mut requests = 0;
    for _ in 0..8 {
        let mut found = None;
        for digit in 0..10 {
            requests += 1;
            let guess = format!("{recovered}{digit}");
            if codes(&app, &format!("q={guess}"), Role::Partner)
                .await
                .iter()
                .any(|c| c == masked)
            {
                found = Some(digit);
                break;
            }
        }
        match found {
            Some(digit) => recovered.push_str(&digit.to_string()),
            None => break,
        }
    }
    assert_eq!(
        recovered, "110105",
        "nothing recovered after {requests} requests"
    );
    for probe in [
        "19491231",
        "1949",
        "002X",
        "0105194912",
        "李",
        "王小",
        "小明",
    ] {
        let found = codes(&app, &format!("q={probe}"), Role::Partner).await;
        assert!(
            !found
                .iter()
                .any(|c| c == masked || c == OTHER_PHYSICIAN || c == PHYSICIAN),
            "{probe} found a person: {found:?}"
        );
    }
    // Not even the full identifier or the full name finds a person: every match would confirm a guess at what
    // the mask hides. A partner reaches a person only through a screening row with both.
    assert!(
        codes(&app, &format!("q={INSURED}"), Role::Partner)
            .await
            .is_empty()
    );
    assert!(codes(&app, "q=王小明", Role::Partner).await.is_empty());
    // What a partner sees unmasked stays searchable: organisation names and codes, practitioners' codes.
    assert_eq!(
        codes(&app, "q=人民医院", Role::Partner).await,
        [INSTITUTION]
    );
    assert_eq!(
        codes(&app, "q=D3701020000", Role::Partner).await,
        [PHYSICIAN, OTHER_PHYSICIAN]
    );
    // An inspector, who sees everything, still searches by part of a name.
    assert!(
        codes(&app, "q=小明", Role::Inspector)
            .await
            .contains(&OTHER_PHYSICIAN.to_string())
    );
}

#[tokio::test]
async fn a_partner_reads_no_person_by_id_number_whether_there_or_not() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let unknown = "110105194912310029";
    for code in [INSURED, unknown] {
        for path in [
            format!("/api/v1/subjects/{code}"),
            format!("/api/v1/subjects/{code}/credit"),
            format!("/api/v1/subjects/{code}/ledger"),
            format!("/api/v1/standing/{code}"),
            format!("/api/v1/sanctions?subject_code={code}"),
        ] {
            let answer = app.get(&path, Role::Partner).await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                answer.body
            );
            let text = answer.body.to_string();
            assert!(!text.contains("李四"), "{path} shows the name: {text}");
            // The 404 of a known person reads as the 404 of nobody, but for the code the caller sent.
            let other = app.get(&path.replace(code, "X"), Role::Partner).await;
            assert_eq!(other.body["title"], answer.body["title"], "{path}");
        }
    }
    // Staff still read the person in full.
    let body = app
        .get(&format!("/api/v1/standing/{INSURED}"), Role::Inspector)
        .await
        .body;
    assert_eq!(body["name"], "李四");
}

/// The nine routes of the report, and the rest: a role that may not act gets 403 whatever the body.
#[tokio::test]
async fn a_role_that_may_not_act_gets_403_before_its_body_is_read() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let bad = json!({"bogus": "\u{0}", "points": "many"});
    let routes = [
        ("/api/v1/subjects", Role::Auditor),
        ("/api/v1/subjects", Role::Partner),
        ("/api/v1/subjects", Role::Reviewer),
        ("/api/v1/violations", Role::Reviewer),
        ("/api/v1/violations/1/approve", Role::Reviewer),
        ("/api/v1/violations/1/approve", Role::Partner),
        ("/api/v1/violations/1/review", Role::Auditor),
        ("/api/v1/violations/1/reject", Role::Inspector),
        ("/api/v1/violations/1/resubmit", Role::Reviewer),
        ("/api/v1/sanctions", Role::Reviewer),
        ("/api/v1/sanctions", Role::Auditor),
        ("/api/v1/sanctions/1/lift", Role::Partner),
        ("/api/v1/violation-types", Role::Approver),
        ("/api/v1/violation-types", Role::Partner),
        (
            &format!("/api/v1/subjects/{PHYSICIAN}/affiliations"),
            Role::Reviewer,
        ),
    ];
    for (path, role) in routes {
        let response = app.post(path, role, &bad).await;
        let body = response.assert_problem(403);
        assert!(body.get("errors").is_none(), "{path} as {role}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("admin"), "{body}");
    }
    let patch = app
        .patch(
            &format!("/api/v1/subjects/{PHYSICIAN}"),
            Role::Partner,
            &bad,
        )
        .await;
    patch.assert_problem(403);
}

#[tokio::test]
async fn control_characters_are_refused_everywhere_with_the_field_named() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut body = institution("H37010200077", "济南\u{0}医院");
    let response = app.post("/api/v1/subjects", Role::Inspector, &body).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["name"]);
    body["name"] = json!("正常医院");
    body["level"] = json!("三级\u{7}甲等");
    assert_eq!(
        app.post("/api/v1/subjects", Role::Inspector, &body)
            .await
            .error_fields(),
        ["level"]
    );
    let mut case = case_body(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED");
    case["evidence"][0]["name"] = json!("处方\u{0}.pdf");
    let response = app.post("/api/v1/violations", Role::Inspector, &case).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["evidence[0].name"]);
    // Line breaks are layout in a description, not control.
    case = case_body(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED");
    case["description"] = json!("第一行\n第二行");
    let response = app.post("/api/v1/violations", Role::Inspector, &case).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);

    // Path segments and query values.
    app.get("/api/v1/subjects/H3701%000200001", Role::Inspector)
        .await
        .assert_problem(400);
    let response = app.get("/api/v1/subjects?q=%00", Role::Inspector).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["q"]);
    // Names made of nothing visible, or of emoji only.
    for name in ["\u{200B}\u{200D}", "\u{FEFF}", "🏥😀", "---"] {
        let response = app
            .post(
                "/api/v1/subjects",
                Role::Inspector,
                &institution("H37010200078", name),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["name"], "{name:?}");
    }
    // Nothing of it was written.
    let listed = app
        .get("/api/v1/subjects?kind=institution", Role::Inspector)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_and_repeated_query_parameters_are_named() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let response = app
        .get(
            &format!("/api/v1/sanctions?institution_code={INSTITUTION}"),
            Role::Inspector,
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["institution_code"]);
    let response = app
        .get(
            &format!("/api/v1/subjects/{PHYSICIAN}?limit=0"),
            Role::Inspector,
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["limit"]);
    assert!(
        response.body.to_string().contains("takes none"),
        "{}",
        response.body
    );
    let response = app
        .get("/api/v1/violation-types?page=2", Role::Inspector)
        .await;
    assert_eq!(
        response.error_fields(),
        ["page"],
        "pages are asked for with limit and cursor"
    );
    let response = app
        .get(
            "/api/v1/sanctions?type=interview&type=recovery",
            Role::Inspector,
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["type"]);
}

#[tokio::test]
async fn error_texts_a_user_reads() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app
        .record_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    app.post(
        &format!("/api/v1/violations/{id}/review"),
        Role::Reviewer,
        &json!({}),
    )
    .await;
    let response = app
        .post(
            &format!("/api/v1/violations/{id}/approve"),
            Role::Approver,
            &json!({"points": 9}),
        )
        .await;
    let message = response.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!message.contains("..="), "{message}");
    assert!(message.contains("4") && message.contains("6"), "{message}");
    // A missing field is named, not `body`.
    let response = app
        .post(
            &format!("/api/v1/violations/{id}/approve"),
            Role::Approver,
            &json!({}),
        )
        .await;
    assert_eq!(response.error_fields(), ["points"]);
    // An action whose fields are all optional takes an empty body.
    let other = app.record_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED").await;
    let empty = app
        .client
        .post(format!("{}/api/v1/violations/{other}/review", app.address))
        .bearer_auth(app.token(Role::Reviewer))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::OK);
    // 401 says how to authenticate; 201 says where the new thing is.
    let anonymous = app
        .client
        .get(format!("{}/api/v1/subjects", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let created = app
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &institution("H37010200079", "新登记医院"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.headers["location"], "/api/v1/subjects/H37010200079");
    let _: Value = created.body;
}

/// Issue 11 item 7: a measure rests on at least one approved case of its subject.
#[tokio::test]
async fn a_sanction_without_grounds_is_refused() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let body = json!({"subject_code": INSTITUTION, "type": "agreement_termination",
                      "starts_on": "2026-03-01", "reason": "解除协议", "violation_ids": []});
    let response = app.post("/api/v1/sanctions", Role::Approver, &body).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["violation_ids"]);
    assert!(
        response
            .body
            .to_string()
            .contains("at least one approved case")
    );
    let mut missing = body.clone();
    missing.as_object_mut().unwrap().remove("violation_ids");
    let response = app
        .post("/api/v1/sanctions", Role::Approver, &missing)
        .await;
    assert_eq!(response.error_fields(), ["violation_ids"]);
    assert!(app.sanctions_of(INSTITUTION).await.is_empty());
}
