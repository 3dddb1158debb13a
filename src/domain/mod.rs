//! Pure rules of credit supervision: no HTTP, no storage, only data in and decisions out.
//! Everything here is unit-tested in place and reused by `service/` and `routes/`.

pub mod appeals;
pub mod calendar;
pub mod cases;
pub mod changes;
pub mod dates;
pub mod effects;
pub mod enums;
pub mod four_eyes;
pub mod identifiers;
pub mod lists;
pub mod masking;
pub mod net;
pub mod notices;
pub mod policy;
#[cfg(test)]
mod properties;
pub mod regions;
pub mod registration;
pub mod roles;
pub mod sanctions;
pub mod scoring;
pub mod standing;
pub mod stats;
pub mod subject;
pub mod suspicions;
pub mod text;
pub mod tips;
