//! A statistics roll-up (issue 23): the sum of one metric over one month, quarter or year for one prefecture,
//! subject kind and sanction type, with how many distinct subjects it rests on. Kept by the writer beside the
//! daily counters, and recomputed from them by `rebuild-stats`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_rollups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub metric: String,
    /// `month`, `quarter` or `year`.
    pub grain: String,
    /// `2026-03`, `2026-Q1` or `2026`.
    pub period: String,
    pub prefecture: String,
    pub province: String,
    pub subject_kind: String,
    pub sanction_type: String,
    pub value: i64,
    /// Distinct subjects counted in the period (tips, which have none, count none).
    pub subjects: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
