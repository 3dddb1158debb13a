//! 信用修复: an application to end a list entry early and/or give points back, with its decision.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repairs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub list_entry_id: Option<i64>,
    pub violation_id: Option<i64>,
    pub subject_id: i64,
    pub subject_code: String,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub reason: String,
    /// JSON array of evidence references.
    pub evidence: String,
    pub eligible_from: Date,
    pub decision_due: Date,
    pub filed_by: String,
    pub filed_role: String,
    pub filed_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    pub points_restored: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
