//! The OpenAPI document, generated from the route annotations. `openapi/openapi.json` is this, committed; a test
//! fails when the two drift (`UPDATE_OPENAPI=1 cargo test` rewrites the file).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldError, Problem};
pub use crate::routes::problems::*;
use crate::state::AppState;

mod shape;
pub use shape::{NO_CONTROLS, NOT_BLANK};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "medcredit",
        description = "Medical-insurance (医保) credit supervision: a registry of subjects, a dated catalogue of \
violation types, violation cases with review and approval, credit points and grades, sanctions and the standing \
they add up to, and a hash-chained audit log. Errors are RFC 9457 application/problem+json.",
        license(name = "MIT"),
    ),
    servers((url = "/", description = "The server this document is served from")),
    modifiers(&BearerScheme),
    components(
        schemas(
            Problem, FieldError, crate::service::exports::ExportFormat,
            crate::shared::outward::StandingChange, crate::shared::views::SanctionChange,
        ),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Validation, PayloadTooLarge,
            Gone, UnsupportedMediaType, Unavailable, InsufficientStorage, HeaderFieldsTooLarge,
            TooManyRequests
        )
    ),
    tags(
        (name = "subjects", description = "Registry of institutions, pharmacies, practitioners and insured persons"),
        (name = "commitments", description = "Credit and service commitments (信用承诺): versioned texts, signatures, who has none"),
        (name = "violation-types", description = "Versioned, dated catalogue of violation types (违规行为目录)"),
        (name = "violations", description = "Violation cases and their four-step workflow (违规记录)"),
        (name = "credit", description = "Credit ledger, points, scores and grades (信用积分/信用等级)"),
        (name = "sanctions", description = "Sanctions (处理措施): suspensions, terminations, recoveries and more, with derived status"),
        (name = "standing", description = "A subject's standing on a day, from its materialised row (信用状态)"),
        (name = "lists", description = "Black (严重失信) and red (守信) lists"),
        (name = "appeals", description = "Appeals against approved cases (申诉)"),
        (name = "repairs", description = "Credit repair (信用修复)"),
        (name = "commendations", description = "Positive credit (守信激励): commendations of institutions and pharmacies, decided by an approver, written as capped bonuses"),
        (name = "repair-activities", description = "Point repair by activities: a practitioner's training, publicity or flight inspection, decided by a reviewer, gives points back"),
        (name = "tasks", description = "The work queue: what waits for the caller, overdue first (待办)"),
        (name = "tips", description = "Tip-offs (举报): public intake with a claim code, handling, rewards by the policy schedule; staff only, reporters protected"),
        (name = "stats", description = "Statistics (可视化监管) by place, kind, type and period with last year beside them, read from counters the writer keeps; public figures for organisations only"),
        (name = "suspicions", description = "Smart-monitoring suspects (疑点): bulk intake, triage, the institution's explanation, verification into cases, second review of at least 5%, rule statistics"),
        (name = "webhooks", description = "Continuous query: signed event deliveries through an outbox"),
        (name = "statistics", description = "Statistics of supervision (可视化监管): the public statistics page"),
        (name = "audit", description = "Hash-chained audit log (执法全过程记录)"),
        (name = "ops", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "HS256 JWT with claims sub, role, org (hospital), exp, iat",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds `429 TooManyRequests`, `400 BadRequest`, `422 Validation`, `431` and `503 Unavailable` to every `/api/v1`
/// operation, and `507 InsufficientStorage` to every write: the rate limit, the URI and head rules and the
/// database stand in front of all of them, so they are documented once here rather than on each route. Applied
/// after the routes are collected
/// (`startup::documented_routes`); an `#[openapi(modifiers)]` entry would run before any path exists.
pub struct RateLimited;

impl Modify for RateLimited {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") && !path.starts_with("/public/") {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.insert(
                    "429".to_string(),
                    utoipa::openapi::Ref::from_response_name("TooManyRequests").into(),
                );
                // `query_rules` stands in front of every operation too: a path with control characters is a
                // 400, an undocumented or malformed query parameter a 422 naming it.
                responses.entry("400".to_string()).or_insert_with(|| {
                    utoipa::openapi::Ref::from_response_name("BadRequest").into()
                });
                responses.entry("422".to_string()).or_insert_with(|| {
                    utoipa::openapi::Ref::from_response_name("Validation").into()
                });
                // Layers and the database stand behind every operation too: an oversized head, the database
                // away, and (for writes) the database full.
                for (status, name) in [("431", "HeaderFieldsTooLarge"), ("503", "Unavailable")] {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| utoipa::openapi::Ref::from_response_name(name).into());
                }
            }
            for operation in [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                operation
                    .responses
                    .responses
                    .entry("507".to_string())
                    .or_insert_with(|| {
                        utoipa::openapi::Ref::from_response_name("InsufficientStorage").into()
                    });
            }
        }
    }
}

/// The routes and the OpenAPI document collected from them.
/// The documented routes: those with ordinary bodies, the streaming bulk import (which has limits of its own),
/// and the OpenAPI document of both.
pub fn documented_routes() -> (
    axum::Router<AppState>,
    axum::Router<AppState>,
    utoipa::openapi::OpenApi,
) {
    let (router, mut spec) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::routes::api())
        .split_for_parts();
    let (streaming, streaming_spec) = crate::routes::imports::streaming().split_for_parts();
    spec.merge(streaming_spec);
    utoipa::Modify::modify(&RateLimited, &mut spec);
    let mut doc = serde_json::to_value(&spec).expect("the OpenAPI document serialises");
    shape::apply(&mut doc);
    let spec =
        serde_json::from_value(doc).expect("the shaped document is still an OpenAPI document");
    (router, streaming, spec)
}

/// The full document, as served at `/api-docs/openapi.json`.
pub fn spec() -> utoipa::openapi::OpenApi {
    documented_routes().2
}

/// The document as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut text = spec()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    text.push('\n');
    text
}
