//! `/api/v1/violations/{id}/appeals`, `/api/v1/appeals` and `/api/v1/violations/{id}/void`: 申诉 and voiding.

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
use crate::service::appeals::{self, AppealDecision, AppealQuery, AppealView, NewAppeal};
use crate::service::cases::{ReasonBody, ViolationView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_appeal))
        .routes(routes!(list_appeals))
        .routes(routes!(decide_appeal))
        .routes(routes!(void_violation))
}

/// Appeal an approved case (申诉).
///
/// Within the policy's window after approval (default 15 days), else 422 naming the last day. The case becomes
/// `appealed` and the subject's standing shows it disputed until a reviewer decides. An inspector on the
/// subject's behalf, or the subject's own hospital for its institution and practitioners; admin.
#[utoipa::path(post, path = "/api/v1/violations/{id}/appeals", tag = "appeals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewAppeal,
    responses(
        (status = 201, description = "Filed (or the replay of an earlier post with this key)", body = AppealView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn file_appeal(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<NewAppeal>, ApiError>,
) -> ApiResult<Response> {
    // The right to act, before the body is judged (DESIGN §14).
    appeals::may_file(&state.db.conn, &state.ctx(), &actor, id).await?;
    let ApiJson(body) = body?;
    let once = Once::of(
        &headers,
        &actor,
        &format!("POST /api/v1/violations/{id}/appeals"),
        &body,
    )?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = appeals::file(&w, id, body).await?;
    let location = format!("/api/v1/appeals?subject_code={}", view.subject_code);
    once.finish(&state.db.conn, w, location, view).await
}

/// List appeals.
///
/// Filtered by state and subject; stably ordered by id. Hospitals see their own subjects'. Every role but
/// partners.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])),
    params(AppealQuery),
    responses(
        (status = 200, description = "One page", body = Page<AppealView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_appeals(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<AppealQuery>,
) -> ApiResult<Json<Page<AppealView>>> {
    Ok(Json(
        appeals::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Decide an appeal.
///
/// `accepted` voids the case in one transaction: a reversal cancels its points, sanctions resting only on it
/// and automatic ones whose threshold no longer holds are revoked, its automatic list entries are taken off and
/// the standing is recomputed. `rejected` lets the case stand. A reviewer who neither acted on the case nor
/// filed the appeal; admin.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/decision", tag = "appeals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Appeal id")),
    request_body = AppealDecision,
    responses(
        (status = 200, description = "Decided", body = AppealView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_appeal(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<AppealDecision>, ApiError>,
) -> ApiResult<Json<AppealView>> {
    actor.require(&appeals::DECIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = appeals::decide(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Void a case of the approver's own motion.
///
/// Voids an approved or appealed case as a correction, or on an external decision (行政复议, 行政诉讼), with the
/// same effects as an accepted appeal. Approver, admin.
#[utoipa::path(post, path = "/api/v1/violations/{id}/void", tag = "appeals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Voided", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn void_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReasonBody>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    actor.require(&appeals::VOIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = appeals::void(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
