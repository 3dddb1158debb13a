//! 守信激励: a commendation an inspector proposes for an institution or pharmacy, decided by an approver.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commendations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_id: i64,
    pub subject_code: String,
    /// Points proposed.
    pub points: i32,
    pub reason: String,
    pub proposed_by: String,
    pub proposed_at: DateTimeUtc,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    /// JSON array of evidence references.
    pub evidence: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// Points the bonus entry carries (the proposal's, or less under the cycle's cap).
    pub points_awarded: Option<i32>,
    pub credit_entry_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
