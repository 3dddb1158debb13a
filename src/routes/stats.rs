//! `/api/v1/stats/*` (staff; a hospital its own institution's cases and sanctions) and `/public/v1/stats`
//! (anyone): statistics read from the counters (`read::stats`). Each answers JSON, or with `Accept: text/csv`
//! the same table as CSV, with the change-log `seq` it reflects in the body and in `X-Medcredit-Seq`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::read::stats::figures::{self, READERS, StatsQuery, Topic};
use crate::read::stats::grades::{self, GradesAnswer, GradesQuery};
use crate::read::stats::public::{self, PublicStatsQuery};
use crate::read::stats::{StatsAnswer, csv};
use crate::routes::problems::{BadRequest, Forbidden, Unauthorized, Validation};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats_cases))
        .routes(routes!(stats_sanctions))
        .routes(routes!(stats_lists))
        .routes(routes!(stats_tips))
        .routes(routes!(stats_grades))
        .routes(routes!(public_stats))
}

fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/csv")))
}

fn with_seq(mut response: Response, seq: i64) -> Response {
    if let Ok(seq) = HeaderValue::from_str(&seq.to_string()) {
        response.headers_mut().insert("x-medcredit-seq", seq);
    }
    response
}

fn csv_response(body: Vec<u8>, seq: i64) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    with_seq(response, seq)
}

fn answer(headers: &HeaderMap, answer: StatsAnswer) -> ApiResult<Response> {
    let seq = answer.seq;
    if wants_csv(headers) {
        let compare = answer.compare.is_some();
        let body = csv::encode(&answer.group_by, &answer.figures, &answer.items, compare)?;
        return Ok(csv_response(body, seq));
    }
    Ok(with_seq(Json(answer).into_response(), seq))
}

/// Who may not read is refused before the query is judged: a hospital whose query cannot be read gets the
/// 403 of a query about another institution.
async fn topic(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    topic: Topic,
    query: Result<ApiQuery<StatsQuery>, ApiError>,
) -> ApiResult<Response> {
    let query = match query {
        Ok(ApiQuery(query)) => query,
        Err(e) => {
            figures::check_reader(actor, topic, None)?;
            return Err(e);
        }
    };
    let cx = state.ctx();
    let read = figures::read(&state.db.conn, &cx, actor, topic, query).await?;
    answer(headers, read)
}

/// A staff statistics endpoint of one topic: the same query, answer and documented responses for each.
macro_rules! topic_endpoint {
    ($(#[$doc:meta])* $name:ident, $path:tt, $topic:expr) => {
        $(#[$doc])*
        #[utoipa::path(get, path = $path, tag = "stats", security(("bearer" = [])),
            params(StatsQuery),
            responses(
                (status = 200, description = "The table", body = StatsAnswer,
                    headers(("X-Medcredit-Seq" = i64, description = "The change-log position it reflects")),
                    content((StatsAnswer = "application/json"), (String = "text/csv"))),
                (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden), (status = 422, response = Validation),
            ))]
        async fn $name(
            State(state): State<AppState>,
            actor: Actor,
            headers: HeaderMap,
            query: Result<ApiQuery<StatsQuery>, ApiError>,
        ) -> ApiResult<Response> {
            topic(&state, &actor, &headers, $topic, query).await
        }
    };
}

topic_endpoint! {
    /// Case statistics.
    ///
    /// Cases `approved`, `voided`, `recorded` and `rejected` (each on the day it happened, UTC+8: a voided case
    /// stays approved in its approval period and counts as voided in the period it was voided), `major` cases,
    /// `amount_involved_fen` and `amount_to_recover_fen` of the cases approved, and `pending` (waiting for a
    /// decision at the end of the period; not in rows grouped by period). Grouped by up to two dimensions;
    /// `compare=previous_year` adds the same days a year earlier and the change. A cell with people in it that
    /// would be one person's figures is `<2` (policy `stats.person_min_subjects`). `Accept: text/csv` gives the
    /// table as CSV. Staff; a hospital with `institution_code` its own (otherwise 403).
    stats_cases,
    "/api/v1/stats/cases",
    Topic::Cases
}

