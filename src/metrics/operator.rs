//! The series an operator alerts on (issue 24): what the build is, how the process fares, whether webhook
//! deliveries are piling up or failing, when the date scheduler last ran, which imports run, and which requests
//! are refused and why. The README's Metrics section lists them with an alert rule for each worry.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use prometheus::{Gauge, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

/// Why a request was refused: a closed set, so the label cannot grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The client's token bucket was empty (429 from the rate limit).
    RateLimit,
    /// A partner's daily look-ups of people are spent (429 from the quota).
    Quota,
    /// No token, or one that is expired, forged or from the future (401).
    Auth,
    /// The role may not do this, or the subject is not the caller's (403).
    Forbidden,
    /// The body or the request head is over its limit (413, 431).
    TooLarge,
}

impl Refusal {
    pub const ALL: [Refusal; 5] = [
        Refusal::RateLimit,
        Refusal::Quota,
        Refusal::Auth,
        Refusal::Forbidden,
        Refusal::TooLarge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::RateLimit => "rate_limit",
            Refusal::Quota => "quota",
            Refusal::Auth => "auth",
            Refusal::Forbidden => "forbidden",
            Refusal::TooLarge => "too_large",
        }
    }

    /// The refusal a response is, if any. The rate limiter marks its own 429s (see `rate_limit`); every other 429
    /// is the look-up quota's.
    pub fn of(response: &Response) -> Option<Refusal> {
        if let Some(marked) = response.extensions().get::<Refusal>() {
            return Some(*marked);
        }
        match response.status() {
            StatusCode::UNAUTHORIZED => Some(Refusal::Auth),
            StatusCode::FORBIDDEN => Some(Refusal::Forbidden),
            StatusCode::TOO_MANY_REQUESTS => Some(Refusal::Quota),
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
                Some(Refusal::TooLarge)
            }
            _ => None,
        }
    }
}

/// A webhook subscriber is `active` or `paused` (a delivery failed for good; its queue waits for its owner).
const SUBSCRIBER_STATES: [&str; 2] = ["active", "paused"];

pub struct Operator {
    refusals: IntCounterVec,
    webhook_backlog: IntGaugeVec,
    webhook_failed: IntGaugeVec,
    webhooks: IntGaugeVec,
    scheduler_last_success: Gauge,
    scheduler_failures: IntCounter,
    /// Bulk imports running on this node (set at scrape time).
    pub imports_running: IntGauge,
}

fn must<T>(metric: prometheus::Result<T>) -> T {
    metric.expect("valid metric")
}

