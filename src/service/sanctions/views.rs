//! What a reader sees of stored sanctions, and which are active on a day.

pub use crate::shared::views::{active_for_subject, active_on};
