//! `/api/v1/changes`: what partners mirror the lists from, after an export (`routes/exports.rs`).

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::read::feed::{self, Feed, FeedQuery};
use crate::routes::problems::{BadRequest, Conflict, Forbidden, Gone, Unauthorized, Validation};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_changes))
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
