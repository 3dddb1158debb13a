//! A practitioner's employment at an institution or pharmacy over a period (一医一档 follows the person).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affiliations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub practitioner_id: i64,
    pub organisation_id: i64,
    pub valid_from: Date,
    /// Inclusive last day; `None` while the affiliation is open.
    pub valid_to: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
