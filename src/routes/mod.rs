//! HTTP routes, one module per resource, each with its own router; this module only assembles them.

pub mod appeals;
pub mod audit;
pub mod changes;
pub mod commendations;
pub mod commitments;
pub mod credit;
pub mod exports;
pub mod health;
pub mod imports;
pub mod lists;
pub mod metrics;
pub mod notices;
pub mod once;
pub mod problems;
pub mod public;
pub mod public_stats;
pub mod public_tips;
pub mod repair_activities;
pub mod repairs;
pub mod sanctions;
pub mod screenings;
pub mod standing;
pub mod stats;
pub mod subjects;
pub mod suspicions;
pub mod tasks;
pub mod tips;
pub mod violation_types;
pub mod violations;
pub mod webhooks;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every documented route. The OpenAPI document is collected from exactly these.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(subjects::router())
        .merge(commitments::router())
        .merge(imports::router())
        .merge(audit::router())
        .merge(violations::router())
        .merge(credit::router())
        .merge(sanctions::router())
        .merge(standing::router())
        .merge(lists::router())
        .merge(appeals::router())
        .merge(repairs::router())
        .merge(commendations::router())
        .merge(repair_activities::router())
        .merge(tasks::router())
        .merge(screenings::router())
        .merge(changes::router())
        .merge(exports::router())
        .merge(notices::router())
        .merge(public::router())
        .merge(public_stats::router())
        .merge(public_tips::router())
        .merge(tips::router())
        .merge(stats::router())
        .merge(suspicions::router())
        .merge(webhooks::router())
        .merge(violation_types::router())
}
