//! The authenticated caller, extracted from `Authorization: Bearer …`, and the role checks handlers call.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Inspector,
    Reviewer,
    Approver,
    Admin,
    Hospital,
    Partner,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Inspector,
        Role::Reviewer,
        Role::Approver,
        Role::Admin,
        Role::Hospital,
        Role::Partner,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inspector => "inspector",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::Admin => "admin",
            Role::Hospital => "hospital",
            Role::Partner => "partner",
            Role::Auditor => "auditor",
        }
    }
}

/// Who is calling, and the request id that ties their writes to the log lines and audit rows.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub sub: String,
    pub role: Role,
    pub org: Option<String>,
    pub request_id: String,
}

impl AuthUser {
    /// Passes when the caller holds one of `roles`; `admin` may do everything the other writers may (DESIGN §1).
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.role == Role::Admin || roles.contains(&self.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "role {} may not do this; allowed: {}",
                self.role.as_str(),
                allowed.join(", ")
            )))
        }
    }

    /// Partners and the public see masked personal identifiers (DESIGN §8).
    pub fn sees_masked_identities(&self) -> bool {
        self.role == Role::Partner
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer token".into()))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::Unauthorized("Authorization must be 'Bearer <token>'".into())
            })?;
        let claims = state
            .jwt
            .verify(token.trim())
            .map_err(ApiError::Unauthorized)?;
        if claims.role == Role::Hospital && claims.org.is_none() {
            return Err(ApiError::Unauthorized(
                "a hospital token must carry the org claim".into(),
            ));
        }
        Ok(Self {
            sub: claims.sub,
            role: claims.role,
            org: claims.org,
            request_id: crate::middleware::request_id(parts),
        })
    }
}
