//! Webhooks that cannot be aimed at the network (issue 18, DESIGN §14): URL shapes and addresses refused at
//! registration, loopback only where the deployment allows it, and redirects never followed.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus, header};
use chrono::Utc;
use medcredit::auth::Role;
use medcredit::worker::outbox::deliver_due;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn register(app: &TestApp, url: &str) -> TestResponse {
    app.post(
        "/api/v1/webhooks",
        Role::Partner,
        &json!({"url": url, "events": ["list.added"]}),
    )
    .await
}

#[tokio::test]
async fn metadata_private_and_hidden_hosts_are_refused_at_registration() {
    // No allow list: what a cloud deployment runs with.
    let app = spawn_app_with(&[("MEDCREDIT_WEBHOOK_ALLOW", "")]).await;
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://0251.0376.0251.0376/",
        "http://0xa9fea9fe/",
        "http://[::ffff:169.254.169.254]/",
        "http://partner.example.com@169.254.169.254/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http:///hook",
        "http://exa\tmple.com/",
        "file:///etc/passwd",
        "gopher://partner.example.com/",
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.20/hook",
        "http://[fd12::1]/hook",
    ] {
        let answer = register(&app, url).await;
        answer.assert_problem(422);
        assert_eq!(answer.error_fields(), ["url"], "{url}: {}", answer.body);
    }
    assert_eq!(app.count("webhooks").await, 0);
    // A public address passes.
    assert_eq!(
        register(&app, "https://93.184.216.34/hook").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn an_allow_list_opens_private_ranges_but_never_metadata() {
    let app = spawn_app_with(&[(
        "MEDCREDIT_WEBHOOK_ALLOW",
        "127.0.0.0/8,169.254.0.0/16,10.0.0.0/8",
    )])
    .await;
    assert_eq!(
        register(&app, "http://127.0.0.1:9/hook").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        register(&app, "http://10.1.2.3/hook").await.status,
        StatusCode::CREATED
    );
    register(&app, "http://169.254.169.254/")
        .await
        .assert_problem(422);
    register(&app, "http://192.168.1.20/hook")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn a_redirect_is_a_failed_attempt_and_is_never_followed() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // The receiver that a redirect points at: it must hear nothing.
    let (target, target_got) = crate::webhooks::receiver().await;
    let hits = Arc::new(Mutex::new(0));
    let counted = hits.clone();
    let redirecting = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |_: HeaderMap, _: String| {
            let counted = counted.clone();
            let target = target.clone();
            async move {
                *counted.lock().unwrap() += 1;
                (AxumStatus::TEMPORARY_REDIRECT, [(header::LOCATION, target)])
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, redirecting).await.unwrap() });
    let hook = crate::webhooks::subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    crate::webhooks::blacklist(&app, INSTITUTION).await;
    let outcome = deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();
    assert_eq!((outcome.delivered, outcome.retried), (0, 1));
    assert_eq!(*hits.lock().unwrap(), 1);
    assert!(
        target_got.got.lock().unwrap().is_empty(),
        "the redirect was followed"
    );
    let log = app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", hook["id"]),
            Role::Partner,
        )
        .await;
    assert_eq!(log.body["items"][0]["last_status"], 307, "{}", log.body);
    assert!(
        log.body["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("redirect")
    );
}

