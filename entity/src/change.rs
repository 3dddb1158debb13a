//! The change log: one row per change to a case, ledger entry, sanction, subject or standing, in commit order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub subject_code: String,
    /// `added`, `changed`, `ended` or `removed`.
    pub op: String,
    pub at: DateTimeUtc,
    /// The entity's new value as JSON.
    pub value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
