//! `Idempotency-Key` for every creating use case: the first response is stored with the key in the same
//! transaction as what it created, so a retry (same key, same body) gets that response back and creates
//! nothing, and the same key with another body is refused.

use crate::i18n::msg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
};
use serde::Serialize;

use crate::service::audit::sha256_hex;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::writer::Writer;
use entity::idempotency_key;

/// A key as one request presents it.
pub struct KeyedRequest {
    pub actor: String,
    pub key: String,
    pub operation: String,
    pub request_hash: String,
}

/// The response first given for a key.
pub struct Stored {
    pub status: u16,
    pub location: Option<String>,
    pub body: serde_json::Value,
}

impl KeyedRequest {
    pub fn new(
        actor: &str,
        key: &str,
        operation: &str,
        body: &impl Serialize,
    ) -> ServiceResult<Self> {
        if !(1..=200).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ServiceError::validation(
                "Idempotency-Key",
                msg!("must-be-1-to-200-visible-ascii"),
            ));
        }
        // serde_json keeps object keys sorted, so the same body hashes the same whatever its field order.
        let canonical = serde_json::to_value(body).map_err(|e| {
            ServiceError::Unprocessable(msg!("body-is-not-json", e = e.to_string()))
        })?;
        Ok(Self {
            actor: actor.to_string(),
            key: key.to_string(),
            operation: operation.to_string(),
            request_hash: sha256_hex(format!("{operation}\n{canonical}").as_bytes()),
        })
    }

    /// The stored response when this key was used before: `Ok(Some)` for the same request, a conflict for
    /// another body or operation.
    pub async fn replay<C: ConnectionTrait>(&self, db: &C) -> ServiceResult<Option<Stored>> {
        let Some(row) = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::Actor.eq(self.actor.as_str()))
            .filter(idempotency_key::Column::Key.eq(self.key.as_str()))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        if row.request_hash != self.request_hash {
            return Err(ServiceError::Conflict(msg!(
                "this-idempotency-key-was-used-with-a",
                operation = row.operation.to_string()
            )));
        }
        let body = serde_json::from_str(&row.body)
            .map_err(|e| ServiceError::corrupt("idempotency_keys", row.id, e))?;
        Ok(Some(Stored {
            status: u16::try_from(row.status).unwrap_or(201),
            location: row.location,
            body,
        }))
    }

    /// Stores the response in the writer's transaction. `Ok(false)` when a concurrent request with the same key
    /// committed first (PostgreSQL): the caller rolls back and answers with that request's response.
    pub async fn store(&self, w: &Writer, response: &Stored) -> ServiceResult<bool> {
        let row = idempotency_key::ActiveModel {
            actor: Set(self.actor.clone()),
            key: Set(self.key.clone()),
            operation: Set(self.operation.clone()),
            request_hash: Set(self.request_hash.clone()),
            status: Set(i32::from(response.status)),
            location: Set(response.location.clone()),
            body: Set(response.body.to_string()),
            created_at: Set(w.cx.now),
            ..Default::default()
        };
        match row.insert(w.db()).await {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }
}
