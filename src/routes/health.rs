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
    pub status: Health,
}

/// `ok` from `/healthz`, `ready` from `/readyz`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Ok,
    Ready,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The process is up.
///
/// Answers without touching the database: for a liveness probe. Readiness is `/readyz`.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "Alive", body = HealthStatus)))]
async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus { status: Health::Ok })
}

/// The process can reach its database, and has room to write in it.
///
/// Answers within a second whatever the database does: the check has its own short timeout. While the last
/// write failed for want of space, the check writes too (a table created and dropped), so readiness comes back
/// by itself once space is freed. Anonymous callers learn only "not ready": the cause (driver messages name
/// hosts, users and schemas) goes to the log, where operators look anyway.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, description = "Ready", body = HealthStatus),
        (status = 503, response = Unavailable),
    ))]
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<HealthStatus>> {
    let check = async {
        state
            .db
            .ping()
            .await
            .map_err(|e| format!("database unreachable: {e}"))?;
        if state.db.storage_full() {
            state.db.probe_write().await.map_err(|e| {
                format!("the last write failed for want of space, and so does a probe: {e}")
            })?;
        }
        Ok::<_, String>(())
    };
    let reason = match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(())) => {
            return Ok(Json(HealthStatus {
                status: Health::Ready,
            }));
        }
        Ok(Err(reason)) => reason,
        Err(_) => format!(
            "database did not answer within {} ms",
            READY_TIMEOUT.as_millis()
        ),
    };
    tracing::warn!(%reason, "readiness check failed");
    Err(ApiError::Unavailable(crate::i18n::msg!("not-ready")))
}

/// Below the 1 s a load balancer's probe may allow, with room for the answer to travel.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);
