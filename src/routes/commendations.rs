//! `/api/v1/subjects/{code}/commendations` and `/api/v1/commendations`: 守信激励, proposed by an inspector and
//! decided by an approver who did not propose it; approval writes a capped `bonus` ledger entry.

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
use crate::service::awards::{AwardDecision, AwardQuery, READERS, RECORDERS};
use crate::service::bonuses::{self, CommendationView, DECIDERS, NewCommendation};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose_commendation, subject_commendations))
        .routes(routes!(list_commendations))
        .routes(routes!(get_commendation))
        .routes(routes!(decide_commendation))
}

/// Propose a commendation (守信激励) of an institution or pharmacy.
///
/// Points inside the policy's range (default 1–5), a reason and evidence; a practitioner or an insured person
/// is 422. It waits for an approver's decision. Inspector, admin.
#[utoipa::path(post, path = "/api/v1/subjects/{code}/commendations", tag = "commendations",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewCommendation,
    responses(
        (status = 201, description = "Proposed (or the replay of an earlier post with this key)", body = CommendationView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn propose_commendation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Result<ApiJson<NewCommendation>, ApiError>,
) -> ApiResult<Response> {
    actor.require(&RECORDERS)?;
    let ApiJson(body) = body?;
    let operation = format!("POST /api/v1/subjects/{code}/commendations");
    let once = Once::of(&headers, &actor, &operation, &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = bonuses::propose(&w, &code, body).await?;
    let location = format!("/api/v1/commendations/{}", view.id);
    once.finish(&state.db.conn, w, location, view).await
}

/// A subject's commendations, oldest first.
///
/// Staff: inspector, reviewer, approver, auditor, admin.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/commendations", tag = "commendations",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code"), AwardQuery),
    responses(
        (status = 200, description = "One page", body = Page<CommendationView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Validation),
    ))]
async fn subject_commendations(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<AwardQuery>,
) -> ApiResult<Json<Page<CommendationView>>> {
    actor.require(&READERS)?;
    let page = bonuses::list(&state.db.conn, &actor, Some(&code), query).await?;
    Ok(Json(page))
}

/// List commendations.
///
/// `state=pending` is what approvers have to decide. Staff: inspector, reviewer, approver, auditor, admin.
#[utoipa::path(get, path = "/api/v1/commendations", tag = "commendations", security(("bearer" = [])),
    params(AwardQuery),
    responses(
        (status = 200, description = "One page", body = Page<CommendationView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_commendations(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<AwardQuery>,
) -> ApiResult<Json<Page<CommendationView>>> {
    Ok(Json(
        bonuses::list(&state.db.conn, &actor, None, query).await?,
    ))
}

/// Read a commendation.
///
/// Staff: inspector, reviewer, approver, auditor, admin.
#[utoipa::path(get, path = "/api/v1/commendations/{id}", tag = "commendations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Commendation id")),
    responses(
        (status = 200, description = "The commendation", body = CommendationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_commendation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CommendationView>> {
    Ok(Json(bonuses::get(&state.db.conn, &actor, id).await?))
}

/// Decide a commendation.
///
/// An approver who did not propose it (four eyes: the proposer is 403). Approval writes a `bonus` ledger entry
/// in the current cycle of the proposed points, or of fewer when the cycle's cap (policy, default 10) leaves
/// fewer; when the cap leaves none it is 409 and the commendation stays pending. The score never passes 100.
/// Approver, admin.
#[utoipa::path(post, path = "/api/v1/commendations/{id}/decision", tag = "commendations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Commendation id")),
    request_body = AwardDecision,
    responses(
        (status = 200, description = "Decided", body = CommendationView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_commendation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<AwardDecision>, ApiError>,
) -> ApiResult<Json<CommendationView>> {
    actor.require(&DECIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = bonuses::decide(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
