//! `/api/v1/violation-types`: the versioned violation-type catalogue (违规行为目录).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::pagination::Page;
use crate::routes::once::Once;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::catalogue::{self, NewViolationType, ViolationTypeQuery, ViolationTypeView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_violation_types, create_violation_type))
}

/// List catalogue entries, ordered by code then version.
///
/// Without `as_of` every version is listed, past and future; with it only the versions in force that day, which
/// is the one a violation occurring that day uses. Paged like every list. Every role.
#[utoipa::path(get, path = "/api/v1/violation-types", tag = "violation-types", security(("bearer" = [])),
    params(ViolationTypeQuery),
    responses(
        (status = 200, description = "One page of matching versions", body = Page<ViolationTypeView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
    ))]
async fn list_violation_types(
    State(state): State<AppState>,
    _actor: Actor,
    ApiQuery(query): ApiQuery<ViolationTypeQuery>,
) -> ApiResult<Json<Page<ViolationTypeView>>> {
    Ok(Json(catalogue::list(&state.db.conn, query).await?))
}

/// Add a violation type, or a new version of an existing code.
///
/// A new code starts at version 1. A new version must start after the latest version's start and end; an
/// open-ended latest version is closed the day before the new one starts. Admin only.
#[utoipa::path(post, path = "/api/v1/violation-types", tag = "violation-types", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewViolationType,
    responses(
        (status = 201, description = "Created", body = ViolationTypeView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn create_violation_type(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<NewViolationType>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&catalogue::EDITORS)?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/violation-types", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = catalogue::create(&w, body).await?;
    let location = format!("/api/v1/violation-types?code={}", view.code);
    once.finish(&state.db.conn, w, location, view).await
}
