//! `/api/v1/subjects/{code}/repair-activities` and `/api/v1/repair-activities`: a practitioner's training,
//! publicity or flight inspection, recorded by an inspector and decided by a reviewer who did not record it;
//! approval gives points back with a `repair` ledger entry.

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
use crate::service::repair_activities::{self, DECIDERS, NewRepairActivity, RepairActivityView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_repair_activity, subject_repair_activities))
        .routes(routes!(list_repair_activities))
        .routes(routes!(get_repair_activity))
        .routes(routes!(decide_repair_activity))
}

/// Record a practitioner's repair activity.
///
/// Training, publicity or a flight inspection, held on a day of the current cycle not after today, with a
/// description and evidence; a subject other than a practitioner is 422. It waits for a reviewer's decision.
/// Inspector, admin.
#[utoipa::path(post, path = "/api/v1/subjects/{code}/repair-activities", tag = "repair-activities",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewRepairActivity,
    responses(
        (status = 201, description = "Recorded (or the replay of an earlier post with this key)", body = RepairActivityView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn record_repair_activity(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Result<ApiJson<NewRepairActivity>, ApiError>,
) -> ApiResult<Response> {
    actor.require(&RECORDERS)?;
    let ApiJson(body) = body?;
    let operation = format!("POST /api/v1/subjects/{code}/repair-activities");
    let once = Once::of(&headers, &actor, &operation, &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = repair_activities::record(&w, &code, body).await?;
    let location = format!("/api/v1/repair-activities/{}", view.id);
    once.finish(&state.db.conn, w, location, view).await
}

/// A practitioner's repair activities, oldest first.
///
/// Staff: inspector, reviewer, approver, auditor, admin.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/repair-activities", tag = "repair-activities",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code"), AwardQuery),
    responses(
        (status = 200, description = "One page", body = Page<RepairActivityView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Validation),
    ))]
async fn subject_repair_activities(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<AwardQuery>,
) -> ApiResult<Json<Page<RepairActivityView>>> {
    actor.require(&READERS)?;
    let page = repair_activities::list(&state.db.conn, &actor, Some(&code), query).await?;
    Ok(Json(page))
}

/// List repair activities.
///
/// `state=pending` is what reviewers have to decide. Staff: inspector, reviewer, approver, auditor, admin.
#[utoipa::path(get, path = "/api/v1/repair-activities", tag = "repair-activities", security(("bearer" = [])),
    params(AwardQuery),
    responses(
        (status = 200, description = "One page", body = Page<RepairActivityView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_repair_activities(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<AwardQuery>,
) -> ApiResult<Json<Page<RepairActivityView>>> {
    Ok(Json(
        repair_activities::list(&state.db.conn, &actor, None, query).await?,
    ))
}

/// Read a repair activity.
///
/// Staff: inspector, reviewer, approver, auditor, admin.
#[utoipa::path(get, path = "/api/v1/repair-activities/{id}", tag = "repair-activities", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Repair activity id")),
    responses(
        (status = 200, description = "The repair activity", body = RepairActivityView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_repair_activity(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RepairActivityView>> {
    Ok(Json(
        repair_activities::get(&state.db.conn, &actor, id).await?,
    ))
}

/// Decide a repair activity.
///
/// A reviewer who did not record it (four eyes: the recorder is 403). Approval writes a `repair` ledger entry
/// in the activity's cycle of the policy's points (default 1), or of fewer when the practitioner's points or
/// the cycle's allowance for activities (default 4) leave fewer: points never fall below 0. When they leave
/// none it is 409 and the activity stays pending. Sanctions already started run their course; later
/// thresholds count the repaired total. Reviewer, admin.
#[utoipa::path(post, path = "/api/v1/repair-activities/{id}/decision", tag = "repair-activities",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Repair activity id")),
    request_body = AwardDecision,
    responses(
        (status = 200, description = "Decided", body = RepairActivityView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_repair_activity(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<AwardDecision>, ApiError>,
) -> ApiResult<Json<RepairActivityView>> {
    actor.require(&DECIDERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = repair_activities::decide(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
