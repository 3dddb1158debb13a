//! Smart-monitoring suspects (疑点, issue 22): suspected violations flagged in bulk by the fund's monitoring
//! system, triaged (初审), explained by the institution (申诉/说明), verified (核实) and cleared or turned into a
//! case, with at least 5% of decisions second-reviewed (复审).
//!
//! - [`intake`]: one suspect, or a whole day's file through the import machinery (`service::imports`); a row
//!   already taken is a duplicate, not an error.
//! - [`steps`]: triage (one or up to 1,000 at once), the explanation, verification and conversion;
//!   [`review`]: second review. [`registry`]: the checks against the database, per batch.
//! - [`read`]: the list (with `overdue`), one suspect, and each rule's statistics.
//!
//! Who: inspectors (and admins) take in, triage and verify; reviewers second-review; a hospital's office sees
//! and answers only its own institution's suspects; auditors read all; partners nothing. Every step is an
//! audit row and a staff-only `suspicion` row of the change log. A suspect changes no one's standing.

pub mod checked;
pub mod intake;
pub mod read;
pub mod registry;
pub mod review;
pub mod stats;
pub mod steps;
pub mod view;

use crate::i18n::msg;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::domain::roles::Role;
use crate::domain::suspicions::SuspicionState;
use crate::service::error::{ServiceError, ServiceResult, column};
use entity::suspicion;

pub use intake::NewSuspicion;
pub use read::SuspicionQuery;
pub use stats::{StatsQuery, SuspicionStats};
pub use steps::{BulkTriage, BulkTriageResult, Explanation, SecondReview, Triage, Verification};
pub use view::SuspicionView;

/// Who takes suspects in, triages and verifies them (admin too).
pub const HANDLERS: [Role; 1] = [Role::Inspector];
/// Who second-reviews (复审) a decision (admin too).
pub const REVIEWERS: [Role; 1] = [Role::Reviewer];
/// Who reads suspects: staff, internal audit, and a hospital's office (its own institution's only).
pub const READERS: [Role; 5] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
    Role::Hospital,
];
/// Who answers for the institution (申诉/说明).
pub const EXPLAINERS: [Role; 1] = [Role::Hospital];
/// The most suspects one bulk triage decides.
pub const MAX_BULK: usize = 1000;

/// The suspect, checked against the reader before anything about it is told: a hospital gets the same 403
/// for a missing suspect as for another institution's (DESIGN §14); staff get 404 for a missing one.
pub(crate) async fn find_for<C: ConnectionTrait>(
    db: &C,
    reader: &crate::shared::actor::Actor,
    id: i64,
) -> ServiceResult<suspicion::Model> {
    let row = suspicion::Entity::find_by_id(id).one(db).await?;
    if reader.role == Role::Hospital {
        return row
            .filter(|r| reader.org.as_deref() == Some(r.subject_code.as_str()))
            .ok_or_else(|| ServiceError::Forbidden(msg!("suspicion-not-yours")));
    }
    row.ok_or_else(|| ServiceError::NotFound(msg!("suspicion-not-found", id = id)))
}

/// The audit target of a suspect.
pub(crate) fn target(id: i64) -> String {
    format!("suspicion:{id}")
}

pub(crate) fn state_of(row: &suspicion::Model) -> ServiceResult<SuspicionState> {
    column("suspicions", row.id, &row.state)
}
