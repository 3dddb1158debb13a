//! 违规行为目录: one row per version of a catalogue entry; a violation uses the version in force when it occurred.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "violation_types")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    /// 1 for the first version of a code, then 2, 3…
    pub version: i32,
    pub name: String,
    /// Comma-separated subject kinds, e.g. `institution,pharmacy`.
    pub applies_to: String,
    pub severity: String,
    pub points_min: i32,
    pub points_max: i32,
    pub legal_basis: String,
    pub effective_from: Date,
    /// Last day in force, inclusive; `None` while current.
    pub effective_to: Option<Date>,
    /// Approval of a case of this type suspends an insured person's networked settlement (条例 art. 41).
    pub insured_settlement_suspension: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
