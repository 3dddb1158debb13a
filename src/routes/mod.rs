//! HTTP routes, one module per resource, each with its own router; this module only assembles them.

pub mod audit;
pub mod health;
pub mod subjects;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every documented route. The OpenAPI document is collected from exactly these.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(health::router())
        .merge(subjects::router())
        .merge(audit::router())
}
