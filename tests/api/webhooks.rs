//! Webhooks through the outbox (issue 10), with a real HTTP receiver: signed deliveries, a hospital's scope,
//! retries with back-off to failure and redelivery, and two nodes delivering every event exactly once.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use chrono::{Duration, Utc};
use medcredit::auth::Role;
use medcredit::worker::outbox::deliver_due;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    pub(crate) answer: Arc<AtomicU16>,
}

/// A real HTTP receiver on a bound port; answers `answer` (200 unless set).
pub(crate) async fn receiver() -> (String, Receiver) {
    let state = Receiver::default();
    state.answer.store(200, Ordering::SeqCst);
    let shared = state.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let shared = shared.clone();
            async move {
                shared.got.lock().unwrap().push((headers, body));
                AxumStatus::from_u16(shared.answer.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

pub(crate) async fn subscribe(app: &TestApp, role: Role, url: &str, events: Value) -> Value {
    let response = app
        .post(
            "/api/v1/webhooks",
            role,
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body
}

pub(crate) async fn blacklist(app: &TestApp, subject: &str) {
    let case = app.grounds(subject).await;
    let body = json!({"subject_code": subject, "reason": "骗保", "violation_ids": [case],
                      "listed_on": medcredit::domain::dates::legal_date(Utc::now())});
    assert_eq!(
        app.post("/api/v1/lists/black", Role::Approver, &body)
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn deliveries_are_signed_and_a_hospital_hears_only_about_its_own() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = receiver().await;
    let partner = subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    let secret = partner["secret"].as_str().unwrap().to_string();
    subscribe(&app, Role::Hospital, &url, json!(["list.added"])).await;
    let listed = app.get("/api/v1/webhooks", Role::Partner).await.body["items"].clone();
    assert!(listed[0]["id"].is_i64(), "{listed}");
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once"
    );

    blacklist(&app, INSTITUTION).await;
    blacklist(&app, OTHER_INSTITUTION).await;
    let outcome = deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        outcome.delivered, 3,
        "two for the partner, one for the hospital"
    );
    let received = got.got.lock().unwrap().clone();
    let mut codes = Vec::new();
    for (headers, body) in &received {
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["event"], "list.added");
        codes.push(event["subject_code"].as_str().unwrap().to_string());
        // Verified as a partner would, with the Standard Webhooks reference library.
        let verified = standardwebhooks::Webhook::new(&secret)
            .unwrap()
            .verify(body.as_bytes(), headers);
        let partners = event["data"]["subject_code"] == OTHER_INSTITUTION;
        if partners {
            verified.expect("signed with the partner's secret");
        }
    }
    codes.sort();
    assert_eq!(codes, [INSTITUTION, INSTITUTION, OTHER_INSTITUTION]);
    // Nothing is sent twice.
    let again = deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();
    assert_eq!(again.delivered, 0);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_back_off_then_failed_and_can_be_redelivered() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = receiver().await;
    got.answer.store(500, Ordering::SeqCst);
    let hook = subscribe(
        &app,
        Role::Partner,
        &url,
        json!(["list.added", "sanction.started"]),
    )
    .await;
    blacklist(&app, INSTITUTION).await;
    let client = app.outbound();
    let mut now = Utc::now();
    let first = deliver_due(&app.db, &client, now).await.unwrap();
    assert_eq!(first.retried, 1);
    // Not due again before its back-off.
    assert_eq!(
        deliver_due(&app.db, &client, now).await.unwrap(),
        Default::default()
    );
    for _ in 0..10 {
        now += Duration::hours(1);
        deliver_due(&app.db, &client, now).await.unwrap();
    }
    let path = format!("/api/v1/webhooks/{}/deliveries", hook["id"]);
    let deliveries = app.get(&path, Role::Partner).await.body["items"].clone();
    assert_eq!(deliveries[0]["status"], "failed", "{deliveries}");
    assert_eq!(deliveries[0]["attempts"], 6);
    assert_eq!(deliveries[0]["last_status"], 500);
    assert_eq!(got.got.lock().unwrap().len(), 6);
    // A delivery that failed for good pauses its webhook, with the reason its owner reads; nothing more is
    // tried until the owner resumes it.
    let listed = app.get("/api/v1/webhooks", Role::Partner).await.body["items"].clone();
    let reason = listed[0]["paused_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("failed 6 times") && reason.contains("500"),
        "{listed}"
    );
    now += Duration::hours(1);
    assert_eq!(
        deliver_due(&app.db, &client, now).await.unwrap(),
        Default::default()
    );
    let resumed = app
        .post(
            &format!("/api/v1/webhooks/{}/resume", hook["id"]),
            Role::Partner,
            &json!({}),
        )
        .await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.body);
    assert!(resumed.body.get("paused_reason").is_none());

    got.answer.store(204, Ordering::SeqCst);
    let redeliver = format!("{path}/{}/redeliver", deliveries[0]["id"]);
    let queued = app.post(&redeliver, Role::Partner, &json!({})).await;
    assert_eq!(queued.status, StatusCode::OK, "{}", queued.body);
    assert_eq!(
        deliver_due(&app.db, &client, Utc::now())
            .await
            .unwrap()
            .delivered,
        1
    );
    let deliveries = app.get(&path, Role::Partner).await.body["items"].clone();
    assert_eq!(deliveries[0]["status"], "delivered");
    app.post(&redeliver, Role::Partner, &json!({}))
        .await
        .assert_problem(409);
    // A deleted webhook gets nothing more.
    app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/webhooks/{}", hook["id"]),
        Some(&app.token(Role::Partner)),
        None,
    )
    .await;
    blacklist(&app, OTHER_INSTITUTION).await;
    assert_eq!(
        deliver_due(&app.db, &client, Utc::now())
            .await
            .unwrap()
            .delivered,
        0
    );
}

#[tokio::test]
async fn two_nodes_deliver_every_event_exactly_once() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = receiver().await;
    subscribe(
        &app,
        Role::Partner,
        &url,
        json!(["list.added", "sanction.started", "standing.changed"]),
    )
    .await;
    for _ in 0..5 {
        blacklist(&app, INSTITUTION).await;
    }
    let (_, other) = app.second_node().await;
    let (a, b) = (app.outbound(), app.outbound());
    let now = Utc::now();
    // Two nodes on one PostgreSQL race; SQLite is one node, so there they take turns.
    let (x, y) = if app.db.backend() == sea_orm::DbBackend::Postgres {
        let (x, y) = tokio::join!(
            deliver_due(&app.db, &a, now),
            deliver_due(&other.db, &b, now)
        );
        (x.unwrap(), y.unwrap())
    } else {
        (
            deliver_due(&app.db, &a, now).await.unwrap(),
            deliver_due(&other.db, &b, now).await.unwrap(),
        )
    };
    let received = got.got.lock().unwrap().clone();
    let mut ids: Vec<String> = received
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().unwrap().to_string())
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no delivery sent twice");
    assert_eq!((x.delivered + y.delivered) as usize, total);
    assert!(total >= 10, "list entries and standing changes: {total}");
}
