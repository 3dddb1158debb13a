//! A subscriber's URL, secret and event types.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Token subject of the subscriber.
    pub owner: String,
    /// The token's `iss` (empty without one): with role, org and sub, the principal that owns the row.
    pub issuer: String,
    pub role: String,
    /// Hospitals: the institution whose subjects it hears about.
    pub org: Option<String>,
    pub url: String,
    /// Signs deliveries (HMAC-SHA256); shown once, at creation.
    pub secret: String,
    /// JSON array of event names.
    pub events: String,
    pub created_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// Set when a delivery failed for good: the subscriber's deliveries wait until its owner resumes it.
    pub paused_at: Option<DateTimeUtc>,
    pub paused_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
