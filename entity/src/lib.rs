//! sea-orm entities: the shape of the tables, nothing more. Business rules live in `medcredit::domain`.

pub mod affiliation;
pub mod audit_log;
pub mod subject;
