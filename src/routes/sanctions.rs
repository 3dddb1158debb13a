//! `/api/v1/sanctions`: 处理措施 imposed by approvers or by the threshold engine, and their lifting and revocation.

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
use crate::service::sanctions::{
    self, Ending, NewSanction, SanctionAction, SanctionDetail, SanctionQuery, SanctionView,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_sanction, list_sanctions))
        .routes(routes!(get_sanction))
        .routes(routes!(lift_sanction))
        .routes(routes!(revoke_sanction))
}

/// Impose a sanction.
///
/// The type must apply to the subject's kind; suspensions and rectifications need `ends_on`, terminations must
/// not have one and get `ban_until` from the policy; recovery and penalty need `amount_fen`; qualification
/// suspensions need a `scope`, settlement suspensions default to `all`. Cited cases must be approved and be
/// the subject's own (or a practitioner's case its institution is liable for). Approver, admin.
#[utoipa::path(post, path = "/api/v1/sanctions", tag = "sanctions", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewSanction,
    responses(
        (status = 201, description = "Imposed (or the replay of an earlier post with this key)", body = SanctionView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn create_sanction(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<NewSanction>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&sanctions::WRITERS)?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/sanctions", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = sanctions::create(&w, body).await?;
    let location = format!("/api/v1/sanctions/{}", view.id);
    once.finish(&state.db.conn, w, location, view).await
}

/// List sanctions.
///
/// Filter by subject, type and the day they are active on; stably ordered by id. Hospitals see only their own
/// institution's and its practitioners' sanctions; partners see insured persons' codes masked, and a partner's
/// `subject_code` must be a code it may read (an ID number, or a code nobody has, is `404`). Every role.
#[utoipa::path(get, path = "/api/v1/sanctions", tag = "sanctions", security(("bearer" = [])),
    params(SanctionQuery),
    responses(
        (status = 200, description = "One page", body = Page<SanctionView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 422, response = Validation),
    ))]
async fn list_sanctions(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<SanctionQuery>,
) -> ApiResult<Json<Page<SanctionView>>> {
    Ok(Json(
        sanctions::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Read one sanction.
///
/// With its status today (UTC+8), the extensions that continue it and its history.
#[utoipa::path(get, path = "/api/v1/sanctions/{id}", tag = "sanctions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Sanction id")),
    responses(
        (status = 200, description = "The sanction", body = SanctionDetail),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_sanction(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SanctionDetail>> {
    Ok(Json(
        sanctions::get(&state.db.conn, &state.ctx(), &actor, id).await?,
    ))
}

/// Lift a sanction from today (UTC+8) on.
///
/// It stops being active today. A sanction already lifted, revoked or expired cannot be lifted. Approver, admin.
#[utoipa::path(post, path = "/api/v1/sanctions/{id}/lift", tag = "sanctions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Sanction id")),
    request_body = SanctionAction,
    responses(
        (status = 200, description = "Lifted", body = SanctionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn lift_sanction(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<SanctionAction>, ApiError>,
) -> ApiResult<Json<SanctionView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&sanctions::WRITERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = sanctions::end(&w, id, body, Ending::Lift).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Revoke a sanction.
///
/// A revoked sanction never counted, on any day (e.g. its case was voided on appeal). Approver, admin.
#[utoipa::path(post, path = "/api/v1/sanctions/{id}/revoke", tag = "sanctions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Sanction id")),
    request_body = SanctionAction,
    responses(
        (status = 200, description = "Revoked", body = SanctionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn revoke_sanction(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<SanctionAction>, ApiError>,
) -> ApiResult<Json<SanctionView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&sanctions::WRITERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = sanctions::end(&w, id, body, Ending::Revoke).await?;
    w.commit().await?;
    Ok(Json(view))
}
