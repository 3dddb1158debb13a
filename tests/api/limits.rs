//! Limits that protect the service: per-client rate limit, request timeout, page size and body size.
//!
//! Malformed bodies at the top level (bad JSON, non-UTF-8 bytes, deep nesting, 2 MiB with a Content-Length) are
//! covered by `errors::malformed_bodies_are_problems`; this file adds the variants that take other code paths.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

const LOW_LIMIT: [(&str, &str); 2] = [
    ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "60"),
    ("MEDCREDIT_RATE_LIMIT_BURST", "3"),
];

/// Sends four requests at once (so the one-per-second refill cannot add a token in between) and returns their
/// statuses, sorted.
async fn four_at_once(app: &TestApp, path: &str, tokens: [Option<String>; 4]) -> Vec<TestResponse> {
    let [a, b, c, d] = tokens;
    let (a, b, c, d) = tokio::join!(
        app.send(Method::GET, path, a.as_deref(), None),
        app.send(Method::GET, path, b.as_deref(), None),
        app.send(Method::GET, path, c.as_deref(), None),
        app.send(Method::GET, path, d.as_deref(), None),
    );
    let mut responses = vec![a, b, c, d];
    responses.sort_by_key(|r| r.status);
    responses
}

#[tokio::test]
async fn a_token_over_its_limit_gets_429_and_others_are_unaffected() {
    let app = spawn_app_with(&LOW_LIMIT).await;
    let token = app.token_for(Role::Inspector, "inspector-1", None);
    let responses = four_at_once(
        &app,
        "/api/v1/subjects",
        [(); 4].map(|_| Some(token.clone())),
    )
    .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    let refused = &responses[3];
    refused.assert_problem(429);
    assert_eq!(refused.body["type"], "/problems/too-many-requests");
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // Another subject, even with the same role, has a bucket of its own.
    let colleague = app.token_for(Role::Inspector, "inspector-2", None);
    let other = app
        .send(Method::GET, "/api/v1/subjects", Some(&colleague), None)
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    // The throttled token's requests do not use up the address: anonymous callers from it are not limited yet.
    let anonymous = app.send(Method::GET, "/api/v1/subjects", None, None).await;
    anonymous.assert_problem(401);

    // The refusals are counted by route template like any response.
    let metrics = app.send(Method::GET, "/metrics", None, None).await;
    let text = metrics.body.as_str().unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/subjects",status="429"} 1"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn anonymous_and_forged_token_callers_are_limited_by_address() {
    let app = spawn_app_with(&LOW_LIMIT).await;
    // A forged token cannot buy a fresh bucket: an unverifiable subject counts as the caller's address.
    let forged = |sub: &str| {
        medcredit::auth::JwtKeys::from_secret(b"not-the-server-secret-not-the-server").mint(
            Role::Admin,
            sub,
            None,
            chrono::Duration::hours(1),
        )
    };
    let tokens = [None, Some(forged("x1")), Some(forged("x2")), None];
    let responses = four_at_once(&app, "/api/v1/subjects", tokens).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [401, 401, 401, 429]);
    assert!(responses[3].headers.contains_key("retry-after"));

    // A valid token from the same address keys by its subject, so it still works.
    let ok = app.get("/api/v1/subjects", Role::Auditor).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    // Probes and the scraper are never throttled, even for an address that is: fifteen quick requests, where the
    // bucket would allow at most a few even if refilled.
    for _ in 0..5 {
        for path in ["/healthz", "/readyz", "/metrics"] {
            let response = app.send(Method::GET, path, None, None).await;
            assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
        }
    }
}

#[tokio::test]
async fn a_zero_rate_turns_the_limiter_off() {
    let app = spawn_app_with(&[
        ("MEDCREDIT_RATE_LIMIT_PER_MINUTE", "0"),
        ("MEDCREDIT_RATE_LIMIT_BURST", "1"),
    ])
    .await;
    let token = app.token(Role::Auditor);
    let responses = four_at_once(
        &app,
        "/api/v1/subjects",
        [(); 4].map(|_| Some(token.clone())),
    )
    .await;
    assert!(responses.iter().all(|r| r.status == StatusCode::OK));
}

