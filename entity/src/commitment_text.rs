//! A published credit-commitment text (信用承诺书): never edited; a later version replaces it from its date.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commitment_texts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub version: String,
    /// JSON array of the subject kinds that sign it.
    pub applies_to: String,
    pub title: String,
    pub body: String,
    pub effective_from: Date,
    /// Days a signature of the version before stays valid once this one takes effect.
    pub resign_within_days: i32,
    pub published_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
