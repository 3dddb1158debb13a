//! sea-orm entities: the shape of the tables, nothing more. Business rules live in `medcredit::domain`.

pub mod affiliation;
pub mod audit_log;
pub mod credit_entry;
pub mod sanction;
pub mod sanction_violation;
pub mod subject;
pub mod violation;
pub mod violation_transition;
pub mod violation_type;
