//! 执法全过程记录: append-only, each row chained to the previous by SHA-256.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub request_id: String,
    /// The change itself, as JSON text, so the digest can be re-checked.
    pub change: String,
    /// SHA-256 (hex) of `change`.
    pub digest: String,
    pub prev_hash: String,
    /// SHA-256 (hex) over `prev_hash` and every other field of this row.
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