/// Writes `head` and then `body` (if any) on a raw connection and returns the status and the response text. Raw,
/// because reqwest here cannot hold a body back or send one chunked.
async fn raw_exchange(app: &TestApp, head: String, body: Option<Vec<u8>>) -> (u16, String) {
    let address = app.address.trim_start_matches("http://");
    let (mut reader, mut writer) = TcpStream::connect(address).await.unwrap().into_split();
    // Written from a task of its own, so a server that answers before reading everything cannot block the test;
    // the write half then stays open (closing it would end the body early) until the response is in.
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await.unwrap();
        if let Some(body) = body {
            // The server may answer and close before reading it all; that is the point, so errors are fine.
            let _ = writer.write_all(&body).await;
        }
        std::future::pending::<()>().await;
        drop(writer);
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        let mut chunk = [0u8; 4096];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
            // One response is all we wait for: stop once its JSON body is complete.
            let text = String::from_utf8_lossy(&received);
            if let Some((_, body)) = text.split_once("\r\n\r\n")
                && serde_json::from_str::<serde_json::Value>(body.trim()).is_ok()
            {
                break;
            }
        }
    })
    .await;
    writing.abort();
    assert!(read.is_ok(), "no response within 20 s");
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn assert_raw_problem(status: u16, text: &str, expected: u16) {
    assert_eq!(status, expected, "{text}");
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    let problem: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    assert_eq!(problem["status"], expected);
}

#[tokio::test]
async fn a_request_that_outlives_the_timeout_gets_408() {
    let app = spawn_app_with(&[("MEDCREDIT_REQUEST_TIMEOUT_SECS", "1")]).await;
    // The client announces a body and never sends it; the handler waits for it until the timeout abandons it.
    let head = format!(
        "POST /api/v1/subjects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        app.token(Role::Inspector)
    );
    let started = std::time::Instant::now();
    let (status, text) = raw_exchange(&app, head, None).await;
    assert_raw_problem(status, &text, 408);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert!(text.contains("/problems/timeout"), "{text}");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_cut_at_1_mib() {
    let app = spawn_app().await;
    // No Content-Length to refuse up front: the limit must be enforced while the body streams in.
    let head = format!(
        "POST /api/v1/subjects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.token(Role::Inspector)
    );
    let mut body = Vec::new();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..32 {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = raw_exchange(&app, head, Some(body)).await;
    assert_raw_problem(status, &text, 413);
}

#[tokio::test]
async fn every_list_refuses_pages_over_500() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let hook = app
        .post(
            "/api/v1/webhooks",
            Role::Admin,
            &json!({"url": "https://partner.example/hook", "events": ["list.added"]}),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let hook = hook.body["id"].to_string();
    // Taken from the document, so a list added later is covered without editing this test.
    let spec: serde_json::Value = serde_json::from_str(&medcredit::openapi::spec_json()).unwrap();
    let mut lists = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        if params
            .iter()
            .any(|p| p["name"] == "limit" && p["in"] == "query")
        {
            let code = if path.ends_with("/affiliations") {
                PHYSICIAN
            } else {
                INSTITUTION
            };
            lists.push(path.replace("{code}", code).replace("{id}", &hook));
        }
    }
    assert!(lists.len() >= 4, "{lists:?}");
    for path in lists {
        let refused = app.get(&format!("{path}?limit=501"), Role::Admin).await;
        refused.assert_problem(422);
        assert_eq!(refused.error_fields(), ["limit"], "{path}");
        let full = app.get(&format!("{path}?limit=500"), Role::Admin).await;
        assert_eq!(full.status, StatusCode::OK, "{path}: {}", full.body);
    }
}

#[tokio::test]
async fn hostile_json_for_an_untyped_body_is_a_clean_4xx() {
    let app = spawn_app().await;
    let token = app.token(Role::Inspector);
    // Recording a case reads the body as untyped JSON first (for the idempotency hash), so nothing stops at the
    // first unexpected token as it does for typed bodies: serde's depth limit must, not the stack.
    let nested = format!(
        r#"{{"subject_code":"{PHYSICIAN}","description":{}"x"{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let cases: Vec<Vec<u8>> = vec![
        nested.into_bytes(),
        // Invalid UTF-8 inside a string, and an escape that is not a character (lone surrogate).
        b"{\"description\":\"\xff\xfe\"}".to_vec(),
        br#"{"description":"\ud800"}"#.to_vec(),
    ];
    for body in cases {
        let response = app
            .client
            .post(format!("{}/api/v1/violations", app.address))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let text = response.text().await.unwrap();
        assert!(status.is_client_error(), "{status}: {text}");
        assert!(
            content_type.starts_with("application/problem+json"),
            "{text}"
        );
    }
    let health = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK, "the server survived");
    let cases = app.get("/api/v1/violations", Role::Admin).await;
    assert_eq!(cases.body["items"], json!([]), "nothing was recorded");
}
