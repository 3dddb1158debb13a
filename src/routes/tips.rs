//! `/api/v1/tips`: the register of tip-offs (举报台账) and their handling, for staff only. Hospitals and partners
//! are refused every operation before anything is looked up, so no answer tells them whether a tip exists.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::exports::ExportQuery;
use crate::service::tips::{
    self, HANDLERS, READERS, REWARDERS, RewardDecision, RewardPayment, TipCaseLink, TipDecision,
    TipDetails, TipQuery, TipView,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tips))
        .routes(routes!(export_tips))
        .routes(routes!(get_tip))
        .routes(routes!(decide_tip))
        .routes(routes!(link_case))
        .routes(routes!(tip_details))
        .routes(routes!(decide_reward))
        .routes(routes!(record_payment))
}

/// The register of tips (举报台账).
///
/// Tips with their state, due dates (working days, holiday calendar), linked cases and rewards, newest first.
/// `overdue=true` keeps received tips past their decision date. Contact and payment details are never in it.
/// Inspectors, reviewers, approvers, admins and auditors.
#[utoipa::path(get, path = "/api/v1/tips", tag = "tips", security(("bearer" = [])),
    params(TipQuery),
    responses(
        (status = 200, description = "One page", body = Page<TipView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_tips(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<TipQuery>,
) -> ApiResult<Json<Page<TipView>>> {
    actor.require(&READERS)?;
    Ok(Json(
        tips::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Export the register of tips.
///
/// Every tip as `jsonl` (as the register gives it) or `csv` (a UTF-8 byte-order mark, headers in the reader's
/// language, no cell a spreadsheet would run). No contact or payment details. The readers of the register.
#[utoipa::path(get, path = "/api/v1/tips/export", tag = "tips", security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The register",
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position the export was read at")),
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn export_tips(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    actor.require(&READERS)?;
    let export = tips::export(&state.db.conn, &state.ctx(), &actor, query).await?;
    let mut response = export.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.format.content_type()),
    );
    if let Ok(seq) = HeaderValue::from_str(&export.seq.to_string()) {
        headers.insert("x-medcredit-seq", seq);
    }
    Ok(response)
}

/// One tip of the register.
///
/// The readers of the register.
#[utoipa::path(get, path = "/api/v1/tips/{id}", tag = "tips", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tip id")),
    responses(
        (status = 200, description = "The tip", body = TipView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_tip(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TipView>> {
    actor.require(&READERS)?;
    Ok(Json(
        tips::get(&state.db.conn, &state.ctx(), &actor, id).await?,
    ))
}

/// Take a received tip up (立案) or not.
///
/// `accepted` links it to the subject named by `subject_code` and makes the caller its handler; `not_accepted`
/// needs a reason, which the reporter reads. A named reporter is to be told by `notify_due` (5 working days,
/// policy). A tip already decided is 409. Inspector, admin.
#[utoipa::path(post, path = "/api/v1/tips/{id}/decision", tag = "tips", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tip id")),
    request_body = TipDecision,
    responses(
        (status = 200, description = "Decided", body = TipView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_tip(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<TipDecision>, ApiError>,
) -> ApiResult<Json<TipView>> {
    actor.require(&HANDLERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = tips::decide(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Link a case the tip led to.
///
/// An existing case, or one recorded from the tip (`POST /api/v1/violations` first). The tip closes when all
/// its cases are approved, voided or rejected; an approved case proposes the reward. The handler, or an admin;
/// a tip not taken up, or closed, is 409.
#[utoipa::path(post, path = "/api/v1/tips/{id}/cases", tag = "tips", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tip id")),
    request_body = TipCaseLink,
    responses(
        (status = 200, description = "Linked", body = TipView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn link_case(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<TipCaseLink>, ApiError>,
) -> ApiResult<Json<TipView>> {
    actor.require(&HANDLERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = tips::link_case(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Read the reporter's contact and payment details.
///
/// Opened from their sealed form for the inspector handling the tip and for admins only; every reading is an
/// audit row (which records that they were read, never what they say). Anyone else gets 403, whether the tip
/// exists or not.
#[utoipa::path(get, path = "/api/v1/tips/{id}/details", tag = "tips", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tip id")),
    responses(
        (status = 200, description = "The details", body = TipDetails),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn tip_details(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TipDetails>> {
    actor.require(&HANDLERS)?;
    let key = state.tip_key.clone();
    let w = state.writer(actor).await?;
    let details = tips::details(&w, key.as_deref(), id).await?;
    w.commit().await?;
    Ok(Json(details))
}

/// Approve or change the proposed reward.
///
/// An approver who did not handle the tip (four eyes) approves the amount the policy schedule proposed, or
/// changes it (`amount_fen`, 0 to the cap), with a reason. A reward not waiting for a decision is 409.
/// Approver, admin.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reward/decision", tag = "tips", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tip id")),
    request_body = RewardDecision,
    responses(
        (status = 200, description = "Decided", body = TipView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_reward(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<RewardDecision>, ApiError>,
) -> ApiResult<Json<TipView>> {
    actor.require(&REWARDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = tips::decide_reward(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Record the payment of an approved reward.
///
/// `paid_on` (not in the future) and the payment's reference. A reward not approved (or already paid or
/// declined) is 409. Approver, admin.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reward/payment", tag = "tips", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tip id")),
    request_body = RewardPayment,
    responses(
        (status = 200, description = "Recorded", body = TipView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn record_payment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<RewardPayment>, ApiError>,
) -> ApiResult<Json<TipView>> {
    actor.require(&REWARDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = tips::record_payment(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
