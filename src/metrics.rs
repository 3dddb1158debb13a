//! Prometheus metrics (DESIGN §10), in the text exposition format 0.0.4. The format is a few lines of text, so it
//! is written here rather than pulling in a metrics crate and its global registry: the registry lives in
//! `AppState`, one per server, which also keeps tests that run several servers in one process apart.
//!
//! Labels are bounded by construction: `route` is the router's path template (or `unmatched`), never the raw
//! path; `method` folds unknown methods into `OTHER`; `status` is a three-digit code. Scanning random URLs or
//! inventing methods cannot grow the registry.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QuerySelect};

use crate::domain::cases::CaseState;
use crate::state::AppState;

/// What Prometheus expects for the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency histogram, in seconds: from a cached read to a request near the timeout.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub struct Metrics {
    /// Unix time when the counters started from zero; Prometheus uses it to tell a restart from a reset.
    start_time: f64,
    routes: Mutex<BTreeMap<String, ByMethod>>,
}

/// For one route template: method → status → latency histogram (whose count is the request counter).
type ByMethod = BTreeMap<&'static str, BTreeMap<u16, Histogram>>;

#[derive(Default)]
struct Histogram {
    /// Cumulative, as exposed: `buckets[i]` counts requests that took at most `BUCKETS[i]`.
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let start_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Self {
            start_time,
            routes: Mutex::default(),
        }
    }

    pub fn observe(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let seconds = elapsed.as_secs_f64();
        // Counters stay meaningful after a panic elsewhere while the lock was held: every update is complete.
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), BTreeMap::new());
        }
        let Some(by_method) = routes.get_mut(route) else {
            return;
        };
        let stats = by_method
            .entry(method)
            .or_default()
            .entry(status)
            .or_default();
        for (count, bound) in stats.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        stats.sum += seconds;
        stats.count += 1;
    }

    /// The HTTP series and the process start time.
    pub fn render_http(&self, out: &mut String) {
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        header(
            out,
            "http_requests_total",
            "counter",
            "HTTP requests handled, by method, route template and status.",
        );
        for (route, by_method) in routes.iter() {
            for (method, by_status) in by_method {
                for (status, stats) in by_status {
                    let _ = writeln!(
                        out,
                        "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                        escape(route),
                        stats.count
                    );
                }
            }
        }
        header(
            out,
            "http_request_duration_seconds",
            "histogram",
            "Time from receiving a request to sending its response head, by method, route template and status.",
        );
        for (route, by_method) in routes.iter() {
            let route = escape(route);
            for (method, by_status) in by_method {
                for (status, stats) in by_status {
                    let labels =
                        format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
                    stats.render(out, &labels);
                }
            }
        }
        header(
            out,
            "process_start_time_seconds",
            "gauge",
            "Unix time when this server started counting.",
        );
        let _ = writeln!(out, "process_start_time_seconds {}", self.start_time);
    }
}

impl Histogram {
    fn render(&self, out: &mut String, labels: &str) {
        for (count, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(
            out,
            "http_request_duration_seconds_sum{{{labels}}} {}",
            self.sum
        );
        let _ = writeln!(
            out,
            "http_request_duration_seconds_count{{{labels}}} {}",
            self.count
        );
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
pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    state.metrics.render_http(&mut out);
    if let Some(pool) = pool_stats(&state.db.conn) {
        header(
            &mut out,
            "db_pool_connections",
            "gauge",
            "Open database connections by state.",
        );
        let in_use = pool.size.saturating_sub(pool.idle);
        let _ = writeln!(out, "db_pool_connections{{state=\"idle\"}} {}", pool.idle);
        let _ = writeln!(out, "db_pool_connections{{state=\"in_use\"}} {in_use}");
        header(
            &mut out,
            "db_pool_max_connections",
            "gauge",
            "Configured maximum size of the database pool.",
        );
        let _ = writeln!(out, "db_pool_max_connections {}", pool.max);
    }
    match violations_by_state(&state.db.conn).await {
        Ok(counts) => {
            header(
                &mut out,
                "violations_by_state",
                "gauge",
                "Violation cases by workflow state.",
            );
            for (case_state, count) in counts {
                let _ = writeln!(
                    out,
                    "violations_by_state{{state=\"{}\"}} {count}",
                    escape(&case_state)
                );
            }
        }
        // The scrape still carries the HTTP and pool series, which are what explains a database outage.
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count violations"),
    }
    out
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

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
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

/// Label values escape backslash, double quote and newline (exposition format 0.0.4).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
        let mut out = String::new();
        metrics.render_http(&mut out);
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
    fn unknown_methods_and_odd_labels_cannot_break_the_format() {
        let metrics = Metrics::new();
        let odd = Method::from_bytes(b"BREW").unwrap();
        metrics.observe(&odd, "a\"b\\c\nd", 418, Duration::ZERO);
        let mut out = String::new();
        metrics.render_http(&mut out);
        assert!(
            out.contains(
                r#"http_requests_total{method="OTHER",route="a\"b\\c\nd",status="418"} 1"#
            ),
            "{out}"
        );
    }
}
