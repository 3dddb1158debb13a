//! What every handler shares: the database, the configuration, the token keys, the clock and the metrics.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::db::Db;
use crate::read::cache::StandingCache;
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::ServiceResult;
use crate::service::writer::Writer;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub jwt: Arc<JwtKeys>,
    pub clock: Clock,
    /// Request counters and latencies for `/metrics`; per server, not global.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Standings rows read recently, invalidated by the change log (`read::cache`).
    pub standings: Arc<StandingCache>,
    /// Rows read by the bulk imports running on this node.
    pub imports: Arc<crate::service::imports::Progress>,
    /// Seals tip reporters' contact and payment details; `None` when none is configured.
    pub tip_key: Option<Arc<crate::shared::sealed::TipKey>>,
    /// Tips each client (address) may send an hour, on this node (policy `tips.per_client_per_hour`).
    pub tip_limiter: Arc<crate::rate_limit::ClientLimiter>,
}

impl AppState {
    /// The context of one request: the clock read once, and the configuration.
    pub fn ctx(&self) -> Ctx {
        Ctx::new(self.clock.now(), self.config.clone())
    }

    /// A writer for one use case (or several composed): a write transaction, the context and the actor.
    pub async fn writer(&self, actor: Actor) -> ServiceResult<Writer> {
        Writer::begin(&self.db, self.ctx(), actor).await
    }
}

/// The time legal events (approvals, sanction starts, credit cycles) are stamped with. It is the system clock;
/// tests that must cross a year boundary set it from Rust code, which no configuration or request can do.
#[derive(Clone, Default)]
pub struct Clock(Arc<RwLock<Option<DateTime<Utc>>>>);

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.0
            .read()
            .ok()
            .and_then(|fixed| *fixed)
            .unwrap_or_else(Utc::now)
    }

    /// Pins the clock (`Some`) or returns it to the system time (`None`).
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut fixed) = self.0.write() {
            *fixed = at;
        }
    }
}
