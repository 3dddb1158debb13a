//! sea-orm entities: the shape of the tables, nothing more. Business rules live in `medcredit::domain`.

pub mod affiliation;
pub mod appeal;
pub mod audit_log;
pub mod change;
pub mod credit_entry;
pub mod idempotency_key;
pub mod import;
pub mod list_entry;
pub mod list_entry_violation;
pub mod lookup_quota;
pub mod outbox;
pub mod red_proposal;
pub mod repair;
pub mod sanction;
pub mod sanction_violation;
pub mod scheduled_day;
pub mod screening;
pub mod standing;
pub mod subject;
pub mod suspicion;
pub mod tip;
pub mod tip_case;
pub mod violation;
pub mod violation_transition;
pub mod violation_type;
pub mod webhook;
