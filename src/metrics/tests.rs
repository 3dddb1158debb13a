use super::*;

#[test]
fn counters_and_cumulative_histogram() {
    let metrics = Metrics::new();
    let route = "/api/v1/violations/{id}";
    metrics.observe(&Method::GET, route, 200, Duration::from_millis(3));
    metrics.observe(&Method::GET, route, 200, Duration::from_millis(30));
    metrics.observe(&Method::GET, route, 404, Duration::from_secs(20));
    let out = metrics.encode();
    let labels = r#"method="GET",route="/api/v1/violations/{id}""#;
    for line in [
        format!(r#"http_requests_total{{{labels},status="200"}} 2"#),
        format!(r#"http_requests_total{{{labels},status="404"}} 1"#),
        format!(r#"http_request_duration_seconds_bucket{{{labels},status="200",le="0.005"}} 1"#),
        format!(r#"http_request_duration_seconds_bucket{{{labels},status="200",le="0.05"}} 2"#),
        format!(r#"http_request_duration_seconds_bucket{{{labels},status="200",le="+Inf"}} 2"#),
        format!(r#"http_request_duration_seconds_bucket{{{labels},status="404",le="10"}} 0"#),
        format!(r#"http_request_duration_seconds_bucket{{{labels},status="404",le="+Inf"}} 1"#),
        format!(r#"http_request_duration_seconds_count{{{labels},status="200"}} 2"#),
        "# TYPE http_request_duration_seconds histogram".to_string(),
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line} in\n{out}");
    }
    let sum = out
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!(
                "http_request_duration_seconds_sum{{{labels},status=\"200\"}} "
            ))
        })
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap();
    assert!((sum - 0.033).abs() < 1e-9, "{sum}");
}

#[test]
fn each_server_has_a_registry_of_its_own() {
    let (a, b) = (Metrics::new(), Metrics::new());
    a.observe(&Method::GET, "/healthz", 200, Duration::ZERO);
    assert!(
        a.encode()
            .contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#)
    );
    assert!(
        !b.encode().contains("http_requests_total{"),
        "{}",
        b.encode()
    );
    assert!(
        b.encode()
            .contains("# TYPE process_start_time_seconds gauge")
    );
}

#[test]
fn unknown_methods_and_odd_labels_cannot_break_the_format() {
    let metrics = Metrics::new();
    let odd = Method::from_bytes(b"BREW").unwrap();
    metrics.observe(&odd, "a\"b\\c\nd", 418, Duration::ZERO);
    let out = metrics.encode();
    assert!(
        out.contains(r#"http_requests_total{method="OTHER",route="a\"b\\c\nd",status="418"} 1"#),
        "{out}"
    );
}

#[test]
fn refusals_are_told_apart_by_status_and_by_the_rate_limiters_mark() {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let of = |status: StatusCode| Refusal::of(&status.into_response());
    assert_eq!(of(StatusCode::UNAUTHORIZED), Some(Refusal::Auth));
    assert_eq!(of(StatusCode::FORBIDDEN), Some(Refusal::Forbidden));
    assert_eq!(of(StatusCode::TOO_MANY_REQUESTS), Some(Refusal::Quota));
    assert_eq!(of(StatusCode::PAYLOAD_TOO_LARGE), Some(Refusal::TooLarge));
    assert_eq!(of(StatusCode::NOT_FOUND), None);
    let mut limited = StatusCode::TOO_MANY_REQUESTS.into_response();
    limited.extensions_mut().insert(Refusal::RateLimit);
    assert_eq!(Refusal::of(&limited), Some(Refusal::RateLimit));
    let metrics = Metrics::new();
    metrics
        .operator
        .refused("/api/v1/standing/{code}", Refusal::RateLimit);
    assert!(metrics.encode().contains(
        r#"medcredit_http_refusals_total{reason="rate_limit",route="/api/v1/standing/{code}"} 1"#
    ));
}
