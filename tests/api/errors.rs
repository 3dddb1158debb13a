//! Bad input of every shape gets problem+json and changes nothing; ops endpoints and request ids.

use medcredit::auth::Role;
use reqwest::StatusCode;

use crate::helpers::*;

async fn raw_post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, String, String) {
    let response = app
        .client
        .post(format!("{}{}", app.address, path))
        .bearer_auth(app.token(Role::Inspector))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let ct = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, response.text().await.unwrap())
}

#[tokio::test]
async fn malformed_bodies_are_problems() {
    let app = spawn_app().await;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"{not json".to_vec(), 400),
        ("application/json", b"[1,2,3]".to_vec(), 0),
        (
            "application/json",
            br#"{"kind": "institution", "name": 5}"#.to_vec(),
            422,
        ),
        ("application/json", br#"{"kind": 5}"#.to_vec(), 0),
        ("text/plain", b"{}".to_vec(), 415),
        ("application/json", vec![0xff, 0xfe, 0x00], 400),
        // Deeply nested: serde stops early (type error or recursion limit), either way a clean 4xx.
        (
            "application/json",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            0,
        ),
        ("application/json", vec![b' '; 2 * 1024 * 1024], 413),
    ];
    for (content_type, body, status) in cases {
        let (got, ct, text) = raw_post(&app, "/api/v1/subjects", content_type, body).await;
        if status == 0 {
            assert!(got.is_client_error(), "{got}: {text}");
        } else {
            assert_eq!(got.as_u16(), status, "{text}");
        }
        assert!(ct.starts_with("application/problem+json"), "{ct}: {text}");
        let problem: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(problem["status"], got.as_u16());
    }
    let list = app.get("/api/v1/subjects", Role::Admin).await;
    assert!(list.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing-here", Role::Admin)
        .await
        .assert_problem(404);
    app.get("/api/v1/subjects/H37010209999", Role::Admin)
        .await
        .assert_problem(404);
    let response = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/subjects",
            Some(&app.token(Role::Admin)),
            None,
        )
        .await;
    response.assert_problem(405);
    assert!(response.headers.contains_key("allow"));
}

#[tokio::test]
async fn health_readiness_and_request_ids() {
    let app = spawn_app().await;
    let health = app.send(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(
        health.headers.contains_key("x-request-id"),
        "a request id is assigned"
    );
    let ready = app.send(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.body["status"], "ready");
    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "his-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-request-id"],
        "his-trace-42",
        "a client's id is kept"
    );
}

/// PostgreSQL: nodes starting together serialise their migrations and the catalogue seed.
#[tokio::test]
async fn several_nodes_can_start_together_on_one_database() {
    use medcredit::auth::JwtKeys;
    use medcredit::startup::Application;

    let database = TestDatabase::fresh().await;
    if database.schema.is_none() {
        // Several nodes means PostgreSQL (README); an SQLite file belongs to one process. Runs in the PostgreSQL pass.
        return;
    }
    let config = || database.config(&[]);
    let keys = JwtKeys::from_secret(SECRET.as_bytes());
    // Both migrate and seed the catalogue at the same moment; neither may fail or seed twice.
    let (a, b, c) = tokio::join!(
        Application::build(config(), keys.clone()),
        Application::build(config(), keys.clone()),
        Application::build(config(), keys.clone()),
    );
    let (a, _b, _c) = (a.expect("node a"), b.expect("node b"), c.expect("node c"));
    let address = format!("http://127.0.0.1:{}", a.port());
    tokio::spawn(a.run_until(std::future::pending()));
    let token = keys.mint(Role::Auditor, "auditor-1", None, chrono::Duration::hours(1));
    let client = crate::helpers::client();
    let page: serde_json::Value = client
        .get(format!(
            "{address}/api/v1/violation-types?code=INSD-IMPERSONATION"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types = page["items"].as_array().expect("a page of the catalogue");
    assert_eq!(types.len(), 1, "the catalogue is seeded once");
    let seeds: serde_json::Value = client
        .get(format!("{address}/api/v1/audit?target=violation-types"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seeds["items"].as_array().unwrap().len(), 1);
}
