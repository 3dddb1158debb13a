//! Background work with a shutdown signal: the date scheduler and the outbox delivery.

pub mod dates;
pub mod outbox;
