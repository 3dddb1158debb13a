//! Per-client rate limit (DESIGN §10): a token bucket per caller. Callers with a valid bearer token are keyed by
//! `role:sub`, so colleagues behind one hospital NAT do not starve each other; anonymous callers by peer address.
//!
//! The buckets live in this process's memory, so **the limit is per node**: behind a load balancer spreading a
//! client over N nodes, that client may make up to N times the configured rate. Sharing buckets (in the database
//! or a cache) would put a round trip in front of every request; per-node limits are enough to stop a runaway
//! script, which is what this is for.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{problem_response, slug_for_status};
use crate::state::AppState;

/// Never throttled: probes and scrapers must keep working while a client floods the API, or an orchestrator would
/// restart a healthy node and monitoring would go blind exactly when it matters.
pub const EXEMPT_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Upper bound on tracked clients. Idle buckets are swept anyway; the cap bounds memory when very many distinct
/// addresses arrive within one sweep interval (a scan from many hosts).
const MAX_BUCKETS: usize = 100_000;
/// How often idle buckets are dropped; a sweep is O(buckets), so not on every request.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Token buckets: each client may spend `burst` requests at once, refilled at `per_minute / 60` per second.
pub struct RateLimiter {
    /// Tokens added per second.
    rate: f64,
    burst: f64,
    inner: Mutex<Buckets>,
}

struct Buckets {
    map: HashMap<String, Bucket>,
    last_sweep: Instant,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `per_minute` and `burst` must be positive (the configuration guarantees it; `0` means no limiter at all).
    pub fn new(per_minute: u32, burst: u32, now: Instant) -> Self {
        Self {
            rate: f64::from(per_minute.max(1)) / 60.0,
            burst: f64::from(burst.max(1)),
            inner: Mutex::new(Buckets {
                map: HashMap::new(),
                last_sweep: now,
            }),
        }
    }

    /// Spends one token of `key`'s bucket at `now`. `Err(wait)` when the bucket is empty: the time until one
    /// token is back. Time is a parameter so tests can move it without sleeping.
    pub fn check(&self, key: String, now: Instant) -> Result<(), Duration> {
        // A panic while holding the lock cannot leave the map inconsistent (every update is one assignment).
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let buckets = &mut *guard;
        if now.saturating_duration_since(buckets.last_sweep) >= SWEEP_INTERVAL {
            self.sweep(&mut buckets.map, now);
            buckets.last_sweep = now;
        }
        if buckets.map.len() >= MAX_BUCKETS && !buckets.map.contains_key(&key) {
            self.make_room(&mut buckets.map, now);
        }
        let bucket = buckets.map.entry(key).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        bucket.tokens = self.refilled(bucket, now);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }

    /// Number of tracked clients.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.rate).min(self.burst)
    }

    /// A bucket that has refilled completely is indistinguishable from a new one, so dropping it changes nothing.
    fn sweep(&self, map: &mut HashMap<String, Bucket>, now: Instant) {
        map.retain(|_, bucket| self.refilled(bucket, now) < self.burst);
    }

    /// At the cap: drop full buckets, and if that is not enough, the least recently used half. Those clients get
    /// a fresh burst — the lenient failure — and halving keeps the O(n) work rare (amortised O(1) per new client).
    fn make_room(&self, map: &mut HashMap<String, Bucket>, now: Instant) {
        self.sweep(map, now);
        if map.len() < MAX_BUCKETS {
            return;
        }
        let mut ages: Vec<Instant> = map.values().map(|b| b.updated).collect();
        let middle = ages.len() / 2;
        let (_, median, _) = ages.select_nth_unstable(middle);
        let median = *median;
        map.retain(|_, bucket| bucket.updated > median);
    }
}

/// The middleware's state: the limiter (absent when `MEDCREDIT_RATE_LIMIT_PER_MINUTE=0`) and the app state, whose
/// token keys identify callers.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Option<Arc<RateLimiter>>,
    state: AppState,
}

