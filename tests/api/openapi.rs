//! The committed OpenAPI document matches the code; the served one and Swagger UI work.

use reqwest::StatusCode;

use crate::helpers::*;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

#[test]
fn committed_openapi_matches_the_code() {
    let generated = medcredit::openapi::spec_json();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(COMMITTED, &generated).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[tokio::test]
async fn the_document_and_swagger_ui_are_served() {
    let app = spawn_app().await;
    let spec = app
        .send(reqwest::Method::GET, "/api-docs/openapi.json", None, None)
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body["paths"]["/api/v1/subjects"]["post"].is_object());
    assert!(spec.body["components"]["securitySchemes"]["bearer"].is_object());
    let ui = app
        .client
        .get(format!("{}/docs/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
    // The UI's assets are vendored into the binary: no CDN is needed to render it.
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js"] {
        let response = app
            .client
            .get(format!("{}/docs/{asset}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(response.bytes().await.unwrap().len() > 10_000, "{asset}");
    }
}

#[test]
fn every_operation_documents_its_errors_as_problems() {
    let spec: serde_json::Value = serde_json::from_str(&medcredit::openapi::spec_json()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured = op.get("security").is_some();
            let responses = op["responses"].as_object().unwrap();
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let reference = response["$ref"].as_str().unwrap_or_default();
                    assert!(
                        reference.starts_with("#/components/responses/"),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

/// Every `$ref` of the document names a component it defines: a dangling one breaks Swagger UI and client
/// generators (it happened once, with `ExportFormat`).
#[test]
fn every_reference_of_the_document_resolves() {
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc: serde_json::Value = serde_json::from_str(&medcredit::openapi::spec_json()).unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    let dangling: Vec<&String> = found
        .iter()
        .filter(|r| {
            let pointer = r.trim_start_matches('#');
            !r.starts_with("#/") || doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
}

/// Spectral's `operation-description` and generated clients' method docs: every operation says what it does
/// in a line and then in full.
#[test]
fn every_operation_has_a_summary_and_a_description() {
    let doc: serde_json::Value = serde_json::from_str(&medcredit::openapi::spec_json()).unwrap();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for key in ["summary", "description"] {
                if op[key].as_str().is_none_or(|text| text.trim().is_empty()) {
                    missing.push(format!("{method} {path}: {key}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}

/// A page refers to its item's component: an inline copy gives generated clients two types for one thing
/// (`PageSubjectViewItemsItem` next to `SubjectView`).
#[test]
fn every_page_refers_to_its_item_component() {
    let doc: serde_json::Value = serde_json::from_str(&medcredit::openapi::spec_json()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let pages: Vec<_> = schemas.keys().filter(|n| n.starts_with("Page_")).collect();
    assert!(pages.len() > 10, "{pages:?}");
    for page in pages {
        let item = page.trim_start_matches("Page_");
        assert_eq!(
            schemas[page]["properties"]["items"]["items"],
            serde_json::json!({ "$ref": format!("#/components/schemas/{item}") }),
            "{page} inlines its items"
        );
        assert!(schemas.contains_key(item), "{item}");
    }
}

/// What the server enforces, the document says: a page size of 1 to 500, and no control characters in text.
#[test]
fn the_document_states_the_bounds_the_server_enforces() {
    let doc: serde_json::Value = serde_json::from_str(&medcredit::openapi::spec_json()).unwrap();
    let mut limits = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "limit" {
                    limits += 1;
                    assert_eq!(p["schema"]["minimum"], 1, "{p}");
                    assert_eq!(p["schema"]["maximum"], 500, "{p}");
                }
            }
        }
    }
    assert!(limits > 15, "{limits}");
    let reason = &doc["components"]["schemas"]["ReasonBody"]["properties"]["reason"];
    assert_eq!(reason["minLength"], 1);
    assert_eq!(reason["pattern"], medcredit::openapi::NOT_BLANK);
    let kind = &doc["components"]["schemas"]["Remedy"]["properties"]["kind"];
    assert_eq!(kind["$ref"], "#/components/schemas/RemedyKind");
    let change = &doc["components"]["schemas"]["ChangeView"];
    assert_eq!(change["oneOf"].as_array().map(Vec::len), Some(9));
}

/// JSON and the document's `type: integer` do not tell `2000` from `2000.0`; the server does not either, so
/// a client whose JSON library writes whole numbers with a fraction is not refused. A real fraction is.
#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_an_integer() {
    let app = spawn_app().await;
    let path = "/api/v1/lists/red/proposals";
    let whole = app
        .post(
            path,
            medcredit::auth::Role::Admin,
            &serde_json::json!({"year": 2000.0}),
        )
        .await;
    assert_eq!(whole.status, StatusCode::CREATED, "{}", whole.body);
    assert_eq!(whole.body["items"], serde_json::json!([]));
    let fraction = app
        .post(
            path,
            medcredit::auth::Role::Admin,
            &serde_json::json!({"year": 2000.5}),
        )
        .await;
    fraction.assert_problem(422);
    assert_eq!(fraction.error_fields(), ["year"]);
}
