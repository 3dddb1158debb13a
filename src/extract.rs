//! Extractors with our rejection: a malformed body, path or query becomes problem+json like any other error.
//!
//! `ApiJson` reads the body itself rather than through `axum::Json`, so that every string is checked for
//! control characters before any field is used, a missing field is reported under its own name, and an empty
//! body counts as `{}` (an action whose fields are all optional needs none).

use crate::i18n::msg;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::service::error::parse_json;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let json_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(msg!("request-body-exceeds-the-1-mib-limit"))
                } else {
                    ApiError::BadRequest(msg!(
                        "cannot-read-the-body",
                        detail = rejection.body_text().to_string()
                    ))
                }
            })?;
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Object(serde_json::Map::new())
        } else if !json_type {
            return Err(ApiError::UnsupportedMediaType(msg!(
                "expected-content-type-application-json"
            )));
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::BadRequest(msg!("malformed-json", e = e.to_string())))?
        };
        Ok(Self(parse_json(value)?))
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// For operations that take no query parameters: any parameter is refused by name rather than ignored.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}
