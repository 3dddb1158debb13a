//! A proposal to put an organisation on the red list (守信名单) for a year.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "red_proposals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub subject_id: i64,
    pub subject_code: String,
    /// `pending`, `confirmed` or `declined`.
    pub state: String,
    /// Why it qualifies: the years and scores, as text.
    pub grounds: String,
    pub proposed_by: String,
    pub proposed_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// The red-list entry a confirmation created.
    pub entry_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
