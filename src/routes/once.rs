//! The HTTP side of `Idempotency-Key` (service `idempotency`): every creating POST reads the header, answers a
//! retry with the first response (`Idempotent-Replayed: true`) and stores a new response with what it created.

use crate::i18n::msg;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::service::actor::Actor;
use crate::service::idempotency::{KeyedRequest, Stored};
use crate::service::writer::Writer;

/// One creating request, with its key if it carried one.
pub struct Once(Option<KeyedRequest>);

impl Once {
    /// `operation` names the route (`POST /api/v1/sanctions`), `body` the typed request it hashes.
    pub fn of(
        headers: &HeaderMap,
        actor: &Actor,
        operation: &str,
        body: &impl Serialize,
    ) -> ApiResult<Self> {
        let Some(value) = headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let key = value.to_str().map_err(|_| {
            ApiError::validation("Idempotency-Key", msg!("must-be-1-to-200-visible-ascii"))
        })?;
        Ok(Self(Some(KeyedRequest::new(
            &actor.sub, key, operation, body,
        )?)))
    }

    /// The first response when this key was used before (inside the writer's transaction, so on SQLite a
    /// concurrent first request has committed by now).
    pub async fn replayed(&self, w: &Writer) -> ApiResult<Option<Response>> {
        match &self.0 {
            Some(keyed) => Ok(keyed.replay(w.db()).await?.map(|s| respond(s, true))),
            None => Ok(None),
        }
    }

    /// Stores the response with the key, commits, and answers `201` with `Location`.
    pub async fn finish<T: Serialize>(
        self,
        db: &sea_orm::DatabaseConnection,
        w: Writer,
        location: String,
        view: T,
    ) -> ApiResult<Response> {
        let stored = Stored {
            status: StatusCode::CREATED.as_u16(),
            location: Some(location),
            body: serde_json::to_value(view)
                .map_err(|e| ApiError::Internal(format!("response is not JSON: {e}")))?,
        };
        if let Some(keyed) = &self.0
            && !keyed.store(&w, &stored).await?
        {
            // A concurrent request with this key committed first: ours is rolled back, theirs is the answer.
            drop(w);
            let first = keyed.replay(db).await?.ok_or_else(|| {
                ApiError::Conflict(msg!("a-concurrent-request-with-this-idempotency-key"))
            })?;
            return Ok(respond(first, true));
        }
        w.commit().await?;
        Ok(respond(stored, false))
    }
}

fn respond(stored: Stored, replayed: bool) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, Json(stored.body)).into_response();
    let headers = response.headers_mut();
    if let Some(location) = stored.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}
