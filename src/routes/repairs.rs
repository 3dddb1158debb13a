//! `/api/v1/repairs`: 信用修复 applications and their decisions.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::routes::once::Once;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::appeals::FILERS;
use crate::service::repairs::{self, NewRepair, RepairDecision, RepairQuery, RepairView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(apply_repair, list_repairs))
        .routes(routes!(decide_repair))
}

/// Apply for credit repair (信用修复).
///
/// Names a list entry to end early and/or a case whose points are to be given back, with proof of
/// rectification. Possible only after the minimum publication period for the case's severity (policy: minor 3
/// months, general 6, serious and black-list entries 12), else 422 saying from which date. `decision_due` is 15
/// working days on (policy), counted with the holiday calendar. An inspector, or the subject's own hospital;
/// admin.
#[utoipa::path(post, path = "/api/v1/repairs", tag = "repairs", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewRepair,
    responses(
        (status = 201, description = "Applied (or the replay of an earlier post with this key)", body = RepairView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn apply_repair(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<NewRepair>, ApiError>,
) -> ApiResult<Response> {
    actor.require(&FILERS)?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/repairs", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = repairs::apply(&w, body).await?;
    let location = format!("/api/v1/repairs?subject_code={}", view.subject_code);
    once.finish(&state.db.conn, w, location, view).await
}

/// List repair applications.
///
/// `overdue=true` keeps the undecided ones past their due date. Every role but partners (hospitals: their own
/// subjects').
#[utoipa::path(get, path = "/api/v1/repairs", tag = "repairs", security(("bearer" = [])),
    params(RepairQuery),
    responses(
        (status = 200, description = "One page", body = Page<RepairView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_repairs(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<RepairQuery>,
) -> ApiResult<Json<Page<RepairView>>> {
    Ok(Json(
        repairs::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Decide a repair.
///
/// Approving ends the list entry as `repaired` and/or writes a `repair` ledger entry of the approved points
/// (default: all of the case's); rejecting needs a reason. Reviewer, admin.
#[utoipa::path(post, path = "/api/v1/repairs/{id}/decision", tag = "repairs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Repair id")),
    request_body = RepairDecision,
    responses(
        (status = 200, description = "Decided", body = RepairView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_repair(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<RepairDecision>, ApiError>,
) -> ApiResult<Json<RepairView>> {
    actor.require(&repairs::DECIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = repairs::decide(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
