//! Background work with a shutdown signal: the date scheduler, the outbox delivery, and listening for other
//! nodes' commits.

pub mod dates;
pub mod outbox;
pub mod signals;
