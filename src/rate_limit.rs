//! Per-client rate limit (DESIGN §10) on the `governor` crate's keyed GCRA limiter (a token bucket in effect):
//! each client may spend `burst` requests at once, refilled at `per_minute`. Callers with a valid bearer token
//! are keyed by `role:sub`, so colleagues behind one hospital NAT do not starve each other; anonymous callers by
//! peer address.
//!
//! Driven from an axum middleware rather than `tower_governor`'s layer, which rounds `Retry-After` down to whole
//! seconds (`0`, "retry now", for any wait under a second) and cannot exempt the probes; the keys, the refusal and
//! the exemptions below are what callers saw before and what the tests pin.
//!
//! The buckets live in this process's memory, so **the limit is per node**: behind a load balancer spreading a
//! client over N nodes, that client may make up to N times the configured rate. Sharing buckets (in the database
//! or a cache) would put a round trip in front of every request; per-node limits are enough to stop a runaway
//! script, which is what this is for.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::error::{problem_response, slug_for_status};

/// Never throttled: probes and scrapers must keep working while a client floods the API, or an orchestrator would
/// restart a healthy node and monitoring would go blind exactly when it matters.
pub const EXEMPT_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// How often buckets that have refilled completely are forgotten. Such a bucket is indistinguishable from a new
/// one, so dropping it changes no answer; it only bounds memory to the clients of roughly the last interval.
pub const CLEAN_INTERVAL: Duration = Duration::from_secs(10);

/// The buckets of every client, keyed by [`client_key`]. The clock is a parameter so tests can move time.
pub struct ClientLimiter<C: Clock = DefaultClock> {
    limiter: RateLimiter<String, DashMapStateStore<String>, C, NoOpMiddleware<C::Instant>>,
}

impl ClientLimiter {
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> Self {
        Self::with_clock(per_minute, burst, DefaultClock::default())
    }

    /// `count` an hour, all of which may be spent at once: the tip intake's limit per client (issue 21).
    pub fn per_hour(count: NonZeroU32) -> Self {
        let quota = Quota::per_hour(count).allow_burst(count);
        Self {
            limiter: RateLimiter::dashmap_with_clock(quota, DefaultClock::default()),
        }
    }
}

impl<C: Clock> ClientLimiter<C> {
    pub fn with_clock(per_minute: NonZeroU32, burst: NonZeroU32, clock: C) -> Self {
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self {
            limiter: RateLimiter::dashmap_with_clock(quota, clock),
        }
    }

    /// Spends one request of `key`'s bucket. `Err(wait)` when it is empty: the time until one is back.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&key.to_string())
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    /// Forgets clients whose buckets are full again (see [`CLEAN_INTERVAL`]).
    pub fn retain_recent(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Number of tracked clients.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

impl<C: Clock + Send + Sync + 'static> ClientLimiter<C> {
    /// Cleans every `every` until `stop` turns true (or its sender is gone): the server's shutdown.
    pub async fn clean_until(self: Arc<Self>, every: Duration, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => self.retain_recent(),
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        break;
                    }
                }
            }
        }
    }
}

/// The middleware's state: the limiter (absent when `MEDCREDIT_RATE_LIMIT_PER_MINUTE=0`) and the token keys that
/// identify callers.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Option<Arc<ClientLimiter>>,
    jwt: Arc<JwtKeys>,
}

impl RateLimit {
    pub fn new(config: &Config, jwt: Arc<JwtKeys>) -> Self {
        let limiter = NonZeroU32::new(config.rate_limit_per_minute).map(|per_minute| {
            // The configuration refuses a burst of 0; `max(1)` only keeps a hand-built `Config` from panicking.
            let burst = NonZeroU32::new(config.rate_limit_burst.max(1)).unwrap_or(NonZeroU32::MIN);
            Arc::new(ClientLimiter::new(per_minute, burst))
        });
        Self { limiter, jwt }
    }

    /// Starts the task that forgets idle clients; it ends when `stop` says so. `None` when the limit is off.
    pub fn spawn_cleaner(&self, stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
        let limiter = self.limiter.clone()?;
        Some(tokio::spawn(limiter.clean_until(CLEAN_INTERVAL, stop)))
    }
}

/// The tip intake's limiter (`AppState::tip_limiter`) forgets idle clients the same way, so that the addresses
/// of everyone who ever sent a tip are not kept in memory for the life of the process.
pub fn spawn_tip_cleaner(
    limiter: Arc<ClientLimiter>,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(limiter.clean_until(CLEAN_INTERVAL, stop))
}

/// Refuses a request over its client's limit with 429 problem+json and `Retry-After` in whole seconds.
pub async fn enforce(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    let Some(limiter) = &limit.limiter else {
        return next.run(request).await;
    };
    if EXEMPT_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let key = client_key(&request, &limit.jwt);
    match limiter.check(&key) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait),
    }
}

/// `role:sub` of a valid token, else `ip:ADDRESS`. The token is verified here and again by the handler's
/// extractor; an HMAC is microseconds, and trusting an unverified `sub` would let anyone pick a victim's bucket.
/// Forwarded-for headers are not trusted either (any client can write them): behind a reverse proxy, anonymous
/// callers share the proxy's bucket, while authenticated ones keep their own.
pub fn client_key<B>(request: &http::Request<B>, jwt: &JwtKeys) -> String {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = token
        && let Ok(claims) = jwt.verify(token)
    {
        return format!("{}:{}", claims.role.as_str(), claims.sub);
    }
    peer_key(request.extensions())
}

/// The key of a caller by address alone (`ip:ADDRESS`, an IPv6 host's /64), for limits that no token lifts.
pub fn peer_key(extensions: &http::Extensions) -> String {
    match extensions.get::<ConnectInfo<SocketAddr>>() {
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
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
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
    // Tells the metrics layer this 429 is the rate limit's, not the look-up quota's.
    response
        .extensions_mut()
        .insert(crate::metrics::Refusal::RateLimit);
    response
}

#[cfg(test)]
mod tests;