topic_endpoint! {
    /// Sanction statistics.
    ///
    /// Sanctions `started` on their start date (by type with `group_by=sanction_type`), among them
    /// `agreements_suspended`, `agreements_terminated`, `practitioners_suspended` and `practitioners_terminated`;
    /// `extended` (the engine's extensions of a running suspension) and `revoked` (on the day revoked). The query
    /// rules of `/api/v1/stats/cases`. Staff; a hospital with `institution_code` its own.
    stats_sanctions,
    "/api/v1/stats/sanctions",
    Topic::Sanctions
}

topic_endpoint! {
    /// List statistics.
    ///
    /// Black and red list entries `*_added` (on the listing day), `*_ended` (on the first day they no longer
    /// apply: the day after expiry, or the day ended early) and `*_in_force` on the last day (not in rows grouped
    /// by period). Published or not. Beside them, the other side of credit: `bonuses` (守信激励) written for
    /// institutions and pharmacies and their `bonus_points`, on the day written. The query rules of
    /// `/api/v1/stats/cases`. Staff only.
    stats_lists,
    "/api/v1/stats/lists",
    Topic::Lists
}

topic_endpoint! {
    /// Tip statistics.
    ///
    /// Tips `received` and `accepted` (on the day), `rewards_paid` and `rewards_paid_fen` (on the day paid), under
    /// the county the reporter named (empty when none). The query rules of `/api/v1/stats/cases`; a tip has no
    /// subject, so `subject_kind` and `institution_code` select none. Staff only.
    stats_tips,
    "/api/v1/stats/tips",
    Topic::Tips
}

/// Grades and points bands on a day.
///
/// How many institutions and pharmacies hold each grade (`grade_A`…) and how many practitioners fall in each
/// points band (`points_0`, `points_1-5`, `points_6-8`, `points_9-11`, `points_12+` by default, policy
/// `stats.points_band_tops`) on `date`, a day of the current credit cycle or later (earlier: 422). Read from
/// the materialised standings, one row per subject. Staff only.
#[utoipa::path(get, path = "/api/v1/stats/grades", tag = "stats", security(("bearer" = [])),
    params(GradesQuery),
    responses(
        (status = 200, description = "The distribution", body = GradesAnswer,
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position it reflects")),
            content((GradesAnswer = "application/json"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn stats_grades(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    query: Result<ApiQuery<GradesQuery>, ApiError>,
) -> ApiResult<Response> {
    actor.require(&READERS)?;
    let ApiQuery(query) = query?;
    let read = grades::read(&state.db.conn, &state.ctx(), query).await?;
    let seq = read.seq;
    if wants_csv(&headers) {
        let body = csv::encode(&read.group_by, &read.figures, &read.items, false)?;
        return Ok(csv_response(body, seq));
    }
    Ok(with_seq(Json(read).into_response(), seq))
}

/// Public statistics.
///
/// Organisations only (institutions and pharmacies, never a person), for a year: `cases_approved`,
/// `amount_recovered_fen` (to recover on the cases approved), `agreements_suspended`, `agreements_terminated`
/// and published `black_list_entries`, by prefecture (default), province or year. A cell resting on fewer than
/// 5 organisations (policy `stats.public_min_subjects`) is `<5`. No token.
#[utoipa::path(get, path = "/public/v1/stats", tag = "stats",
    params(PublicStatsQuery),
    responses(
        (status = 200, description = "The table", body = StatsAnswer,
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position it reflects")),
            content((StatsAnswer = "application/json"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 422, response = Validation),
    ))]
async fn public_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<PublicStatsQuery>,
) -> ApiResult<Response> {
    let read = public::read(&state.db.conn, &state.ctx(), query).await?;
    answer(&headers, read)
}