impl RateLimit {
    pub fn new(state: &AppState) -> Self {
        let config = &state.config;
        let limiter = (config.rate_limit_per_minute > 0).then(|| {
            Arc::new(RateLimiter::new(
                config.rate_limit_per_minute,
                config.rate_limit_burst,
                Instant::now(),
            ))
        });
        Self {
            limiter,
            state: state.clone(),
        }
    }
}

/// Refuses a request over its client's limit with 429 problem+json and `Retry-After` in whole seconds.
pub async fn enforce(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    let Some(limiter) = &limit.limiter else {
        return next.run(request).await;
    };
    if EXEMPT_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let key = client_key(&request, &limit.state);
    match limiter.check(key, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait),
    }
}

/// `role:sub` of a valid token, else `ip:ADDRESS`. The token is verified here and again by the handler's
/// extractor; an HMAC is microseconds, and trusting an unverified `sub` would let anyone pick a victim's bucket.
/// Forwarded-for headers are not trusted either (any client can write them): behind a reverse proxy, anonymous
/// callers share the proxy's bucket, while authenticated ones keep their own.
fn client_key(request: &Request, state: &AppState) -> String {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = token
        && let Ok(claims) = state.jwt.verify(token)
    {
        return format!("{}:{}", claims.role.as_str(), claims.sub);
    }
    match request.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => format!("ip:{}", network_of(peer.ip())),
        // Only when served without connect info (router unit tests): everyone shares one bucket.
        None => "ip:unknown".to_string(),
    }
}

/// IPv6 hosts usually own a whole /64 and can rotate addresses inside it at will; keying by the /64 keeps one host
/// to one bucket (and keeps the map from filling with one client's addresses).
fn network_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

fn too_many_requests(wait: Duration) -> Response {
    // Rounded up: retrying after a rounded-down wait would be refused again.
    let seconds = (wait.as_secs_f64().ceil() as u64).max(1);
    let status = StatusCode::TOO_MANY_REQUESTS;
    let mut response = problem_response(
        status,
        slug_for_status(status),
        format!("rate limit exceeded for this client; retry in {seconds} s"),
        None,
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_refill_rate_applies() {
        let start = Instant::now();
        let limiter = RateLimiter::new(60, 3, start);
        for _ in 0..3 {
            assert!(limiter.check("a".into(), start).is_ok());
        }
        let wait = limiter.check("a".into(), start).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(
            limiter.check("b".into(), start).is_ok(),
            "other clients keep theirs"
        );
        // 60 per minute: one token per second.
        assert!(
            limiter
                .check("a".into(), start + Duration::from_secs(1))
                .is_ok()
        );
        assert!(
            limiter
                .check("a".into(), start + Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn idle_buckets_are_swept_and_busy_ones_kept() {
        let start = Instant::now();
        let limiter = RateLimiter::new(60, 100, start);
        limiter.check("idle".into(), start).unwrap();
        assert_eq!(limiter.len(), 1);
        // The sweep runs on the first request after the interval; "idle" has refilled by then and goes.
        let later = start + SWEEP_INTERVAL;
        for _ in 0..100 {
            limiter.check("busy".into(), later).unwrap();
        }
        assert_eq!(limiter.len(), 1);
        // One interval on, "busy" has 60 of its 100 tokens back: not full, so it must stay.
        limiter
            .check("other".into(), later + SWEEP_INTERVAL)
            .unwrap();
        assert_eq!(limiter.len(), 2);
        assert!(limiter.check("busy".into(), later + SWEEP_INTERVAL).is_ok());
    }

    #[test]
    fn the_number_of_buckets_is_capped() {
        let start = Instant::now();
        let limiter = RateLimiter::new(1, 1, start);
        for i in 0..MAX_BUCKETS + 10 {
            let now = start + Duration::from_micros(i as u64);
            limiter.check(format!("ip:{i}"), now).unwrap();
        }
        assert!(limiter.len() <= MAX_BUCKETS);
        assert!(limiter.len() > 10, "only the oldest half went");
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
    fn refusals_say_when_to_retry_in_whole_seconds() {
        let response = too_many_requests(Duration::from_millis(1200));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[RETRY_AFTER], "2");
        assert!(
            response.headers()[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
}
