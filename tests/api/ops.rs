//! Operations endpoints as a stranger sees them: readiness without internals, Swagger UI without third parties.

use medcredit::auth::JwtKeys;
use medcredit::startup::Application;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn readyz_says_not_ready_without_the_database_error() {
    let database = TestDatabase::fresh().await;
    let config = database.config(&[]);
    let app = Application::build(config, JwtKeys::from_secret(SECRET.as_bytes()))
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    // The server's own pool, closed under it: every later ping fails, on SQLite and PostgreSQL alike.
    let pool = app.state().db.conn.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let client = crate::helpers::client();
    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    pool.close().await.expect("close the pool");
    let response = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/problem+json"),
        "{content_type}"
    );
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 503);
    assert_eq!(problem["detail"], "not ready", "{problem}");
    let text = problem.to_string().to_lowercase();
    for leak in ["pool", "closed", "sqlite", "postgres", "database"] {
        assert!(!text.contains(leak), "{leak} in {problem}");
    }
    // Liveness is not readiness: the process still answers.
    let alive = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
}

#[tokio::test]
async fn swagger_ui_never_calls_the_public_validator() {
    let app = spawn_app().await;
    let initializer = app
        .client
        .get(format!("{}/docs/swagger-initializer.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(initializer.status(), StatusCode::OK);
    let script = initializer.text().await.unwrap();
    let compact: String = script.split_whitespace().collect();
    assert!(compact.contains(r#""validatorUrl":"none""#), "{script}");
    assert!(!script.contains("validator.swagger.io"), "{script}");
    assert!(script.contains("/api-docs/openapi.json"), "{script}");
}

#[tokio::test]
async fn a_server_with_the_rate_limiter_stops_cleanly_on_shutdown() {
    let database = TestDatabase::fresh().await;
    let config = database.config(&[("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "60")]);
    let app = Application::build(config, JwtKeys::from_secret(SECRET.as_bytes()))
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = signal.await;
    }));
    let anonymous = reqwest::get(format!("{address}/api/v1/subjects"))
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "counted, not refused"
    );
    shutdown.send(()).unwrap();
    // `run_until` returns only once the key cleaner has stopped as well.
    let served = tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server and its background task stop")
        .expect("no panic");
    assert!(served.is_ok(), "{served:?}");
}
