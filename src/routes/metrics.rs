//! `/metrics` for Prometheus. No authentication, like the probes: scrapers do not carry tokens, so deployments
//! must keep this path reachable only from the monitoring network (it reveals traffic and case volumes, no
//! personal data).

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

/// Prometheus metrics: requests, latencies and refusals by route template, database pool, cases by state,
/// webhook backlog and failures, the date scheduler, imports, build and process.
///
/// Text exposition format 0.0.4. Not rate-limited, so a scraper is never refused. The README's Metrics section
/// lists every series.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text format", body = String,
        content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = crate::metrics::render(&state.metrics, &state.db.conn, &state.imports).await;
    ([(CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], body)
}
