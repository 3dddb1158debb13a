//! Clients that send slowly, too much, or nothing, and a stop signal while one of them is connected.

use std::process::Command;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::crash::Server;
use crate::helpers::*;

/// Reads until the server closes the connection (or `within` passes: a failure); returns what it sent.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&received).into_owned()
}

fn host_port(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn silent_slow_and_idle_connections_are_closed_after_the_header_timeout() {
    let app = spawn_app_with(&[("MEDCREDIT_HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let address = host_port(&app);

    // Connected, never a byte.
    let mut silent = TcpStream::connect(&address).await.unwrap();
    read_until_closed(&mut silent, Duration::from_secs(15)).await;

    // One header line every 300 ms: each line arrives in time, the whole head does not.
    let mut slow = TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let trickle = async {
        for i in 0.. {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let line = format!("X-Slow-{i}: 1\r\n");
            if slow.write_all(line.as_bytes()).await.is_err() {
                return;
            }
            // A generous bound: the server gives up after 1 s, the client after 15.
            assert!(started.elapsed() < Duration::from_secs(15), "still open");
        }
    };
    trickle.await;

    // A keep-alive connection whose request was answered, then left idle.
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut idle, Duration::from_secs(15)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn oversized_heads_are_431_problems() {
    let app = spawn_app().await;
    let mut many = app.client.get(format!("{}/healthz", app.address));
    for i in 0..150 {
        many = many.header(format!("x-extra-{i}"), "1");
    }
    let big = app
        .client
        .get(format!("{}/api/v1/subjects", app.address))
        .header("x-big", "a".repeat(200 * 1024));
    for request in [many, big] {
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status.as_u16(), 431, "{body}");
        assert!(
            content_type.starts_with("application/problem+json"),
            "{content_type}"
        );
        assert_eq!(body["status"], 431);
        assert_eq!(body["type"], "/problems/header-fields-too-large");
    }
}

/// The case: one connection has sent half its headers when SIGTERM comes. The process must exit
/// within the grace period (plus start-up slack), not wait for that client.
#[tokio::test]
async fn sigterm_with_a_half_sent_request_exits_within_the_grace_period() {
    let database = TestDatabase::fresh().await;
    let logs = tempfile::tempdir().expect("log dir");
    let settings = [
        ("MEDCREDIT_SHUTDOWN_GRACE_SECS", "2"),
        // Far longer than the test: only the grace period can end this connection.
        ("MEDCREDIT_HEADER_READ_TIMEOUT_SECS", "600"),
    ];
    let mut server = Server::start_with(&database, logs.path(), &settings).await;
    let address = server.api.address.trim_start_matches("http://").to_string();
    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(b"POST /api/v1/subjects HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        .await
        .unwrap();
    // Let the server take the bytes before the signal.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success(), "kill -TERM {pid}");
    let deadline = Instant::now() + Duration::from_secs(12);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 12 s after SIGTERM with a 2 s grace period: {}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}: {}", server.log_text());
    // The half-sent request was cut off, not answered.
    let rest = read_until_closed(&mut half, Duration::from_secs(5)).await;
    assert_eq!(rest, "");
}
