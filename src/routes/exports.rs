//! Exports for what people take away (`service::exports`): the black list, cases, sanctions, the red list and a
//! hospital's roster, as JSON lines or CSV, each with the change-log `seq` it reflects in `X-Medcredit-Seq`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::routes::problems::{BadRequest, Forbidden, NotFound, Unauthorized, Validation};
use crate::service::exports::cases::CaseExportQuery;
use crate::service::exports::roster::RosterExportQuery;
use crate::service::exports::sanctions::SanctionExportQuery;
use crate::service::exports::{self, Export, ExportQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_black))
        .routes(routes!(export_red))
        .routes(routes!(export_cases))
        .routes(routes!(export_sanctions))
        .routes(routes!(export_roster))
}

/// The body with its type, and the position it reflects: a mirror follows the feed from there.
fn response(export: Export) -> Response {
    let mut response = export.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.format.content_type()),
    );
    if let Ok(seq) = HeaderValue::from_str(&export.seq.to_string()) {
        headers.insert("x-medcredit-seq", seq);
    }
    response
}

/// Export the black list.
///
/// Every entry the reader may see, ended ones included, as `jsonl` (one entry per line, as
/// `GET /lists/black/{id}` gives it) or `csv` (a UTF-8 byte-order mark, headers in the reader's language, no
/// cell a spreadsheet would run), with the change-log `seq` it is current to in `X-Medcredit-Seq`. Every role;
/// partners and hospitals see published entries only, hospitals their own subjects', partners people masked.
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
    let cx = state.ctx();
    Ok(response(
        exports::black::export(&state.db.conn, &cx, &actor, query).await?,
    ))
}

/// Export the red list.
///
/// Every red-list (守信) entry the reader may see, ended ones included, as `jsonl` or `csv` under the rules of
/// the black-list export. Every role.
#[utoipa::path(get, path = "/api/v1/lists/red/export", tag = "lists", security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The list",
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position the export is current to")),
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn export_red(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    Ok(response(
        exports::red::export(&state.db.conn, &cx, &actor, query).await?,
    ))
}

/// Export cases.
///
/// Every case the filters select (those of the case list), as `jsonl` (each line as `GET /violations/{id}`
/// gives it) or `csv` (amounts in yuan), under the rules of the black-list export. Inspectors, reviewers,
/// approvers and auditors.
#[utoipa::path(get, path = "/api/v1/violations/export", tag = "violations", security(("bearer" = [])),
    params(CaseExportQuery),
    responses(
        (status = 200, description = "The cases",
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position the export is current to")),
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn export_cases(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<CaseExportQuery>,
) -> ApiResult<Response> {
    Ok(response(
        exports::cases::export(&state.db.conn, &actor, query).await?,
    ))
}

/// Export sanctions.
///
/// Every sanction the filters select (those of the sanction list) and the reader may see, as `jsonl` or `csv`,
/// under the rules of the black-list export: a hospital its own institution's and its practitioners', a
/// partner with people masked.
#[utoipa::path(get, path = "/api/v1/sanctions/export", tag = "sanctions", security(("bearer" = [])),
    params(SanctionExportQuery),
    responses(
        (status = 200, description = "The sanctions",
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position the export is current to")),
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 422, response = Validation),
    ))]
async fn export_sanctions(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<SanctionExportQuery>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    Ok(response(
        exports::sanctions::export(&state.db.conn, &cx, &actor, query).await?,
    ))
}

/// Export an institution's roster.
///
/// The roster of `GET /institutions/{code}/practitioners` with the same filters, one practitioner per line or
/// row with their standing today, under the rules of the black-list export. A hospital exports only its own
/// institution's.
#[utoipa::path(get, path = "/api/v1/institutions/{code}/practitioners/export", tag = "standing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Institution or pharmacy code", example = "H37010200001"),
        RosterExportQuery),
    responses(
        (status = 200, description = "The roster",
            headers(("X-Medcredit-Seq" = i64, description = "The change-log position the export is current to")),
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Validation),
    ))]
async fn export_roster(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<RosterExportQuery>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    Ok(response(
        exports::roster::export(&state.db.conn, &cx, &actor, &code, query).await?,
    ))
}
