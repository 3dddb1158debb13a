//! An `Idempotency-Key` used by a client, with the response its first request got.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Token subject of the client.
    pub actor: String,
    pub key: String,
    /// `METHOD /route/template` it was used on.
    pub operation: String,
    /// SHA-256 of the operation and the canonical JSON of the body.
    pub request_hash: String,
    pub status: i32,
    pub location: Option<String>,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
