//! 信用积分 ledger: never updated or deleted; scores and points are folds over it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_id: i64,
    /// `deduction`, `reversal`, `repair` or `bonus`.
    pub kind: String,
    /// Magnitude, never negative; the kind says which way it counts.
    pub points: i32,
    /// Credit cycle: the natural year in UTC+8 of `at`.
    pub cycle: i32,
    pub violation_id: Option<i64>,
    pub reason: String,
    pub created_by: String,
    pub at: DateTimeUtc,
    /// What an award (bonus, repair by activity) was for, unique: written once however often it is asked.
    pub award_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
