//! A practitioner's repair activity (training, publicity, a flight inspection), recorded by an inspector and
//! decided by a reviewer; approval gives points back.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repair_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_id: i64,
    pub subject_code: String,
    /// `training`, `publicity` or `flight_inspection`.
    pub kind: String,
    pub held_on: Date,
    /// Credit cycle of `held_on`: the one whose points it repairs.
    pub cycle: i32,
    pub description: String,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    /// JSON array of evidence references.
    pub evidence: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// Points the repair entry gave back (policy points, or less at the floor or the cycle's allowance).
    pub points_awarded: Option<i32>,
    pub credit_entry_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
