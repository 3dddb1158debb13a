//! Prometheus metrics (DESIGN §10) with the `prometheus` crate, in the text exposition format 0.0.4. The
//! [`Registry`] lives in `AppState`, one per server, not the crate's global default: tests that run several
//! servers in one process stay apart, and a second `Application` never fails on "duplicate metric".
//!
//! Labels are bounded by construction: `route` is the router's path template (or `unmatched`), never the raw
//! path, so no code or ID number ever becomes a label; `method` folds unknown methods into `OTHER`; `status` is a
//! three-digit code; `reason` and `subscriber_state` are closed sets. Scanning random URLs or inventing methods
//! cannot grow the registry. The series an operator alerts on (webhook backlog, scheduler, imports, refusals,
//! build and process) are in [`operator`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use crate::domain::cases::CaseState;

pub mod operator;

pub use operator::Refusal;

/// What Prometheus expects for the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency histogram, in seconds: from 0.5 ms, so that the standing target (p99 ≤ 5 ms) can
/// be read from the buckets (`histogram_quantile(0.99, …)` interpolates between 2.5 and 5 ms), up to a request
/// near the timeout.
pub const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
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
    /// Webhook backlog, scheduler, imports, refusals, build and process.
    pub operator: operator::Operator,
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
        let collectors: [Box<dyn prometheus::core::Collector>; 5] = [
            Box::new(requests.clone()),
            Box::new(durations.clone()),
            Box::new(pool_connections.clone()),
            Box::new(pool_max.clone()),
            Box::new(violations.clone()),
        ];
        for collector in collectors {
            registry
                .register(collector)
                .expect("metric names are unique in a fresh registry");
        }
        let operator = operator::Operator::register(&registry);
        Self {
            registry,
            requests,
            durations,
            pool_connections,
            pool_max,
            violations,
            operator,
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
/// 413) and by the fallback (`route="unmatched"`). Runs after routing, so the matched template is known; a
/// refusal (401, 403, 429, 413, 431) is also counted by route template and reason.
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
    if let Some(reason) = Refusal::of(&response) {
        metrics.operator.refused(route, reason);
    }
    response
}

/// The whole scrape: HTTP series, pool gauges, case counts and the webhook backlog (queried now, so they are
/// never stale), and the imports running on this node.
pub async fn render(
    metrics: &Metrics,
    db: &DatabaseConnection,
    imports: &crate::service::imports::Progress,
) -> String {
    metrics.operator.imports_running.set(imports.running());
    metrics.operator.webhooks(db).await;
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

/// Every known state, zero included, so a series does not vanish when its last case moves on. Read from the
/// statistics counters (each transition adds one to the state entered and takes one from the state left), so
/// a scrape never scans the cases: the yearly roll-ups, a row per year, prefecture and kind.
async fn violations_by_state(conn: &DatabaseConnection) -> Result<BTreeMap<String, i64>, DbErr> {
    use crate::domain::stats::Metric;
    use crate::domain::stats::grains::Grain;
    use entity::stat_rollup::{Column, Entity};
    use sea_orm::sea_query::Expr;
    let metrics: Vec<(&str, CaseState)> = CaseState::ALL
        .iter()
        .map(|s| (Metric::in_state(*s).as_str(), *s))
        .collect();
    let rows: Vec<(String, Option<i64>)> = Entity::find()
        .select_only()
        .column(Column::Metric)
        .column_as(Expr::cust("CAST(SUM(value) AS BIGINT)"), "n")
        .filter(Column::Metric.is_in(metrics.iter().map(|(m, _)| *m)))
        .filter(Column::Grain.eq(Grain::Year.as_str()))
        .group_by(Column::Metric)
        .into_tuple()
        .all(conn)
        .await?;
    let mut counts: BTreeMap<String, i64> = CaseState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for (metric, n) in rows {
        if let Some((_, state)) = metrics.iter().find(|(m, _)| *m == metric) {
            counts.insert(state.as_str().to_string(), n.unwrap_or(0));
        }
    }
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
mod tests;
