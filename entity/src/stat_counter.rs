//! A statistics counter (issue 23): the sum of one metric on one day (China Standard Time) for one county,
//! subject, type, severity and sanction type. Derived data: `rebuild-stats` recomputes every row from the facts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_counters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub metric: String,
    pub day: Date,
    /// `YYYY-MM` of `day`.
    pub month: String,
    pub region: String,
    pub prefecture: String,
    pub province: String,
    pub subject_kind: String,
    /// 0 where no subject is counted (tips).
    pub subject_id: i64,
    /// The organisation's code for institutions and pharmacies, empty for persons.
    pub org: String,
    pub type_code: String,
    pub severity: String,
    pub sanction_type: String,
    pub value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
