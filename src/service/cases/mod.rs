//! A violation case's whole life (DESIGN §4): the rules its fields meet (`rules`), recording it (`record`),
//! reading it back (`read`), the four-step workflow (`workflow`), what approval does (`effects`) and undoing
//! it when it is voided (`voiding`). The types and role sets they share live here, so that no two of them
//! import each other.

use crate::i18n::msg;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::cases::{CaseState, Responsibility};
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::service::error::{ServiceError, ServiceResult, column};
use entity::violation;

pub mod effects;
pub mod read;
pub mod record;
pub mod rules;
pub mod voiding;
pub mod workflow;

pub use read::{ViolationQuery, ViolationView};

/// Roles that may read cases: the enforcement staff and internal audit.
pub const READERS: [Role; 4] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
];

/// Roles that record cases and correct and resubmit returned ones.
pub const RECORDERS: [Role; 1] = [Role::Inspector];

/// Who reviews, approves, and rejects or returns (admin too, as everywhere).
pub const REVIEWERS: [Role; 1] = [Role::Reviewer];
pub const APPROVERS: [Role; 1] = [Role::Approver];
pub const DECIDERS: [Role; 2] = [Role::Reviewer, Role::Approver];

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewCase {
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Corrections an inspector makes to a returned case; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolationPatch {
    pub type_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub occurred_on: Option<chrono::NaiveDate>,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub discovered_on: Option<chrono::NaiveDate>,
    pub description: Option<String>,
    pub amount_involved_fen: Option<i64>,
    pub amount_to_recover_fen: Option<i64>,
    pub evidence: Option<Vec<Evidence>>,
    pub responsibility: Option<Responsibility>,
    pub institution_code: Option<String>,
    pub institution_liable: Option<bool>,
    pub transferred_to_judiciary: Option<bool>,
}

/// A reference to evidence kept elsewhere (a file name, its hash, where it lives); never the file itself.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    #[schema(example = "处方笺-2026-0301.pdf")]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// SHA-256 of the file, 64 hex digits.
    #[schema(pattern = "^[0-9A-Fa-f]{64}$")]
    pub sha256: Option<String>,
    #[schema(min_length = 1, max_length = 2000)]
    pub uri: Option<String>,
}

/// The fields of a case an inspector supplies; also the body of a correction after a return.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewViolation {
    #[schema(example = "D370102000001")]
    pub subject_code: String,
    #[schema(example = "PRAC-IRRATIONAL-PRESCRIPTION")]
    pub type_code: String,
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub occurred_on: NaiveDate,
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub discovered_on: NaiveDate,
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
    /// Amount of fund money involved, in fen.
    pub amount_involved_fen: i64,
    /// Amount to recover, in fen.
    pub amount_to_recover_fen: i64,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Practitioners only: degree of responsibility.
    pub responsibility: Option<Responsibility>,
    /// Practitioners only: the institution case this one belongs to.
    pub institution_code: Option<String>,
    /// Practitioners only: the institution bears the recovered amount (seed 003).
    #[serde(default)]
    pub institution_liable: bool,
    /// Transferred to the police or judiciary: makes the case major.
    #[serde(default)]
    pub transferred_to_judiciary: bool,
}

/// An approver's decision on a reviewed case: the points inside the range, and for insured persons the terms.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveCase {
    /// Points inside the catalogue entry's range (0 for insured persons).
    pub points: u32,
    pub comment: Option<String>,
    /// Insured persons, types that suspend networked settlement: 3–12 months (条例 art. 41).
    pub settlement_suspension_months: Option<u32>,
    /// Insured persons: fine as a multiple (2–5×) of the amount to recover.
    pub fine_multiple: Option<u32>,
}

/// The case's state, or a `Corrupt` error naming the row.
pub fn state_of(model: &violation::Model) -> ServiceResult<CaseState> {
    column("violations", model.id, &model.state)
}

/// The kind of the case's subject, copied onto the case when it was recorded.
pub fn kind_of_case(model: &violation::Model) -> ServiceResult<SubjectKind> {
    column("violations", model.id, &model.subject_kind)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> ServiceResult<violation::Model> {
    violation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("no-violation-case", id = id.to_string())))
}

pub fn target(id: i64) -> String {
    format!("violation:{id}")
}
