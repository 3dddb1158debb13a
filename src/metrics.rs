//! Prometheus metrics (DESIGN §10) with the `prometheus` crate, in the text exposition format 0.0.4. The
//! [`Registry`] lives in `AppState`, one per server, not the crate's global default: tests that run several
//! servers in one process stay apart, and a second `Application` never fails on "duplicate metric".
//!
//! Labels are bounded by construction: `route` is the router's path template (or `unmatched`), never the raw
//! path; `method` folds unknown methods into `OTHER`; `status` is a three-digit code. Scanning random URLs or
//! inventing methods cannot grow the registry.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QuerySelect};

use crate::domain::cases::CaseState;

/// What Prometheus expects for the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency histogram, in seconds: from a cached read to a request near the timeout.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const HTTP_LABELS: [&str; 3] = ["method", "route", "status"];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    /// Set at scrape time from the pool and the database, so they are never stale.
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    violations: IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests handled, by method, route template and status.",
            ),
            &HTTP_LABELS,
        )
        .expect("valid metric");
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from receiving a request to sending its response head, by method, route template and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &HTTP_LABELS,
        )
        .expect("valid metric");
        // Unix time when the counters started from zero; Prometheus uses it to tell a restart from a reset. Per
        // server (not the process collector's), as the counters are.
        let start_time = Gauge::new(
            "process_start_time_seconds",
            "Unix time when this server started counting.",
        )
        .expect("valid metric");
        start_time.set(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        );
        let pool_connections = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Open database connections by state."),
            &["state"],
        )
        .expect("valid metric");
        let pool_max = IntGauge::new(
            "db_pool_max_connections",
            "Configured maximum size of the database pool.",
        )
        .expect("valid metric");
        let violations = IntGaugeVec::new(
            Opts::new("violations_by_state", "Violation cases by workflow state."),
            &["state"],
        )
        .expect("valid metric");
        let collectors: [Box<dyn prometheus::core::Collector>; 6] = [
            Box::new(requests.clone()),
            Box::new(durations.clone()),
            Box::new(start_time),
            Box::new(pool_connections.clone()),
            Box::new(pool_max.clone()),
            Box::new(violations.clone()),
        ];
        for collector in collectors {
            registry
                .register(collector)
                .expect("metric names are unique in a fresh registry");
        }
        Self {
            registry,
            requests,
            durations,
            pool_connections,
            pool_max,
            violations,
        }
    }

    pub fn observe(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        let labels = [method_label(method), route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.durations
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Everything registered, in the text format.
    pub fn encode(&self) -> String {
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "metrics: cannot encode");
                String::new()
            })
    }
}

/// Middleware counting every response, including those made by outer layers' rejections further in (429, 408,
/// 413) and by the fallback (`route="unmatched"`). Runs after routing, so the matched template is known.
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    metrics.observe(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The whole scrape: HTTP series, pool gauges and case counts (queried now, so they are never stale).
pub async fn render(metrics: &Metrics, db: &DatabaseConnection) -> String {
    if let Some(pool) = pool_stats(db) {
        let in_use = pool.size.saturating_sub(pool.idle);
        metrics
            .pool_connections
            .with_label_values(&["idle"])
            .set(pool.idle.into());
        metrics
            .pool_connections
            .with_label_values(&["in_use"])
            .set(in_use.into());
        metrics.pool_max.set(pool.max.into());
    }
    match violations_by_state(db).await {
        Ok(counts) => {
            for (case_state, count) in counts {
                metrics
                    .violations
                    .with_label_values(&[case_state.as_str()])
                    .set(count);
            }
        }
        // Dropped rather than left at the last values, which would look current. The scrape still carries the
        // HTTP and pool series, which are what explains a database outage.
        Err(e) => {
            metrics.violations.reset();
            tracing::warn!(error = %e, "metrics: cannot count violations");
        }
    }
    metrics.encode()
}

struct PoolStats {
    size: u32,
    idle: u32,
    max: u32,
}

fn pool_stats(conn: &DatabaseConnection) -> Option<PoolStats> {
    fn of<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> PoolStats {
        PoolStats {
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }
    // The accessors panic on the wrong backend, hence the match on the backend first.
    match conn.get_database_backend() {
        DbBackend::Sqlite => Some(of(conn.get_sqlite_connection_pool())),
        DbBackend::Postgres => Some(of(conn.get_postgres_connection_pool())),
        _ => None,
    }
}

/// Every known state, zero included, so a series does not vanish when its last case moves on.
async fn violations_by_state(conn: &DatabaseConnection) -> Result<BTreeMap<String, i64>, DbErr> {
    use entity::violation::{Column, Entity};
    let rows: Vec<(String, i64)> = Entity::find()
        .select_only()
        .column(Column::State)
        .column_as(Column::Id.count(), "n")
        .group_by(Column::State)
        .into_tuple()
        .all(conn)
        .await?;
    let mut counts: BTreeMap<String, i64> = CaseState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    counts.extend(rows);
    Ok(counts)
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
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
            format!(
                r#"http_request_duration_seconds_bucket{{{labels},status="200",le="0.005"}} 1"#
            ),
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
            out.contains(
                r#"http_requests_total{method="OTHER",route="a\"b\\c\nd",status="418"} 1"#
            ),
            "{out}"
        );
    }
}
