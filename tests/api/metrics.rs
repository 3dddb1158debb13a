//! `/metrics`: Prometheus text with request counts by route template, latency histograms, pool gauges and cases.

use std::collections::HashMap;

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};

use crate::helpers::*;

/// Sample lines as `series{labels}` → value; comments skipped.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let value = value
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {line}"));
            (series.to_string(), value)
        })
        .collect()
}

async fn scrape(app: &TestApp) -> (String, HashMap<String, f64>) {
    let response = app.send(Method::GET, "/metrics", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response
            .content_type()
            .starts_with("text/plain; version=0.0.4"),
        "{}",
        response.content_type()
    );
    let text = response.body.as_str().expect("plain text").to_string();
    let parsed = samples(&text);
    (text, parsed)
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app
        .record_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    let found = app
        .get(&format!("/api/v1/violations/{id}"), Role::Reviewer)
        .await;
    assert_eq!(found.status, StatusCode::OK);
    app.get("/api/v1/violations/987654", Role::Reviewer)
        .await
        .assert_problem(404);
    app.get("/no/such/route", Role::Reviewer)
        .await
        .assert_problem(404);

    let (text, metrics) = scrape(&app).await;
    let case = r#"method="GET",route="/api/v1/violations/{id}""#;
    let expected = [
        (
            format!(r#"http_requests_total{{{case},status="200"}}"#),
            1.0,
        ),
        (
            format!(r#"http_requests_total{{{case},status="404"}}"#),
            1.0,
        ),
        (
            r#"http_requests_total{method="POST",route="/api/v1/violations",status="201"}"#.into(),
            1.0,
        ),
        // seed_registry registers five subjects.
        (
            r#"http_requests_total{method="POST",route="/api/v1/subjects",status="201"}"#.into(),
            5.0,
        ),
        (
            r#"http_requests_total{method="GET",route="unmatched",status="404"}"#.into(),
            1.0,
        ),
        (
            format!(r#"http_request_duration_seconds_bucket{{{case},status="200",le="+Inf"}}"#),
            1.0,
        ),
        (
            format!(r#"http_request_duration_seconds_count{{{case},status="404"}}"#),
            1.0,
        ),
        (r#"violations_by_state{state="recorded"}"#.into(), 1.0),
        (r#"violations_by_state{state="approved"}"#.into(), 0.0),
    ];
    for (series, value) in expected {
        assert_eq!(metrics.get(&series), Some(&value), "{series} in\n{text}");
    }
    // Raw paths never become labels: one series per template, whatever the ids.
    assert!(
        !text.contains(&format!("/api/v1/violations/{id}\"")),
        "{text}"
    );
    assert!(!text.contains("/no/such/route"), "{text}");

    // Buckets are cumulative and end at the count; the sum is the total time spent.
    let buckets: Vec<f64> = text
        .lines()
        .filter(|l| {
            l.starts_with(&format!(
                "http_request_duration_seconds_bucket{{{case},status=\"200\","
            ))
        })
        .map(|l| metrics[l.rsplit_once(' ').unwrap().0])
        .collect();
    assert_eq!(buckets.len(), 15, "14 bounds and +Inf");
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    let sum = metrics[&format!(r#"http_request_duration_seconds_sum{{{case},status="200"}}"#)];
    assert!(sum > 0.0 && sum < 20.0, "{sum}");
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    assert!(text.contains("# TYPE http_requests_total counter"));

    let idle = metrics[r#"db_pool_connections{state="idle"}"#];
    let in_use = metrics[r#"db_pool_connections{state="in_use"}"#];
    let max = metrics["db_pool_max_connections"];
    assert!(
        idle + in_use >= 1.0 && idle + in_use <= max,
        "{idle} {in_use} {max}"
    );

    let started = metrics["process_start_time_seconds"];
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    assert!(started <= now && started > now - 600.0, "{started} {now}");
}

#[tokio::test]
async fn the_scrape_counts_itself_and_case_states_follow_the_workflow() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let id = app
        .reviewed_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    app.record_case(PHYSICIAN, "PRAC-IRRATIONAL-PRESCRIPTION")
        .await;
    let (_, first) = scrape(&app).await;
    assert_eq!(first[r#"violations_by_state{state="recorded"}"#], 1.0);
    assert_eq!(first[r#"violations_by_state{state="reviewed"}"#], 1.0);
    let review =
        r#"http_requests_total{method="POST",route="/api/v1/violations/{id}/review",status="200"}"#;
    assert_eq!(first.get(review), Some(&1.0), "case {id}");

    let (text, second) = scrape(&app).await;
    assert_eq!(
        second.get(r#"http_requests_total{method="GET",route="/metrics",status="200"}"#),
        Some(&1.0),
        "{text}"
    );
}
