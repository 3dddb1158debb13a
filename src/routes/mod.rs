//! HTTP routes, one module per resource, each with its own router; this module only assembles them.

pub mod audit;
pub mod credit;
pub mod health;
pub mod metrics;
pub mod sanctions;
pub mod subjects;
pub mod violation_types;
pub mod violations;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every documented route. The OpenAPI document is collected from exactly these.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(subjects::router())
        .merge(audit::router())
        .merge(violations::router())
        .merge(credit::router())
        .merge(sanctions::router())
        .merge(violation_types::router())
}
