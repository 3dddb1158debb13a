//! Typed views of what the service stores, one per thing a reader can be shown, each built for its audience
//! field by field (DESIGN §14). They import nothing that writes, so the writer's change log, the read side and
//! the webhook outbox can all build them.

mod ledger;
mod list_entry;
mod registration;
mod sanction;
mod subject;

pub use ledger::*;
pub use list_entry::*;
pub use registration::*;
pub use sanction::*;
pub use subject::*;
