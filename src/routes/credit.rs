//! `/api/v1/subjects/{code}/ledger` and `/credit`: the append-only ledger and the standing folded from it.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::read::credit::{self, CreditQuery, CreditView};
use crate::routes::problems::{BadRequest, Forbidden, NotFound, Unauthorized, Validation};
use crate::service::credit::{LedgerEntryView, LedgerQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_ledger))
        .routes(routes!(get_credit))
}

/// The subject's credit ledger.
///
/// Oldest first: deductions, reversals, repairs and bonuses, each with the case it rests on. Entries are never
/// changed or removed; a score is their sum over a cycle.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/ledger", tag = "credit", security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code", example = "H37010200001"), LedgerQuery),
    responses(
        (status = 200, description = "One page of entries", body = Page<LedgerEntryView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Validation),
    ))]
async fn get_ledger(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<Page<LedgerEntryView>>> {
    Ok(Json(
        crate::service::credit::ledger(&state.db.conn, &state.ctx(), &actor, &code, query).await?,
    ))
}

/// Points (practitioners), score, grade and supervision (institutions, pharmacies) and status on a day.
///
/// The cycle is the natural year (UTC+8) of `as_of`; points reset on 1 January while running sanctions go on.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/credit", tag = "credit", security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code", example = "H37010200001"), CreditQuery),
    responses(
        (status = 200, description = "Credit standing", body = CreditView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_credit(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<CreditQuery>,
) -> ApiResult<Json<CreditView>> {
    Ok(Json(
        credit::credit(
            &state.db.conn,
            &state.standings,
            &state.ctx(),
            &actor,
            &code,
            query,
        )
        .await?,
    ))
}
