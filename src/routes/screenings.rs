//! `/api/v1/screenings` and `/api/v1/institutions/{code}/practitioners`: standing in bulk, with proof, and a
//! hospital's roster.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::read::roster::{self, Roster, RosterQuery};
use crate::read::screenings::{self, NewScreening, ScreeningQuery, ScreeningRecord};
use crate::routes::problems::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::quota::{self, QuotaView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(screen, list_screenings))
        .routes(routes!(get_screening))
        .routes(routes!(institution_roster))
        .routes(routes!(lookup_quotas))
}

/// Today's quota of person look-ups.
///
/// Every read of a person by a partner (a single read of a practitioner, or a screening row that is not an
/// organisation) counts against its principal's quota for the day (UTC+8; policy, default 20,000). Past it,
/// such reads answer `429` with `Retry-After` until midnight. A partner reads its own; an admin every
/// principal's.
#[utoipa::path(get, path = "/api/v1/lookup-quotas", tag = "standing", security(("bearer" = [])),
    responses(
        (status = 200, description = "Today's quotas", body = Page<QuotaView>),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
    ))]
async fn lookup_quotas(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Page<QuotaView>>> {
    let items = quota::today(&state.db.conn, &state.ctx(), &actor).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Screen up to 10,000 codes at once.
///
/// Every code is answered: its standing on `as_of` (default today), or `not_found`. The whole answer is stored
/// with who asked and when, the change-log `seq` it reflects and the SHA-256 `digest` of the answers, and can
/// be read back as proof. Hospitals get answers only for their own institution and practitioners (others read
/// as `not_found`); partners get people masked. More than 10,000 codes (policy) is `413`. Every role.
#[utoipa::path(post, path = "/api/v1/screenings", tag = "standing", security(("bearer" = [])),
    request_body = NewScreening,
    responses(
        (status = 201, description = "Answered and stored", body = ScreeningRecord,
            headers(("Server-Timing" = String, description = "Time the server took, e.g. `app;dur=42.5` (ms)"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn screen(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewScreening>,
) -> ApiResult<Response> {
    let started = std::time::Instant::now();
    let (db, cache) = (&state.db, &state.standings);
    let cx = state.ctx();
    let answered = screenings::answer(&db.conn, cache, &cx, &actor, body).await?;
    let row = crate::service::screenings::store(db, &cx, &actor, answered).await?;
    let record = screenings::stored(row)?;
    // Serialised here rather than by `Json`, so that the time the server took covers the whole answer.
    let json = serde_json::to_vec(&record)
        .map_err(|e| ApiError::Internal(format!("screening is not JSON: {e}")))?;
    let timing = format!("app;dur={:.1}", started.elapsed().as_secs_f64() * 1000.0);
    Ok((
        StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (HeaderName::from_static("server-timing"), timing),
        ],
        json,
    )
        .into_response())
}

/// List screenings.
///
/// The caller's screenings (auditors and admins: everyone's), without their answers, oldest first; filter by
/// time.
#[utoipa::path(get, path = "/api/v1/screenings", tag = "standing", security(("bearer" = [])),
    params(ScreeningQuery),
    responses(
        (status = 200, description = "One page", body = Page<ScreeningRecord>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn list_screenings(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ScreeningQuery>,
) -> ApiResult<Json<Page<ScreeningRecord>>> {
    Ok(Json(screenings::list(&state.db.conn, &actor, query).await?))
}

/// Read one screening.
///
/// One stored screening with its answers, as given; `digest` is the SHA-256 of `answers`. The caller's own
/// (auditors and admins: any).
#[utoipa::path(get, path = "/api/v1/screenings/{id}", tag = "standing", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Screening id")),
    responses(
        (status = 200, description = "The screening", body = ScreeningRecord),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ))]
async fn get_screening(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ScreeningRecord>> {
    Ok(Json(screenings::get(&state.db.conn, &actor, id).await?))
}

/// An institution's practitioners with their standing today.
///
/// Everyone affiliated now or from a later day (so a hospital can vet a doctor before the first day), ordered
/// by code; returned whole. `status` keeps those in that status today, `scope` those who may prescribe in it
/// today (who can staff that clinic). A hospital may ask
/// only about its own institution; partners get names masked.
#[utoipa::path(get, path = "/api/v1/institutions/{code}/practitioners", tag = "standing", security(("bearer" = [])),
    params(("code" = String, Path, description = "Institution or pharmacy code", example = "H37010200001"), RosterQuery),
    responses(
        (status = 200, description = "The roster", body = Roster),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Validation),
    ))]
async fn institution_roster(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<RosterQuery>,
) -> ApiResult<Json<Roster>> {
    Ok(Json(
        roster::roster(&state.db.conn, &state.ctx(), &actor, &code, query).await?,
    ))
}
