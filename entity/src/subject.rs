//! 信用主体: institutions, pharmacies, practitioners and insured persons in one table keyed by `code`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subjects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `institution`, `pharmacy`, `practitioner` or `insured`.
    pub kind: String,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub region: String,
    pub uscc: Option<String>,
    pub id_number: Option<String>,
    pub profession: Option<String>,
    pub insurance_type: Option<String>,
    /// Institution level (一级/二级/三级…), free text as provinces label it differently.
    pub level: Option<String>,
    /// Pharmacy: code of the main responsible person (a practitioner).
    pub responsible_person: Option<String>,
    /// Institutions and pharmacies: first day of their first service agreement (定点协议); none on rows
    /// registered before it was kept (then the registration day).
    pub designated_since: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
