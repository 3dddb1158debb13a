//! A case a tip led to (one tip, one or more cases).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tip_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tip_id: i64,
    pub violation_id: i64,
    pub linked_by: String,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
