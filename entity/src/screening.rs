//! A stored screening: the proof of who checked what, when, and what they were told.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "screenings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub actor: String,
    /// The token's `iss` (empty without one): with role, org and sub, the principal that owns the row.
    pub issuer: String,
    pub role: String,
    pub org: Option<String>,
    pub at: DateTimeUtc,
    pub as_of: Date,
    /// Change-log position the answers reflect.
    pub seq: i64,
    pub code_count: i32,
    /// SHA-256 of `answers`.
    pub digest: String,
    /// The answers as given (JSON), for rows written before `answers_lz4`; empty since.
    pub answers: String,
    /// The answers as given (JSON), LZ4-compressed with the length prepended.
    pub answers_lz4: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
