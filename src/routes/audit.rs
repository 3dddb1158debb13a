//! `/api/v1/audit`: reading and verifying the hash-chained audit log. Auditor and admin only.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Actor, Role};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::pagination::Page;
use crate::routes::problems::{BadRequest, Forbidden, Unauthorized, Validation};
use crate::service::audit::{self, AuditQuery, AuditRecord, VerifyReport};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

/// List audit rows, oldest first.
///
/// Every write appends one row (actor, role, action, target, request id, time, digest of the change), chained
/// to the row before by SHA-256. Filter by actor, target and time. Auditor, admin.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of audit rows", body = Page<AuditRecord>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_audit(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    actor.require(&[Role::Auditor])?;
    Ok(Json(audit::list(&state.db.conn, query).await?))
}

/// Verify the audit chain.
///
/// Recomputes every row's hash from its content and the row before, and reports the first row that does not
/// match (a row altered or removed after it was written). Auditor, admin.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses(
        (status = 200, description = "Verification result (ok is false when a row was altered)", body = VerifyReport),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
    ))]
async fn verify_audit(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<VerifyReport>> {
    actor.require(&[Role::Auditor])?;
    Ok(Json(audit::verify(&state.db.conn).await?))
}
