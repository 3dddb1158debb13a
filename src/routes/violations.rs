//! `/api/v1/violations`: recording cases and moving them through review and approval.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::domain::cases::CaseAction;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::routes::once::Once;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::cases::{
    self, ApproveCase, NewViolation, ReasonBody, ReviewCase, ViolationPatch, ViolationQuery,
    ViolationView, read, record, workflow,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_violation, list_violations))
        .routes(routes!(get_violation, correct_violation))
        .routes(routes!(review_violation))
        .routes(routes!(approve_violation))
        .routes(routes!(reject_violation))
        .routes(routes!(return_violation))
        .routes(routes!(resubmit_violation))
}

/// Record a violation case (state `recorded`).
///
/// The type must apply to the subject's kind and be in force on `occurred_on`. Send `Idempotency-Key` to make
/// retries safe: the same key with the same body returns the first case (201, header `Idempotent-Replayed`);
/// with a different body it is 409. Inspector.
#[utoipa::path(post, path = "/api/v1/violations", tag = "violations", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars) that makes the post idempotent")),
    request_body = NewViolation,
    responses(
        (status = 201, description = "Recorded (or the replay of an earlier post with this key)", body = ViolationView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn record_violation(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<serde_json::Value>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::RECORDERS)?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/violations", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = record::record(&w, body).await?;
    let location = format!("/api/v1/violations/{}", view.id);
    once.finish(&state.db.conn, w, location, view).await
}

/// List cases.
///
/// Stably ordered by id; filter by subject, state, type, major flag and `occurred_on` range.
#[utoipa::path(get, path = "/api/v1/violations", tag = "violations", security(("bearer" = [])),
    params(ViolationQuery),
    responses(
        (status = 200, description = "One page", body = Page<ViolationView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_violations(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ViolationQuery>,
) -> ApiResult<Json<Page<ViolationView>>> {
    Ok(Json(read::list(&state.db.conn, &actor, query).await?))
}

/// Read a case.
///
/// With its full transition history and the sanctions resting on it.
#[utoipa::path(get, path = "/api/v1/violations/{id}", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ViolationView>> {
    Ok(Json(read::get(&state.db.conn, &actor, id).await?))
}

/// Correct a returned case.
///
/// Changes the fields given, before the case is resubmitted; at least one is needed. Inspector.
#[utoipa::path(patch, path = "/api/v1/violations/{id}", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body = ViolationPatch,
    responses(
        (status = 200, description = "Corrected", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn correct_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    patch: Result<ApiJson<ViolationPatch>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::RECORDERS)?;
    let ApiJson(patch) = patch?;
    let w = state.writer(actor).await?;

    let result = workflow::correct(&w, id, patch).await?;

    w.commit().await?;

    Ok(Json(result))
}

/// Review a recorded case (稽核股覆核).
///
/// The case moves to `reviewed`, ready for approval. Reviewer; not the inspector who recorded it.
#[utoipa::path(post, path = "/api/v1/violations/{id}/review", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body(content = Option<ReviewCase>, description = "Optional: an empty body is a review without a comment"),
    responses(
        (status = 200, description = "Reviewed", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn review_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReviewCase>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::REVIEWERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;

    let result = workflow::review(&w, id, body).await?;

    w.commit().await?;

    Ok(Json(result))
}

/// 分管领导审核: approve a reviewed case; from now on it is in force.
///
/// Writes the ledger deduction and any automatic sanction (practitioner thresholds, insured settlement
/// suspension) in the same transaction. Approver; neither the recorder nor the reviewer.
#[utoipa::path(post, path = "/api/v1/violations/{id}/approve", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body = ApproveCase,
    responses(
        (status = 200, description = "Approved", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn approve_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ApproveCase>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::APPROVERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;

    let result = workflow::approve(&w, id, body).await?;

    w.commit().await?;

    Ok(Json(result))
}

/// Reject a case.
///
/// A recorded or reviewed case ends as `rejected`, with a reason. Reviewer or approver.
#[utoipa::path(post, path = "/api/v1/violations/{id}/reject", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Rejected", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn reject_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReasonBody>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::DECIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = workflow::reject_or_return(&w, id, CaseAction::Reject, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Return a case to the inspector.
///
/// For more evidence, with a reason; the inspector corrects it and resubmits it. Reviewer or approver.
#[utoipa::path(post, path = "/api/v1/violations/{id}/return", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Returned", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn return_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReasonBody>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::DECIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = workflow::reject_or_return(&w, id, CaseAction::Return, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Resubmit a returned case.
///
/// Sends it back to review. Inspector.
#[utoipa::path(post, path = "/api/v1/violations/{id}/resubmit", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    request_body(content = Option<ReviewCase>, description = "Optional: an empty body resubmits without a comment"),
    responses(
        (status = 200, description = "Recorded again", body = ViolationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn resubmit_violation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReviewCase>, ApiError>,
) -> ApiResult<Json<ViolationView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&cases::RECORDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;

    let result = workflow::resubmit(&w, id, body).await?;

    w.commit().await?;

    Ok(Json(result))
}
