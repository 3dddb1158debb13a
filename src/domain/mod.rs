//! Pure rules of credit supervision: no HTTP, no storage, only data in and decisions out.
//! Everything here is unit-tested in place and reused by `service/` and `routes/`.

pub mod cases;
pub mod dates;
pub mod enums;
pub mod identifiers;
pub mod masking;
pub mod policy;
#[cfg(test)]
mod properties;
pub mod sanctions;
pub mod scoring;
pub mod subject;
