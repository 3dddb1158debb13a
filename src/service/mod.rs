//! Use cases. Each public function is one thing a caller can do, over a caller's transaction (`Writer`) or a
//! connection for reads; none knows HTTP. Errors are `ServiceError`; `routes/` maps them to problem+json.

/// Shared with the read side; named here too, so that use cases keep their paths.
pub use crate::shared::{actor, context, error, lookup, outward, quota, views};

pub mod affiliations;
pub mod announce;
pub mod appeals;
pub mod audit;
pub mod awards;
pub mod bans;
pub mod bonuses;
pub mod bulk;
pub mod cases;
pub mod catalogue;
pub mod commitments;
pub mod credit;
pub mod exports;
pub mod idempotency;
pub mod imports;
pub mod lists;
pub mod notices;
pub mod repair_activities;
pub mod repairs;
pub mod sanctions;
pub mod screenings;
pub mod standings;
pub mod stats;
pub mod subjects;
pub mod suspicions;
pub mod tips;
pub mod webhooks;
pub mod writer;
