//! One bulk import (of subjects or suspects): who ran it, how far it got and how it ended.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub actor: String,
    /// The token's `iss` (empty without one): with role, org and sub, the principal that owns the row.
    pub issuer: String,
    pub org: Option<String>,
    pub role: String,
    /// What the import loads: `subjects` or `suspicions`.
    pub kind: String,
    /// `csv` or `jsonl`.
    pub format: String,
    /// `running`, `completed` or `failed`.
    pub state: String,
    pub rows_read: i64,
    pub rows_imported: i64,
    /// Rows already there, identical (suspects re-sent): counted, not written again.
    pub rows_duplicate: i64,
    pub error_count: i64,
    /// The first errors of a failed import (JSON array of `{line, field, message}`).
    pub errors: String,
    /// SHA-256 of the body as received.
    pub sha256: Option<String>,
    /// The change-log rows the import wrote.
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
