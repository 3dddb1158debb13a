//! Liveness and readiness probes for load balancers and orchestrators. No authentication.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::routes::problems::Unavailable;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: &'static str,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "Alive", body = HealthStatus)))]
async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok" })
}

/// The process can reach its database.
///
/// Anonymous callers learn only "not ready": the cause (driver messages name hosts, users and schemas) goes to
/// the log, where operators look anyway.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, description = "Ready", body = HealthStatus),
        (status = 503, response = Unavailable),
    ))]
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<HealthStatus>> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed: database unreachable");
        ApiError::Unavailable("not ready".into())
    })?;
    Ok(Json(HealthStatus { status: "ready" }))
}
