//! A signature of a commitment text recorded for a subject (append-only).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commitments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_id: i64,
    pub text_id: i64,
    pub text_version: String,
    pub signed_on: Date,
    pub signer_name: String,
    /// JSON array of evidence references.
    pub evidence: String,
    pub recorded_role: String,
    pub recorded_org: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
