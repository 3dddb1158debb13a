//! The materialised `standings` row (DESIGN §13): the facts a standing answer needs for one subject, rewritten
//! by the writer in the transaction of every change that touches the subject. The same `load_facts` serves the
//! fold over the ledger for days of earlier cycles, so the row and the fold take the same inputs; the property
//! test checks that they agree.

mod refresh;
mod registrations;

/// The facts live beside the read side's lookups; named here too, so that use cases keep their paths.
pub use crate::shared::facts::*;
pub use refresh::{materialise, refresh_many, refresh_unpublished, write_fresh};
pub use registrations::refresh_unregistered;
