//! Strict dates and names (issue 18 point 11): every date of every request body and query, found by walking the
//! OpenAPI document so that a new field cannot be forgotten, is exactly `YYYY-MM-DD` within 1900–2199; names
//! with bidirectional controls are refused like other control characters.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const BAD_DATES: [&str; 4] = ["2026-1-1", "+2026-01-01", "-0001-01-01", "9999-12-31"];

/// `(field, in body?)` of every date an operation takes.
fn date_inputs(spec: &Value, operation: &Value) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] == "query" && parameter["schema"]["format"] == "date" {
            found.push((parameter["name"].as_str().unwrap().to_string(), false));
        }
    }
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            &spec["components"]["schemas"][name]
        }
        None => schema,
    };
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        if property["format"] == "date" {
            found.push((name.clone(), true));
        }
    }
    found
}

#[tokio::test]
async fn every_date_of_every_body_and_query_is_strict() {
    let app = spawn_app().await;
    let spec: Value =
        serde_json::from_str(&medcredit::openapi::spec_json()).expect("the OpenAPI document");
    let token = app.token(Role::Admin);
    let mut checked = 0;
    for (template, operations) in spec["paths"].as_object().unwrap() {
        // Path parameters get a value of the right shape; the date is judged before the handler runs.
        let path = template
            .replace("{id}", "1")
            .replace("{code}", INSTITUTION)
            .replace("{year}", "2026");
        for (method, operation) in operations.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            for (field, in_body) in date_inputs(&spec, operation) {
                for bad in BAD_DATES {
                    let response = if in_body {
                        let body = json!({ field.as_str(): bad });
                        app.send(method.clone(), &path, Some(&token), Some(&body))
                            .await
                    } else {
                        let url = format!("{path}?{field}={}", bad.replace('+', "%2B"));
                        app.send(method.clone(), &url, Some(&token), None).await
                    };
                    let text = response.body.to_string();
                    assert!(
                        matches!(response.status.as_u16(), 400 | 422)
                            && (text.contains("YYYY-MM-DD") || text.contains("outside")),
                        "{method} {template} {field}={bad}: {} {text}",
                        response.status
                    );
                    if in_body {
                        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
                        assert_eq!(
                            response.body["errors"][0]["field"],
                            field.as_str(),
                            "{text}"
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    // listed_on, starts_on, occurred_on, as_of…: the walk found the fields the issue names.
    assert!(
        checked >= 4 * 15,
        "only {checked} checks: did the walk find the dates?"
    );
}

#[tokio::test]
async fn a_date_at_the_edge_passes_and_a_computed_end_beyond_it_is_refused() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let standing = app
        .get(
            &format!("/api/v1/standing/{INSTITUTION}?as_of=2199-12-31"),
            Role::Inspector,
        )
        .await;
    assert_eq!(standing.status, StatusCode::OK, "{}", standing.body);
    // An agreement termination starting on the last day would ban until 2202.
    let case = app.grounds(INSTITUTION).await;
    let termination = json!({"subject_code": INSTITUTION, "type": "agreement_termination",
        "starts_on": "2199-12-31", "violation_ids": [case], "reason": "解除服务协议"});
    let refused = app
        .post("/api/v1/sanctions", Role::Approver, &termination)
        .await;
    assert_eq!(
        refused.assert_problem(422)["errors"][0]["field"],
        "starts_on",
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn names_with_bidirectional_controls_are_refused() {
    let app = spawn_app().await;
    for control in ['\u{202E}', '\u{2066}'] {
        let name = format!("济南{control}医院");
        let body = institution("H37010200061", &name);
        let response = app.post("/api/v1/subjects", Role::Inspector, &body).await;
        let problem = response.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    }
    let csv = format!(
        "kind,code,name,region,uscc\ninstitution,H37010200062,医院\u{202E}药房,370102,{}\n",
        uscc_for("H37010200062")
    );
    let token = app.token(Role::Inspector);
    let imported = app
        .send_raw("/api/v1/subjects:import", Some(&token), "text/csv", csv)
        .await;
    let error = &imported.assert_problem(422)["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["field"].as_str()),
        (Some(2), Some("name"))
    );
}
