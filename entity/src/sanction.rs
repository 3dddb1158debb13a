//! 处理措施: a measure against a subject. Its status is derived from its dates and the lift/revoke actions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sanctions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_id: i64,
    pub subject_code: String,
    #[sea_orm(column_name = "type")]
    pub sanction_type: String,
    pub scope: Option<String>,
    pub starts_on: Date,
    /// Last day, inclusive, for time-bound types; `None` for open-ended ones (terminations).
    pub ends_on: Option<Date>,
    /// Terminations: no new agreement / re-registration before this date.
    pub ban_until: Option<Date>,
    pub amount_fen: Option<i64>,
    pub reason: String,
    /// Created by the threshold engine rather than by an approver.
    pub automatic: bool,
    /// For automatic sanctions: a key unique per triggering case and measure, so a retry never creates one twice.
    #[sea_orm(unique)]
    pub threshold_key: Option<String>,
    pub lifted_on: Option<Date>,
    pub lifted_reason: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// An extension: this row continues the sanction with that id to a later end (the earlier row is kept).
    pub extends_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
