use std::sync::Arc;
use std::time::Duration;

use governor::clock::FakeRelativeClock;

use super::*;

fn n(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap()
}

#[test]
fn a_burst_is_allowed_then_the_refill_rate_applies() {
    let clock = FakeRelativeClock::default();
    let limiter = ClientLimiter::with_clock(n(60), n(3), clock.clone());
    for _ in 0..3 {
        assert!(limiter.check("a").is_ok());
    }
    let wait = limiter.check("a").unwrap_err();
    assert!(
        wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    assert!(limiter.check("b").is_ok(), "other clients keep theirs");
    // 60 per minute: one request per second.
    clock.advance(Duration::from_secs(1));
    assert!(limiter.check("a").is_ok());
    assert!(limiter.check("a").is_err());
}

#[test]
fn refilled_buckets_are_forgotten_and_busy_ones_kept() {
    let clock = FakeRelativeClock::default();
    let limiter = ClientLimiter::with_clock(n(60), n(100), clock.clone());
    limiter.check("idle").unwrap();
    for _ in 0..100 {
        limiter.check("busy").unwrap();
    }
    assert_eq!(limiter.len(), 2);
    // "idle" is full again after a few seconds; "busy" has only some of its 100 back.
    clock.advance(Duration::from_secs(10));
    limiter.retain_recent();
    assert_eq!(limiter.len(), 1);
    assert!(
        limiter.check("busy").is_ok(),
        "its refilled requests are kept"
    );
    assert!(
        limiter.check("idle").is_ok(),
        "a forgotten client starts afresh"
    );
}

#[tokio::test]
async fn the_cleaner_runs_until_shutdown() {
    let clock = FakeRelativeClock::default();
    let limiter = Arc::new(ClientLimiter::with_clock(n(60), n(1), clock.clone()));
    limiter.check("old").unwrap();
    clock.advance(Duration::from_secs(60));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(
        limiter
            .clone()
            .clean_until(Duration::from_millis(5), stopped),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !limiter.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "never cleaned");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the cleaner stops on shutdown")
        .unwrap();
}

#[tokio::test]
async fn the_cleaner_also_stops_when_the_server_is_gone() {
    let limiter = Arc::new(ClientLimiter::new(n(60), n(1)));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(limiter.clean_until(Duration::from_secs(3600), stopped));
    drop(stop);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("a dropped sender ends the task")
        .unwrap();
}

#[test]
fn ipv6_clients_are_keyed_by_their_64_bit_prefix() {
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
    let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
    let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    assert_eq!(network_of(a), network_of(b));
    assert_ne!(network_of(a), network_of(other));
    let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
    assert_eq!(network_of(mapped).to_string(), "10.0.0.7");
}

#[test]
fn keys_are_the_token_subject_else_the_address() {
    let jwt = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
    let token = jwt.mint(
        crate::auth::Role::Inspector,
        "inspector-7",
        None,
        chrono::Duration::hours(1),
    );
    let peer: SocketAddr = "192.0.2.9:4711".parse().unwrap();
    let request = |authorization: Option<String>| {
        let mut builder = http::Request::builder().uri("/api/v1/subjects");
        if let Some(value) = authorization {
            builder = builder.header(AUTHORIZATION, value);
        }
        let mut request = builder.body(()).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    };
    assert_eq!(
        client_key(&request(Some(format!("Bearer {token}"))), &jwt),
        "inspector:inspector-7"
    );
    let forged = JwtKeys::from_secret(b"another-secret-another-secret-0000").mint(
        crate::auth::Role::Admin,
        "admin",
        None,
        chrono::Duration::hours(1),
    );
    assert_eq!(
        client_key(&request(Some(format!("Bearer {forged}"))), &jwt),
        "ip:192.0.2.9"
    );
    assert_eq!(client_key(&request(None), &jwt), "ip:192.0.2.9");
}

#[test]
fn refusals_say_when_to_retry_in_whole_seconds() {
    for (wait, expected) in [(1200, "2"), (1000, "1"), (10, "1"), (0, "1")] {
        let response = too_many_requests(Duration::from_millis(wait));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[RETRY_AFTER], expected, "{wait} ms");
        assert!(
            response.headers()[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
}
