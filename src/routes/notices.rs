//! Printable notices (行政处理告知书): an HTML page with print styles for an approved case, a sanction and a
//! black-list entry, in the reader's language (`Accept-Language`, zh-CN by default). Staff read every notice; a
//! hospital office its own institution's and its practitioners'.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::pages;
use crate::routes::problems::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized};
use crate::service::notices;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(case_notice))
        .routes(routes!(sanction_notice))
        .routes(routes!(black_entry_notice))
}

/// The notice of an approved case.
///
/// 行政处理告知书: the subject, the facts found, the legal basis, the decision (points and the sanctions the case
/// brought) with its date, and how and by when to appeal, to seek administrative review or litigation, and to
/// apply for credit repair. A page to print. Inspectors, reviewers, approvers, admins, auditors, and a hospital
/// for its own institution and practitioners (one 403 for another's and for none). `409` for a case that is not
/// approved.
#[utoipa::path(get, path = "/api/v1/violations/{id}/notice", tag = "violations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id", minimum = 1)),
    responses(
        (status = 200, description = "The notice", content_type = "text/html", body = String),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
async fn case_notice(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    let notice = notices::of_case(&state.db.conn, &cx, &actor, id).await?;
    Ok(pages::notice::render(&notice, cx.today())?)
}

/// The notice of a sanction.
///
/// 行政处理告知书 of a sanction: the subject, the facts of the cases it rests on, the legal basis, the measure
/// with its scope and dates, and the remedies with their deadlines. A page to print. Readers as for a case.
#[utoipa::path(get, path = "/api/v1/sanctions/{id}/notice", tag = "sanctions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Sanction id", minimum = 1)),
    responses(
        (status = 200, description = "The notice", content_type = "text/html", body = String),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn sanction_notice(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    let notice = notices::of_sanction(&state.db.conn, &cx, &actor, id).await?;
    Ok(pages::notice::render(&notice, cx.today())?)
}

/// The notice of a black-list entry.
///
/// 信用惩戒告知书 of a black-list entry: the subject, the facts of the cases it rests on, the legal basis, the
/// listing with its period, measures and exit conditions, and the remedies with their deadlines. A page to
/// print. Readers as for a case; a hospital reads published entries only.
#[utoipa::path(get, path = "/api/v1/lists/black/{id}/notice", tag = "lists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Black-list entry id", minimum = 1)),
    responses(
        (status = 200, description = "The notice", content_type = "text/html", body = String),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn black_entry_notice(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    let notice = notices::of_black_entry(&state.db.conn, &cx, &actor, id).await?;
    Ok(pages::notice::render(&notice, cx.today())?)
}
