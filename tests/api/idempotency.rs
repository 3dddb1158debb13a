//! `Idempotency-Key` on every creating POST, through one table of keys with the stored first response.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn post_keyed(
    app: &TestApp,
    path: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(app.token(Role::Approver))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn a_retried_post_creates_nothing_twice_on_any_creating_route() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app.grounds(INSTITUTION).await;
    let sanction = json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": "2026-03-01",
                          "ends_on": "2026-03-31", "reason": "约谈", "violation_ids": [case]});
    let (status, headers, first) =
        post_keyed(&app, "/api/v1/sanctions", "retry-1", &sanction).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, headers, again) =
        post_keyed(&app, "/api/v1/sanctions", "retry-1", &sanction).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(
        headers["location"],
        format!("/api/v1/sanctions/{}", first["id"])
    );
    assert_eq!(again, first);
    assert_eq!(
        app.sanctions_of(INSTITUTION).await.len(),
        1,
        "one sanction, not two"
    );

    let mut other = sanction.clone();
    other["reason"] = json!("另一次约谈");
    let (status, _, problem) = post_keyed(&app, "/api/v1/sanctions", "retry-1", &other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    // The same key on another route is another request too.
    let subject = institution("H37010200088", "幂等测试医院");
    let (status, _, _) = post_keyed(&app, "/api/v1/subjects", "retry-1", &subject).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, _, created) = post_keyed(&app, "/api/v1/subjects", "subject-1", &subject).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, headers, replayed) =
        post_keyed(&app, "/api/v1/subjects", "subject-1", &subject).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, created));
    assert_eq!(headers["idempotent-replayed"], "true");

    let bad = app
        .client
        .post(format!("{}/api/v1/sanctions", app.address))
        .bearer_auth(app.token(Role::Approver))
        .header("Idempotency-Key", "x".repeat(201))
        .json(&sanction)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
