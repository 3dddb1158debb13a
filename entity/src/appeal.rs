//! 申诉: an appeal against an approved case, decided by a reviewer who did not act on the case.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appeals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub violation_id: i64,
    pub subject_id: i64,
    pub subject_code: String,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
    pub reason: String,
    pub filed_by: String,
    pub filed_role: String,
    pub filed_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// JSON array of evidence references, as a case's.
    pub evidence: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
