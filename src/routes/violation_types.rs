//! `/api/v1/violation-types`: the versioned violation-type catalogue (违规行为目录).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::openapi::{
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
/// is the one a violation occurring that day uses. Every role.
#[utoipa::path(get, path = "/api/v1/violation-types", tag = "violation-types", security(("bearer" = [])),
    params(ViolationTypeQuery),
    responses(
        (status = 200, description = "Matching versions", body = Vec<ViolationTypeView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
    ))]
async fn list_violation_types(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiQuery(query): ApiQuery<ViolationTypeQuery>,
) -> ApiResult<Json<Vec<ViolationTypeView>>> {
    Ok(Json(catalogue::list(&state.db.conn, query).await?))
}

/// Add a violation type, or a new version of an existing code.
///
/// A new code starts at version 1. A new version must start after the latest version's start and end; an
/// open-ended latest version is closed the day before the new one starts. Admin only.
#[utoipa::path(post, path = "/api/v1/violation-types", tag = "violation-types", security(("bearer" = [])),
    request_body = NewViolationType,
    responses(
        (status = 201, description = "Created", body = ViolationTypeView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn create_violation_type(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<NewViolationType>,
) -> ApiResult<(StatusCode, Json<ViolationTypeView>)> {
    let view = catalogue::create(&state, &user, body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
