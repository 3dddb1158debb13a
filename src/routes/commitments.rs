//! Credit and service commitments (信用承诺, issue 20): `/api/v1/commitment-texts`, a subject's signatures at
//! `/api/v1/subjects/{code}/commitments`, and `/api/v1/commitments/missing`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::{Page, PageParams};
use crate::read::commitments::{self, MissingCommitment, MissingQuery};
use crate::routes::once::Once;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::commitments::{
    self as signing, CommitmentTextView, NewCommitment, NewCommitmentText,
};
use crate::shared::views::CommitmentView;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publish_text, list_texts))
        .routes(routes!(sign, list_signatures))
        .routes(routes!(missing))
}

/// Publish a commitment text (信用承诺书).
///
/// Texts are never edited: a new `version` replaces the one before from its `effective_from`, which must come
/// after every earlier text of the same kinds (409 otherwise, as for a version already used). A signature of
/// the replaced version stays valid for `resign_within_days` (policy `commitments.resign_within_days`, 30 by
/// default), then the subject's commitment is `outdated`. Admin only.
#[utoipa::path(post, path = "/api/v1/commitment-texts", tag = "commitments", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewCommitmentText,
    responses(
        (status = 201, description = "Published", body = CommitmentTextView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn publish_text(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<NewCommitmentText>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&[])?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/commitment-texts", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = signing::publish(&w, body).await?;
    let location = "/api/v1/commitment-texts".to_string();
    once.finish(&state.db.conn, w, location, view).await
}

/// List the published commitment texts.
///
/// Oldest first, paged like every list. Every role: they are the words every subject signs.
#[utoipa::path(get, path = "/api/v1/commitment-texts", tag = "commitments", security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page, in the order they were published", body = Page<CommitmentTextView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn list_texts(
    State(state): State<AppState>,
    _actor: Actor,
    ApiQuery(query): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<CommitmentTextView>>> {
    Ok(Json(commitments::texts(&state.db.conn, &query).await?))
}

/// Record a commitment signature for a subject.
///
/// For an institution, a pharmacy or a practitioner, of a published text that applies to its kind, signed on
/// a day not in the future, with the signer's name and references to the signed paper. A hospital office
/// records for its own institution and its practitioners (the same 403 for another's subject and for one that
/// is not there); an inspector for anyone. The subject's standing shows the commitment at once.
#[utoipa::path(post, path = "/api/v1/subjects/{code}/commitments", tag = "commitments", security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code", example = "D370102000001"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewCommitment,
    responses(
        (status = 201, description = "Recorded", body = CommitmentView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn sign(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
    body: Result<ApiJson<NewCommitment>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&signing::SIGNERS)?;
    let ApiJson(body) = body?;
    let once = Once::of(
        &headers,
        &actor,
        "POST /api/v1/subjects/{code}/commitments",
        &body,
    )?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = signing::sign(&w, &code, body).await?;
    let location = format!("/api/v1/subjects/{code}/commitments");
    once.finish(&state.db.conn, w, location, view).await
}

/// List a subject's commitment signatures.
///
/// In the order they were recorded, paged like every list. Staff and internal audit; a hospital for its own
/// institution and its practitioners. Partners read the commitment's state in the standing answer.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/commitments", tag = "commitments", security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code", example = "D370102000001"), PageParams),
    responses(
        (status = 200, description = "One page, in the order they were recorded", body = Page<CommitmentView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Validation),
    ))]
async fn list_signatures(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<CommitmentView>>> {
    let cx = state.ctx();
    Ok(Json(
        commitments::signatures(&state.db.conn, &cx, &actor, &code, &query).await?,
    ))
}

/// List who has no valid commitment signature today.
///
/// Institutions, pharmacies and practitioners whose commitment is `outdated` or `missing` today (UTC+8), by
/// registration order, so that an office can chase them. `institution_code` narrows to the organisation and
/// the practitioners registered there now or from a later day; a hospital sees only its own (the default).
/// Staff and internal audit; a hospital for its own institution.
#[utoipa::path(get, path = "/api/v1/commitments/missing", tag = "commitments", security(("bearer" = [])),
    params(MissingQuery),
    responses(
        (status = 200, description = "One page", body = Page<MissingCommitment>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn missing(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<MissingQuery>,
) -> ApiResult<Json<Page<MissingCommitment>>> {
    let cx = state.ctx();
    Ok(Json(
        commitments::missing(&state.db.conn, &cx, &actor, query).await?,
    ))
}
