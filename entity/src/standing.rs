//! One row per subject with what the standing answer needs, written in the transaction of every change.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "standings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject_id: i64,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub region: String,
    /// The subject's standing facts (ledger of the cycle, sanctions) as JSON.
    pub facts: String,
    /// Change-log position the row reflects.
    pub seq: i64,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
