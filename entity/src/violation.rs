//! 违规记录: a case against one subject, moving through recorded → reviewed → approved (and the side states).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "violations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_id: i64,
    pub subject_code: String,
    pub subject_kind: String,
    /// The catalogue version in force on `occurred_on`.
    pub type_id: i64,
    pub type_code: String,
    pub state: String,
    pub occurred_on: Date,
    pub discovered_on: Date,
    pub description: String,
    pub amount_involved_fen: i64,
    pub amount_to_recover_fen: i64,
    /// JSON array of `{name, sha256, uri}`.
    pub evidence: String,
    pub responsibility: Option<String>,
    pub institution_code: Option<String>,
    pub institution_liable: bool,
    pub transferred_to_judiciary: bool,
    pub major: bool,
    /// Chosen by the approver inside the type's range.
    pub points: Option<i32>,
    pub settlement_suspension_months: Option<i32>,
    pub fine_multiple: Option<i32>,
    pub recorded_by: String,
    pub reviewed_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    /// Major cases: report to the higher authority by this date (2 working days after approval).
    pub report_due: Option<Date>,
    /// Credit cycle (year in UTC+8) of the approval.
    pub cycle: Option<i32>,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