impl Operator {
    pub fn register(registry: &Registry) -> Self {
        let build_info = must(IntGaugeVec::new(
            Opts::new(
                "medcredit_build_info",
                "Always 1; the labels say which build answers (version, and debug or release).",
            ),
            &["version", "profile"],
        ));
        let profile = if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        };
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), profile])
            .set(1);
        let refusals = must(IntCounterVec::new(
            Opts::new(
                "medcredit_http_refusals_total",
                "Requests refused, by route template and reason (rate_limit, quota, auth, forbidden, too_large).",
            ),
            &["route", "reason"],
        ));
        let webhook_backlog = must(IntGaugeVec::new(
            Opts::new(
                "medcredit_webhook_backlog",
                "Webhook deliveries not yet delivered (pending or being sent), by subscriber state.",
            ),
            &["subscriber_state"],
        ));
        let webhook_failed = must(IntGaugeVec::new(
            Opts::new(
                "medcredit_webhook_failed_deliveries",
                "Webhook deliveries that failed for good (after every retry), by subscriber state.",
            ),
            &["subscriber_state"],
        ));
        let webhooks = must(IntGaugeVec::new(
            Opts::new(
                "medcredit_webhooks",
                "Webhook subscribers, by state (paused: a delivery failed for good).",
            ),
            &["subscriber_state"],
        ));
        let scheduler_last_success = must(Gauge::new(
            "medcredit_date_scheduler_last_success_timestamp_seconds",
            "Unix time of this node's last successful pass of the date scheduler (0: none yet, or off here).",
        ));
        let scheduler_failures = must(IntCounter::new(
            "medcredit_date_scheduler_failures_total",
            "Passes of the date scheduler on this node that failed.",
        ));
        let imports_running = must(IntGauge::new(
            "medcredit_imports_running",
            "Bulk imports running on this node.",
        ));
        let collectors: [Box<dyn prometheus::core::Collector>; 8] = [
            Box::new(build_info),
            Box::new(refusals.clone()),
            Box::new(webhook_backlog.clone()),
            Box::new(webhook_failed.clone()),
            Box::new(webhooks.clone()),
            Box::new(scheduler_last_success.clone()),
            Box::new(scheduler_failures.clone()),
            Box::new(imports_running.clone()),
        ];
        for collector in collectors {
            registry
                .register(collector)
                .expect("metric names are unique in a fresh registry");
        }
        register_process(registry);
        Self {
            refusals,
            webhook_backlog,
            webhook_failed,
            webhooks,
            scheduler_last_success,
            scheduler_failures,
            imports_running,
        }
    }

    pub fn refused(&self, route: &str, reason: Refusal) {
        self.refusals
            .with_label_values(&[route, reason.as_str()])
            .inc();
    }

    pub fn scheduler_succeeded(&self, at: DateTime<Utc>) {
        self.scheduler_last_success
            .set(at.timestamp_millis() as f64 / 1000.0);
    }

    pub fn scheduler_failed(&self) {
        self.scheduler_failures.inc();
    }

    /// Sets the webhook gauges from the database (every state, zero included, so no series vanishes). On an
    /// error they are dropped rather than left at values that would look current.
    pub async fn webhooks(&self, db: &DatabaseConnection) {
        let gauges = [&self.webhook_backlog, &self.webhook_failed, &self.webhooks];
        match webhook_counts(db).await {
            Ok(counts) => {
                for (i, state) in SUBSCRIBER_STATES.iter().enumerate() {
                    for (gauge, value) in gauges.iter().zip(counts[i]) {
                        gauge.with_label_values(&[state]).set(value);
                    }
                }
            }
            Err(e) => {
                for gauge in gauges {
                    gauge.reset();
                }
                tracing::warn!(error = %e, "metrics: cannot count webhook deliveries");
            }
        }
    }
}

/// CPU, memory, open file descriptors, threads and start time of the process (`process_*`), read from /proc.
#[cfg(target_os = "linux")]
fn register_process(registry: &Registry) {
    let collector = prometheus::process_collector::ProcessCollector::for_self();
    registry
        .register(Box::new(collector))
        .expect("process metrics are registered once per registry");
}

/// Elsewhere only the start time, which Prometheus needs to tell a restart from a counter reset.
#[cfg(not(target_os = "linux"))]
fn register_process(registry: &Registry) {
    let start = must(Gauge::new(
        "process_start_time_seconds",
        "Unix time when this server started counting.",
    ));
    start.set(Utc::now().timestamp_millis() as f64 / 1000.0);
    registry
        .register(Box::new(start))
        .expect("metric names are unique in a fresh registry");
}

/// `[backlog, failed, subscribers]` for active (index 0) and paused (index 1) subscribers. Deleted webhooks are
/// left out: their rows are never sent again. The status index keeps the outbox scan to undelivered rows.
async fn webhook_counts(db: &DatabaseConnection) -> Result<[[i64; 3]; 2], DbErr> {
    let backend = db.get_database_backend();
    let state = "CASE WHEN w.paused_at IS NULL THEN 0 ELSE 1 END";
    let deliveries = format!(
        "SELECT {state} AS paused, CASE WHEN o.status = 'failed' THEN 1 ELSE 0 END AS failed, COUNT(*) AS n
         FROM outbox AS o JOIN webhooks AS w ON w.id = o.webhook_id
         WHERE w.deleted_at IS NULL AND o.status IN ('pending', 'sending', 'failed')
         GROUP BY 1, 2"
    );
    let subscribers = format!(
        "SELECT {state} AS paused, 2 AS failed, COUNT(*) AS n FROM webhooks AS w
         WHERE w.deleted_at IS NULL GROUP BY 1"
    );
    let mut counts = [[0i64; 3]; 2];
    for sql in [deliveries, subscribers] {
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await?
        {
            let paused: i32 = row.try_get("", "paused")?;
            let column: i32 = row.try_get("", "failed")?;
            let n: i64 = row.try_get("", "n")?;
            let (Ok(i), Ok(j)) = (usize::try_from(paused), usize::try_from(column)) else {
                continue;
            };
            if let Some(cell) = counts.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = n;
            }
        }
    }
    Ok(counts)
}
