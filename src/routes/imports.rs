//! `/api/v1/subjects:import`, `/api/v1/suspicions:import` and `/api/v1/imports`: registering subjects and taking
//! in suspects in bulk, and following an import.

use crate::i18n::msg;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::pagination::Page;
use crate::routes::problems::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::imports::{self, ImportFormat, ImportKind, ImportQuery, ImportView};
use crate::service::subjects;
use crate::state::AppState;

/// The import itself, mounted outside the ordinary body-size and time limits (see `startup::app_router`).
pub fn streaming() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_subjects))
        .routes(routes!(import_suspicions))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_imports))
        .routes(routes!(get_import))
}

/// Register up to 100,000 subjects at once.
///
/// The body is UTF-8 `text/csv` (a byte-order mark is allowed; a header naming columns among kind, code, name, region, uscc, id_number,
/// profession, insurance_type, level, responsible_person, designated_since; an empty cell is an absent field) or
/// `application/x-ndjson` (or `application/json`: one `POST /subjects` body per line), at most 64 MiB. The body is received
/// whole first (in a temporary file when large), and only then checked and written: a slow upload holds no writer.
/// Every row is checked by the rules of `POST /subjects`; the import is all or nothing. Any bad row makes it a
/// `422` listing the first 1,000 errors, each with its `line`, `field` and `message`, and nothing is written.
/// More than 100,000 rows is `413`. While it runs, `GET /api/v1/imports?state=running` shows the rows read so
/// far; afterwards the record says how it ended. Inspector, approver, admin.
#[utoipa::path(post, path = "/api/v1/subjects:import", tag = "subjects", security(("bearer" = [])),
    request_body(description = "CSV with a header, or JSON lines",
        content(
            (String = "text/csv", example = json!("kind,code,name,region,uscc\ninstitution,H37010200009,济南市示范医院,370102,91350100M000100Y43\n")),
            (String = "application/x-ndjson", example = json!("{\"kind\":\"institution\",\"code\":\"H37010200009\",\"name\":\"济南市示范医院\",\"region\":\"370102\",\"uscc\":\"91350100M000100Y43\"}\n")),
        )),
    responses(
        (status = 201, description = "Every row registered", body = ImportView,
            headers(("Location" = String, description = "The import's record"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn import_subjects(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&subjects::WRITERS)?;
    import(state, actor, ImportKind::Subjects, headers, body).await
}

/// Take in up to 100,000 smart-monitoring suspects (疑点) at once.
///
/// The body is UTF-8 `text/csv` (a header naming columns among source, external_id, rule_code, rule_name,
/// subject_code, practitioner_code, occurred_on, amount_fen, detail, claim_ids; claim ids separated by `;`; an
/// empty cell is an absent field) or `application/x-ndjson` (one `POST /suspicions` body per line), at most
/// 64 MiB, received whole before it is checked. `(source, external_id)` identifies a suspect: a row already
/// taken with the same content is counted in `rows_duplicate` and not written again, so a whole day can be
/// re-sent; with other content it is an error on its line. An unknown subject, a practitioner not registered
/// with that subject on `occurred_on`, or a bad date is an error on its line. The import is all or nothing: any
/// bad row makes it a `422` listing the first 1,000 errors by line, and nothing is written. Inspector, admin.
#[utoipa::path(post, path = "/api/v1/suspicions:import", tag = "suspicions", security(("bearer" = [])),
    request_body(description = "CSV with a header, or JSON lines",
        content(
            (String = "text/csv", example = json!("external_id,rule_code,rule_name,subject_code,occurred_on,amount_fen,detail,claim_ids\nZNJK-1,R-DUP,重复收费,H37010200001,2026-12-01,12000,同日重复收取诊查费,JS001;JS002\n")),
            (String = "application/x-ndjson", example = json!("{\"external_id\":\"ZNJK-1\",\"rule_code\":\"R-DUP\",\"rule_name\":\"重复收费\",\"subject_code\":\"H37010200001\",\"occurred_on\":\"2026-12-01\",\"amount_fen\":12000,\"detail\":\"同日重复收取诊查费\"}\n")),
        )),
    responses(
        (status = 201, description = "Every new row taken in; duplicates counted", body = ImportView,
            headers(("Location" = String, description = "The import's record"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn import_suspicions(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    actor.require(&crate::service::suspicions::HANDLERS)?;
    import(state, actor, ImportKind::Suspicions, headers, body).await
}

/// Runs an import of `kind` from the request's body and answers its record.
async fn import(
    state: AppState,
    actor: Actor,
    kind: ImportKind,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let format = format_of(&headers)?;
    let stream = body.into_data_stream().map_err(|e| {
        // The body limit is the one read error the client can fix: 413, like too many rows.
        if too_large(&e) {
            std::io::Error::new(std::io::ErrorKind::FileTooLarge, e)
        } else {
            std::io::Error::other(e)
        }
    });
    let input = SyncIoBridge::new(StreamReader::new(stream));
    // The size the client announced, so that progress can say how much of the body has arrived.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let progress = state.imports.clone();
    let id = imports::run(
        &state.db,
        state.ctx(),
        actor.clone(),
        kind,
        format,
        input,
        announced,
        &progress,
    )
    .await?;
    let view = imports::get(&state.db.conn, &progress, &actor, id, state.clock.now()).await?;
    let location = format!("/api/v1/imports/{id}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// The body limit of the import answers a bare 413 when a Content-Length is over it: the answer names the
/// import's own limit, not the 1 MiB of other routes.
pub async fn name_the_limit(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .starts_with(crate::error::PROBLEM_JSON.as_bytes())
        });
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !problem {
        ApiError::from(imports::too_large()).into_response()
    } else {
        response
    }
}

fn format_of(headers: &HeaderMap) -> Result<ImportFormat, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok());
    match content_type.as_ref().map(|m| m.essence_str()) {
        Some("text/csv") => Ok(ImportFormat::Csv),
        // A one-line JSON body is one subject, so `application/json` reads as JSON lines too.
        Some(
            "application/x-ndjson"
            | "application/jsonl"
            | "application/jsonlines"
            | "application/json",
        ) => Ok(ImportFormat::Jsonl),
        _ => Err(ApiError::UnsupportedMediaType(msg!(
            "expected-content-type-text-csv-or-application"
        ))),
    }
}

fn too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// List bulk imports.
///
/// Newest first: the caller's own (admins and auditors: everyone's), with the rows read so far for one still
/// running on this node. Inspector, approver, admin, auditor.
#[utoipa::path(get, path = "/api/v1/imports", tag = "subjects", security(("bearer" = [])),
    params(ImportQuery),
    responses(
        (status = 200, description = "One page", body = Page<ImportView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_imports(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ImportQuery>,
) -> ApiResult<Json<Page<ImportView>>> {
    Ok(Json(
        imports::list(
            &state.db.conn,
            &state.imports,
            &actor,
            query,
            state.clock.now(),
        )
        .await?,
    ))
}

/// Read one bulk import.
///
/// Its progress while it runs, then how it ended (with its errors by line if it failed). The caller's own
/// (admins and auditors: any).
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "subjects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Import id")),
    responses(
        (status = 200, description = "The import", body = ImportView),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
async fn get_import(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ImportView>> {
    Ok(Json(
        imports::get(
            &state.db.conn,
            &state.imports,
            &actor,
            id,
            state.clock.now(),
        )
        .await?,
    ))
}
