//! The authenticated caller, extracted from `Authorization: Bearer …` into an `Actor`.

pub use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::i18n::msg;
pub use crate::service::actor::Actor;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The caller, from a verified bearer token: the extractor turns it into the use cases' `Actor`.
impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized(msg!("missing-authorization-bearer-token")))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::Unauthorized(msg!("authorization-must-be-bearer-token")))?;
        let claims = state
            .jwt
            .verify(token.trim())
            .map_err(ApiError::Unauthorized)?;
        if claims.role == Role::Hospital && claims.org.is_none() {
            return Err(ApiError::Unauthorized(msg!(
                "a-hospital-token-must-carry-the-org"
            )));
        }
        Ok(Self {
            issuer: claims.iss.unwrap_or_default(),
            sub: claims.sub,
            role: claims.role,
            org: claims.org,
            request_id: crate::middleware::request_id(parts),
            anonymous: false,
        })
    }
}
