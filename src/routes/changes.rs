//! `/api/v1/changes` and `/api/v1/lists/black/export`: what partners mirror the lists from.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::read::export::{self, ExportFormat, ExportQuery};
use crate::read::feed::{self, Feed, FeedQuery};
use crate::routes::problems::{BadRequest, Conflict, Forbidden, Gone, Unauthorized, Validation};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_changes))
        .routes(routes!(export_black))
}

/// The change feed.
///
/// Every change after `after`, in commit order: list entries, sanctions, standings, ledger entries and subjects
/// (staff readers also get cases, appeals and repairs), each with the entity's new value. `next_after` is the
/// `after` of the next call. A position older than the retention window (policy, 90 days) is `410`: re-export
/// and follow from the export's `seq`; a position beyond the feed's head is `409` naming the head, so a mirror
/// that starts from a wrong number notices at once. Partners (people masked, unpublished entries absent),
/// hospitals (their own subjects), auditors, admins.
#[utoipa::path(get, path = "/api/v1/changes", tag = "lists", security(("bearer" = [])),
    params(FeedQuery),
    responses(
        (status = 200, description = "The next changes", body = Feed),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
        (status = 422, response = Validation),
    ))]
async fn list_changes(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> ApiResult<Json<Feed>> {
    Ok(Json(
        feed::feed(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Export the whole black list.
///
/// Every entry the reader may see, ended ones included, as `jsonl` (one entry per line, as
/// `GET /lists/black/{id}` gives it) or `csv`, with the change-log `seq` it is current to in `X-Medcredit-Seq`.
/// Every role.
#[utoipa::path(get, path = "/api/v1/lists/black/export", tag = "lists", security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The list",
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position the export is current to")),
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn export_black(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let export = export::export(&state.db.conn, &state.ctx(), &actor, query).await?;
    let content_type = match export.format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Jsonl => "application/x-ndjson",
    };
    let mut response = export.body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(seq) = HeaderValue::from_str(&export.seq.to_string()) {
        headers.insert("x-medcredit-seq", seq);
    }
    Ok(response)
}
