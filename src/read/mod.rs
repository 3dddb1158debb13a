//! The read side (DESIGN §13): answers built from the materialised `standings` rows and the change log.

pub mod batch;
pub mod cache;
pub mod commitments;
pub mod credit;
pub mod feed;
pub mod public_figures;
pub mod roster;
pub mod screenings;
pub mod standing;
pub mod stats;
pub mod tasks;
