//! `/api/v1/suspicions`: smart-monitoring suspects (疑点) taken in, triaged, explained by the institution,
//! verified and second-reviewed, and each rule's statistics. (The bulk intake, `POST /suspicions:import`, lives
//! with the other streaming imports in `routes::imports`.) Partners are refused every operation; a hospital's
//! office reads and answers only its own institution's suspects, with the same 403 for another's as for none.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
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
use crate::service::suspicions::stats::{STATS_READERS, stats};
use crate::service::suspicions::{
    self, BulkTriage, BulkTriageResult, EXPLAINERS, Explanation, HANDLERS, NewSuspicion, READERS,
    REVIEWERS, SecondReview, StatsQuery, SuspicionQuery, SuspicionStats, SuspicionView, Triage,
    Verification, intake, steps,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(receive_suspicion, list_suspicions))
        .routes(routes!(suspicion_stats))
        .routes(routes!(get_suspicion))
        .routes(routes!(triage_suspicion))
        .routes(routes!(triage_suspicions))
        .routes(routes!(explain_suspicion))
        .routes(routes!(verify_suspicion))
        .routes(routes!(review_suspicion))
}

/// Take in one suspect (疑点).
///
/// By the rules of a row of `POST /suspicions:import`. `(source, external_id)` identifies it: the same content
/// sent again answers the suspect already there (200, nothing written); other content under a taken id is 409.
/// It waits for triage, due in `triage_working_days` (policy). Inspector, admin.
#[utoipa::path(post, path = "/api/v1/suspicions", tag = "suspicions", security(("bearer" = [])),
    request_body = NewSuspicion,
    responses(
        (status = 201, description = "Taken in", body = SuspicionView,
            headers(("Location" = String, description = "Where the suspect is read"))),
        (status = 200, description = "Already taken with the same content", body = SuspicionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn receive_suspicion(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<serde_json::Value>, ApiError>,
) -> ApiResult<Response> {
    actor.require(&HANDLERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let received = intake::receive(&w, body).await?;
    w.commit().await?;
    let today = state.ctx().today();
    let view = suspicions::view::view(received.row, crate::domain::masking::Audience::Full, today)?;
    if received.duplicate {
        return Ok(Json(view).into_response());
    }
    let location = format!("/api/v1/suspicions/{}", view.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// List suspects.
///
/// By id. Filters: `state` (as it stands today), `rule_code`, `subject_code`, `overdue=true` (a step or second
/// review past its due day), `awaiting_review`. A hospital's office gets its own institution's only, without
/// the authority's second review. Inspector, reviewer, approver, admin, auditor, hospital.
#[utoipa::path(get, path = "/api/v1/suspicions", tag = "suspicions", security(("bearer" = [])),
    params(SuspicionQuery),
    responses(
        (status = 200, description = "One page", body = Page<SuspicionView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_suspicions(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<SuspicionQuery>,
) -> ApiResult<Json<Page<SuspicionView>>> {
    actor.require(&READERS)?;
    Ok(Json(
        suspicions::read::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Each rule's statistics (rule quality).
///
/// Suspects received from `from` to `to` (China time, at most three years), per rule: counts by state, the
/// share converted among those decided for good (the rule's precision), the median days per step and the
/// amounts; and the share of decisions second-reviewed per month. Inspector, reviewer, approver, admin, auditor.
#[utoipa::path(get, path = "/api/v1/suspicions/stats", tag = "suspicions", security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The statistics", body = SuspicionStats),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn suspicion_stats(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<SuspicionStats>> {
    actor.require(&STATS_READERS)?;
    Ok(Json(
        stats(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Read one suspect.
///
/// A hospital's office: its own institution's only (403 for another's, as for none), without the second review.
#[utoipa::path(get, path = "/api/v1/suspicions/{id}", tag = "suspicions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Suspect id")),
    responses(
        (status = 200, description = "The suspect", body = SuspicionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_suspicion(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SuspicionView>> {
    actor.require(&READERS)?;
    Ok(Json(
        suspicions::read::get(&state.db.conn, &state.ctx(), &actor, id).await?,
    ))
}

/// Triage a pending suspect (初审).
///
/// `dismissed` (with a reason) or `to_explain`: the institution then answers by `explain_due`
/// (`explain_working_days`, holiday calendar). The decision is drawn for second review at the policy's rate
/// (at least 5%, reproducible from the id and the policy's seed). A suspect not pending is 409. Inspector, admin.
#[utoipa::path(post, path = "/api/v1/suspicions/{id}/triage", tag = "suspicions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Suspect id")),
    request_body = Triage,
    responses(
        (status = 200, description = "Triaged", body = SuspicionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn triage_suspicion(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<Triage>, ApiError>,
) -> ApiResult<Json<SuspicionView>> {
    actor.require(&HANDLERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = steps::triage(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Triage up to 1,000 pending suspects with one decision.
///
/// All in one transaction: an unknown or repeated id is 422 (naming `ids[i]`), one not pending 409, and then
/// none is triaged. Each decision is drawn for second review as a single one is. Inspector, admin.
#[utoipa::path(post, path = "/api/v1/suspicions:triage", tag = "suspicions", security(("bearer" = [])),
    request_body = BulkTriage,
    responses(
        (status = 200, description = "All triaged", body = BulkTriageResult),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn triage_suspicions(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<BulkTriage>, ApiError>,
) -> ApiResult<Json<BulkTriageResult>> {
    actor.require(&HANDLERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let result = steps::triage_many(&w, body).await?;
    w.commit().await?;
    Ok(Json(result))
}

/// Answer for a suspect (申诉/说明).
///
/// The institution's hospital office, for its own suspects sent for explanation, by `explain_due`: the suspect
/// then waits for verification. Past the deadline it has moved on without an answer (409). Hospital.
#[utoipa::path(post, path = "/api/v1/suspicions/{id}/explanation", tag = "suspicions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Suspect id")),
    request_body = Explanation,
    responses(
        (status = 200, description = "Answered", body = SuspicionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn explain_suspicion(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<Explanation>, ApiError>,
) -> ApiResult<Json<SuspicionView>> {
    actor.require(&EXPLAINERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = steps::explain(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Verify a suspect (核实).
///
/// Answered, or past its explanation deadline: `cleared` (with a reason), or `converted` into a `recorded`
/// violation case of `type_code` (subject, dates, amount and evidence carried over; the case then follows the
/// four-step workflow and names the suspect). Every conversion, and every clearance above the policy amount, is
/// second-reviewed; a suspect awaiting a second review is 409. Inspector, admin.
#[utoipa::path(post, path = "/api/v1/suspicions/{id}/verification", tag = "suspicions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Suspect id")),
    request_body = Verification,
    responses(
        (status = 200, description = "Verified", body = SuspicionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn verify_suspicion(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<Verification>, ApiError>,
) -> ApiResult<Json<SuspicionView>> {
    actor.require(&HANDLERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = steps::verify(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Second-review a decision (复审).
///
/// A reviewer who neither triaged nor verified the suspect (four eyes): `confirmed` (a final decision then
/// closes the suspect) or `overturned` with a reason (a dismissal goes to explanation, a request for explanation
/// is dismissed, a clearance or conversion goes back to verification, the conversion's case rejected). No
/// review awaited is 409. Reviewer, admin.
#[utoipa::path(post, path = "/api/v1/suspicions/{id}/second-review", tag = "suspicions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Suspect id")),
    request_body = SecondReview,
    responses(
        (status = 200, description = "Reviewed", body = SuspicionView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn review_suspicion(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<SecondReview>, ApiError>,
) -> ApiResult<Json<SuspicionView>> {
    actor.require(&REVIEWERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = suspicions::review::second_review(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
