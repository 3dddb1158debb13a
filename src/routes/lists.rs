//! `/api/v1/lists/black`: the list of seriously dishonest subjects (严重失信主体名单).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::domain::lists::ListKind;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::routes::once::Once;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::cases::ReasonBody;
use crate::service::lists::red::{self, ProposalQuery, ProposeRed, RedDecision, RedProposalView};
use crate::service::lists::{self, ListEntryDetail, ListEntryView, ListQuery, NewBlackEntry};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_black, list_black))
        .routes(routes!(get_black))
        .routes(routes!(remove_black))
        .routes(routes!(publish_black))
        .routes(routes!(list_red))
        .routes(routes!(propose_red, list_red_proposals))
        .routes(routes!(decide_red_proposal))
}

/// List red-list (守信) entries.
///
/// Confirmed proposals. Same filters and visibility as the black list. Every role.
#[utoipa::path(get, path = "/api/v1/lists/red", tag = "lists", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = Page<ListEntryView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn list_red(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ListEntryView>>> {
    let page = lists::list(&state.db.conn, &state.ctx(), &actor, ListKind::Red, query).await?;
    Ok(Json(page))
}

/// Propose the red list for a year.
///
/// Every institution and pharmacy with grade A at the end of each of the N completed years before `year`
/// (policy, default 2) and no sanction in them, not proposed for that year before. Answers every new proposal
/// in the shape of a list; `next_cursor` is always absent (`GET /lists/red/proposals` pages them). Admin.
#[utoipa::path(post, path = "/api/v1/lists/red/proposals", tag = "lists", security(("bearer" = [])),
    request_body = ProposeRed,
    responses(
        (status = 201, description = "The new proposals, all on one page", body = Page<RedProposalView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn propose_red(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<ProposeRed>, ApiError>,
) -> ApiResult<(StatusCode, Json<Page<RedProposalView>>)> {
    actor.require(&red::PROPOSERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let proposed = red::propose(&w, body).await?;
    w.commit().await?;
    let page = Page {
        items: proposed,
        next_cursor: None,
    };
    Ok((StatusCode::CREATED, Json(page)))
}

/// List red-list proposals.
///
/// Filtered by state and year, stably ordered by id. Staff and auditors.
#[utoipa::path(get, path = "/api/v1/lists/red/proposals", tag = "lists", security(("bearer" = [])),
    params(ProposalQuery),
    responses(
        (status = 200, description = "One page", body = Page<RedProposalView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_red_proposals(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ProposalQuery>,
) -> ApiResult<Json<Page<RedProposalView>>> {
    Ok(Json(red::proposals(&state.db.conn, &actor, query).await?))
}

/// Decide a red-list proposal.
///
/// Confirm (the subject goes on the red list through the end of the year) or decline (with a reason) a
/// proposal; the admin who asked for the proposals may not decide them. Approver, admin.
#[utoipa::path(post, path = "/api/v1/lists/red/proposals/{id}/decision", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Proposal id")),
    request_body = RedDecision,
    responses(
        (status = 200, description = "Decided", body = RedProposalView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn decide_red_proposal(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<RedDecision>, ApiError>,
) -> ApiResult<Json<RedProposalView>> {
    actor.require(&red::CONFIRMERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let decided = red::decide(&w, id, body).await?;
    w.commit().await?;
    Ok(Json(decided))
}

/// Put a subject on the black list.
///
/// Rests on approved cases of the subject. The entry states its legal basis, the measures partners apply, its
/// exit conditions and the remedies with their deadlines; `expires_on` defaults to `listed_on` + 3 years
/// (policy), `published` to true. Approver, admin.
#[utoipa::path(post, path = "/api/v1/lists/black", tag = "lists", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewBlackEntry,
    responses(
        (status = 201, description = "Listed (or the replay of an earlier post with this key)", body = ListEntryView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn add_black(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<NewBlackEntry>, ApiError>,
) -> ApiResult<Response> {
    actor.require(&lists::WRITERS)?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/lists/black", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = lists::add_black(&w, body).await?;
    let location = format!("/api/v1/lists/black/{}", view.id);
    once.finish(&state.db.conn, w, location, view).await
}

/// List black-list entries.
///
/// Filter by subject kind, region, the day they are active on, and `q`; stably ordered by id. Partners and
/// hospitals see published entries only (hospitals: about their own institution and practitioners), with people
/// masked for partners; `q` matches for them only what they see unmasked, or a person's full name or ID number.
/// Every role.
#[utoipa::path(get, path = "/api/v1/lists/black", tag = "lists", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = Page<ListEntryView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn list_black(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<ListEntryView>>> {
    let page = lists::list(&state.db.conn, &state.ctx(), &actor, ListKind::Black, query).await?;
    Ok(Json(page))
}

/// Read one black-list entry.
///
/// With its measures, exit conditions, remedies and their windows, and its history in the change log.
/// Unpublished entries exist only for staff.
#[utoipa::path(get, path = "/api/v1/lists/black/{id}", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Entry id")),
    responses(
        (status = 200, description = "The entry", body = ListEntryDetail),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ))]
async fn get_black(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ListEntryDetail>> {
    let entry = lists::get(&state.db.conn, &state.ctx(), &actor, ListKind::Black, id).await?;
    Ok(Json(entry))
}

/// Publish a black-list entry that was added with `published: false`.
///
/// Until now it existed for staff only; from now on partners, hospitals and the public see it, and the change
/// feed announces it to them as an `added` row. Approver, admin.
#[utoipa::path(post, path = "/api/v1/lists/black/{id}/publish", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Entry id")),
    responses(
        (status = 200, description = "Published", body = ListEntryView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
async fn publish_black(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ListEntryView>> {
    actor.require(&lists::WRITERS)?;
    let w = state.writer(actor).await?;
    let view = lists::publish(&w, ListKind::Black, id).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Take an entry off the black list.
///
/// From today (UTC+8), with a reason; the entry stays readable with its end. Approver, admin.
#[utoipa::path(post, path = "/api/v1/lists/black/{id}/remove", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Entry id")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Removed", body = ListEntryView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn remove_black(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ReasonBody>, ApiError>,
) -> ApiResult<Json<ListEntryView>> {
    actor.require(&lists::WRITERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = lists::remove(&w, ListKind::Black, id, body).await?;
    w.commit().await?;
    Ok(Json(view))
}
