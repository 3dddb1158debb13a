//! The series an operator alerts on (issue 24), scraped through `/metrics` as Prometheus would: build and
//! process, sub-millisecond latency buckets, refusals by route template and reason, the webhook backlog and
//! failures by subscriber state, and the date scheduler's last successful run.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use chrono::{Duration, Utc};
use medcredit::auth::Role;
use medcredit::worker::outbox::deliver_due;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::webhooks::{blacklist, receiver, subscribe};

async fn scrape(app: &Api) -> (String, HashMap<String, f64>) {
    let response = app.send(Method::GET, "/metrics", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    let text = response.body.as_str().expect("plain text").to_string();
    let samples = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            (series.to_string(), value.parse().expect("a number"))
        })
        .collect();
    (text, samples)
}

#[tokio::test]
async fn build_process_and_half_millisecond_buckets_are_exposed() {
    let app = spawn_app().await;
    app.get("/healthz", Role::Auditor).await;
    let (text, samples) = scrape(&app).await;
    let build = format!(
        r#"medcredit_build_info{{profile="{}",version="{}"}}"#,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(samples.get(&build), Some(&1.0), "{text}");
    // CPU time is counted in whole seconds here, so a young test process may show 0.
    assert!(samples.contains_key("process_cpu_seconds_total"), "{text}");
    for series in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
    ] {
        assert!(samples[series] > 0.0, "{series} in\n{text}");
    }
    let healthz = r#"method="GET",route="/healthz",status="200""#;
    for bound in ["0.0005", "0.001", "0.0025", "0.005"] {
        let series = format!(r#"http_request_duration_seconds_bucket{{{healthz},le="{bound}"}}"#);
        assert!(samples.contains_key(&series), "{series} in\n{text}");
    }
}

#[tokio::test]
async fn refusals_are_counted_by_route_template_and_reason_never_by_raw_path() {
    let app = spawn_app_with(&[
        ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "1"),
        ("MEDCREDIT_RATE_LIMIT_BURST", "2"),
    ])
    .await;
    // A person's ID number in the path: refused to a hospital, and never a label.
    let person = "/api/v1/standing/11010519491231002X";
    app.get(person, Role::Hospital).await.assert_problem(403);
    app.send(Method::GET, "/api/v1/violations/7", None, None)
        .await
        .assert_problem(401);
    // The partner's bucket held two; the third request is refused by the rate limit.
    app.get("/api/v1/violations/7", Role::Partner)
        .await
        .assert_problem(403);
    app.get("/api/v1/violations/7", Role::Partner)
        .await
        .assert_problem(403);
    app.get("/api/v1/violations/7", Role::Partner)
        .await
        .assert_problem(429);

    let (text, samples) = scrape(&app).await;
    let refused = |route: &str, reason: &str| {
        samples
            .get(&format!(
                r#"medcredit_http_refusals_total{{reason="{reason}",route="{route}"}}"#
            ))
            .copied()
    };
    assert_eq!(
        refused("/api/v1/standing/{code}", "forbidden"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        refused("/api/v1/violations/{id}", "auth"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        refused("/api/v1/violations/{id}", "forbidden"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        refused("/api/v1/violations/{id}", "rate_limit"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(refused("/api/v1/violations/{id}", "quota"), None, "{text}");
    assert!(!text.contains("11010519491231002X"), "{text}");
    assert!(!text.contains("/violations/7"), "{text}");
}

#[tokio::test]
async fn the_webhook_backlog_and_failures_follow_the_subscriber_state() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = receiver().await;
    got.answer.store(500, Ordering::SeqCst);
    subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    let (_, before) = scrape(&app).await;
    let active = |s: &HashMap<String, f64>, name: &str, state: &str| {
        s[&format!(r#"{name}{{subscriber_state="{state}"}}"#)]
    };
    assert_eq!(active(&before, "medcredit_webhook_backlog", "active"), 0.0);
    assert_eq!(active(&before, "medcredit_webhooks", "active"), 1.0);

    blacklist(&app, INSTITUTION).await;
    let (_, queued) = scrape(&app).await;
    assert_eq!(active(&queued, "medcredit_webhook_backlog", "active"), 1.0);
    assert_eq!(
        active(&queued, "medcredit_webhook_failed_deliveries", "active"),
        0.0
    );

    // Every retry fails: the delivery fails for good and its subscriber is paused.
    let client = app.outbound();
    let mut now = Utc::now();
    for _ in 0..8 {
        deliver_due(&app.db, &client, now).await.unwrap();
        now += Duration::hours(1);
    }
    let (text, failed) = scrape(&app).await;
    assert_eq!(
        active(&failed, "medcredit_webhook_backlog", "active"),
        0.0,
        "{text}"
    );
    assert_eq!(
        active(&failed, "medcredit_webhook_failed_deliveries", "paused"),
        1.0,
        "{text}"
    );
    assert_eq!(
        active(&failed, "medcredit_webhooks", "paused"),
        1.0,
        "{text}"
    );
    assert_eq!(
        active(&failed, "medcredit_webhooks", "active"),
        0.0,
        "{text}"
    );

    // While it is paused, new deliveries wait: the backlog of paused subscribers grows.
    blacklist(&app, OTHER_INSTITUTION).await;
    let (text, waiting) = scrape(&app).await;
    assert_eq!(
        active(&waiting, "medcredit_webhook_backlog", "paused"),
        1.0,
        "{text}"
    );
}

#[tokio::test]
async fn the_date_scheduler_reports_its_last_successful_run() {
    let (before, app) = (Utc::now().timestamp() as f64, spawn_app().await);
    let (_, idle) = scrape(&app).await;
    let series = "medcredit_date_scheduler_last_success_timestamp_seconds";
    assert_eq!(idle[series], 0.0, "the scheduler is off on this node");
    assert_eq!(idle["medcredit_date_scheduler_failures_total"], 0.0);

    // A node that runs it (every hour; its first pass is at start) says when it last succeeded.
    let mut node = app.config.clone();
    node.dates_secs = 3600;
    let (api, _) = app.node_with(node).await;
    let mut last = 0.0;
    for _ in 0..200 {
        last = scrape(&api).await.1[series];
        if last > 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let after = Utc::now().timestamp() as f64 + 1.0;
    assert!((before..=after).contains(&last), "{before} {last} {after}");
}