/// A receiver that accepts connections and never answers; says how many it accepted and whether the first
/// has been given up by the sender.
async fn hanging_receiver() -> (String, Arc<Mutex<(usize, bool)>>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new((0usize, false)));
    let state = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let first = {
                let mut s = state.lock().unwrap();
                s.0 += 1;
                s.0 == 1
            };
            let state = state.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                // Read until the sender gives up; never write a byte.
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
                if first {
                    state.lock().unwrap().1 = true;
                }
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_receiver_that_never_answers_delays_only_its_own_queue() {
    let app = spawn_app_with(&[("MEDCREDIT_OUTBOX_MS", "100")]).await;
    app.seed_registry().await;
    let (slow, slow_seen) = hanging_receiver().await;
    let (fast, fast_got) = crate::webhooks::receiver().await;
    let events = json!({"events": ["list.added"]});
    for (sub, url) in [("partner-slow", &slow), ("partner-fast", &fast)] {
        let token = app.api.token_for(Role::Partner, sub, None);
        let body = json!({"url": url, "events": events["events"]});
        let made = app
            .send(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                Some(&token),
                Some(&body),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    for _ in 0..5 {
        crate::webhooks::blacklist(&app, INSTITUTION).await;
    }
    // Wait (bounded, not timed) until the fast receiver has all five.
    for _ in 0..400 {
        if fast_got.got.lock().unwrap().len() >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (accepted, first_given_up) = *slow_seen.lock().unwrap();
    assert_eq!(fast_got.got.lock().unwrap().len(), 5);
    assert!(accepted >= 1, "the slow receiver was called");
    assert!(
        !first_given_up,
        "the fast receiver waited for the slow one's timeout: its deliveries were held up"
    );
}

/// On PostgreSQL a delivery starts when its commit is announced (`LISTEN`/`NOTIFY`), also on another node: a
/// node whose poll comes only every ten minutes delivers a change that the other node committed.
#[tokio::test]
async fn a_commit_on_one_node_wakes_the_delivery_loop_of_another() {
    let app = spawn_app().await;
    if app.db.backend() != sea_orm::DbBackend::Postgres {
        eprintln!("skipped: several nodes are a PostgreSQL deployment");
        return;
    }
    app.seed_registry().await;
    let (url, got) = crate::webhooks::receiver().await;
    crate::webhooks::subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    // The second node delivers (the first has delivery off, as in every test), and polls only every 10 min.
    let mut config = app.config.clone();
    config.outbox_ms = 600_000;
    let node = medcredit::startup::Application::build(config, app.api.keys.clone())
        .await
        .expect("second node");
    tokio::spawn(node.run_until(std::future::pending()));
    // Its first poll runs at start; what follows can only arrive by notification.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    crate::webhooks::blacklist(&app, INSTITUTION).await;
    for _ in 0..200 {
        if !got.got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        got.got.lock().unwrap().len(),
        1,
        "the other node was not woken"
    );
}

/// The same signal keeps another node's standing cache current (PostgreSQL): a node whose cache polls only every
/// ten minutes answers with a case approved through the other node.
#[tokio::test]
async fn a_commit_on_one_node_brings_another_nodes_standing_cache_up_to_date() {
    let app = spawn_app().await;
    if app.db.backend() != sea_orm::DbBackend::Postgres {
        eprintln!("skipped: several nodes are a PostgreSQL deployment");
        return;
    }
    app.seed_registry().await;
    let mut config = app.config.clone();
    config.standing_cache_ms = 600_000;
    let node = medcredit::startup::Application::build(config, app.api.keys.clone())
        .await
        .expect("second node");
    let other = format!("http://127.0.0.1:{}", node.port());
    tokio::spawn(node.run_until(std::future::pending()));
    let read = |address: String| {
        let client = app.api.client.clone();
        let token = app.token(Role::Inspector);
        async move {
            let answer = client
                .get(format!("{address}/api/v1/standing/{INSTITUTION}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            answer.json::<serde_json::Value>().await.unwrap()
        }
    };
    // Warm: the other node has the institution's standing in its cache.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(read(other.clone()).await["score"], 100);
    app.approved_case(
        INSTITUTION,
        "INST-MANAGEMENT-DEFICIENCY",
        json!({"points": 5}),
    )
    .await;
    let mut score = json!(null);
    for _ in 0..200 {
        score = read(other.clone()).await["score"].clone();
        if score == 95 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        score, 95,
        "the other node's cache was not brought up to date"
    );
}
