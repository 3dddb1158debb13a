//! Use cases. Each public function is one thing a caller can do, over a caller's transaction (`Writer`) or a
//! connection for reads; none knows HTTP. Errors are `ServiceError`; `routes/` maps them to problem+json.

pub mod actor;
pub mod affiliations;
pub mod appeals;
pub mod audit;
pub mod bans;
pub mod bulk;
pub mod case_rules;
pub mod catalogue;
pub mod context;
pub mod credit;
pub mod effects;
pub mod error;
pub mod idempotency;
pub mod imports;
pub mod lists;
pub mod lookup;
pub mod outward;
pub mod quota;
pub mod repairs;
pub mod sanctions;
pub mod standings;
pub mod subjects;
pub mod views;
pub mod violations;
pub mod voiding;
pub mod webhooks;
pub mod workflow;
pub mod writer;
