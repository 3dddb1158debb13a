//! `/api/v1/subjects`: the registry of institutions, pharmacies, practitioners and insured persons.

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
use crate::routes::once::Once;
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::affiliations::{self, AffiliationView, NewAffiliation};
use crate::service::subjects::{self, NewSubject, SubjectPatch, SubjectQuery, SubjectView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_subject, list_subjects))
        .routes(routes!(get_subject, update_subject))
        .routes(routes!(list_affiliations, add_affiliation))
        .routes(routes!(end_affiliation))
}

/// Register a subject.
///
/// Checks the code pattern of its kind, the USCC (GB 32100) or ID number (GB 11643) check digit and birth date,
/// the region and the name. One file per person and per organisation: an ID number already registered in the
/// same role, or a USCC already registered by an institution or pharmacy, is `409` naming that record.
/// Institutions and pharmacies may give `designated_since` (default: today). Inspector, approver, admin.
#[utoipa::path(post, path = "/api/v1/subjects", tag = "subjects", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewSubject,
    responses(
        (status = 201, description = "Registered", body = SubjectView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn create_subject(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<ApiJson<NewSubject>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&subjects::WRITERS)?;
    let ApiJson(body) = body?;
    let once = Once::of(&headers, &actor, "POST /api/v1/subjects", &body)?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = subjects::create(&w, body).await?;
    let location = format!("/api/v1/subjects/{}", view.code);
    once.finish(&state.db.conn, w, location, view).await
}

/// List subjects.
///
/// Filter by kind, region and a substring of name or code; stably ordered by registration. Hospitals see only
/// their own institution and its practitioners; partners see masked personal identifiers. Every role.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "subjects", security(("bearer" = [])),
    params(SubjectQuery),
    responses(
        (status = 200, description = "One page", body = Page<SubjectView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 422, response = Validation),
    ))]
async fn list_subjects(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<SubjectQuery>,
) -> ApiResult<Json<Page<SubjectView>>> {
    Ok(Json(
        subjects::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}

/// Read one subject by its code.
///
/// Hospitals read their own institution and its practitioners; partners get people's names and ID numbers
/// masked, and reach a person only through a screening.
#[utoipa::path(get, path = "/api/v1/subjects/{code}", tag = "subjects", security(("bearer" = [])),
    params(("code" = String, Path, description = "National code of the subject", example = "H37010200001")),
    responses(
        (status = 200, description = "The subject", body = SubjectView),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
async fn get_subject(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<SubjectView>> {
    Ok(Json(
        subjects::get(&state.db.conn, &state.ctx(), &actor, &code).await?,
    ))
}

/// Correct a subject's mutable fields.
///
/// `code`, `kind` and `id_number` never change. A USCC another organisation holds is `409` naming it (one file
/// per organisation). Inspector, approver, admin.
#[utoipa::path(patch, path = "/api/v1/subjects/{code}", tag = "subjects", security(("bearer" = [])),
    params(("code" = String, Path, description = "National code of the subject", example = "H37010200001")),
    request_body = SubjectPatch,
    responses(
        (status = 200, description = "Updated", body = SubjectView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Validation),
    ))]
async fn update_subject(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    patch: Result<ApiJson<SubjectPatch>, ApiError>,
) -> ApiResult<Json<SubjectView>> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&subjects::WRITERS)?;
    let ApiJson(patch) = patch?;
    let w = state.writer(actor).await?;

    let result = subjects::update(&w, &code, patch).await?;

    w.commit().await?;

    Ok(Json(result))
}

/// List a practitioner's registrations (affiliations), past and present.
///
/// In the order they were recorded, paged like every list; each says whether it is current and its `state`
/// today. Every role that may see the practitioner.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/affiliations", tag = "subjects", security(("bearer" = [])),
    params(("code" = String, Path, description = "Practitioner code", example = "D370102000001"), PageParams),
    responses(
        (status = 200, description = "One page, in the order they were recorded", body = Page<AffiliationView>),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 422, response = Validation),
    ))]
async fn list_affiliations(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AffiliationView>>> {
    Ok(Json(
        affiliations::list(&state.db.conn, &state.ctx(), &actor, &code, &query).await?,
    ))
}

/// File a practitioner's registration (登记备案) at an institution or pharmacy from a date.
///
/// The affiliation is the registration; its `state` (`filed`, `active`, `suspended`, `terminated`, `ended`) is
/// derived from its dates, the person's service commitment and running qualification sanctions. The first day
/// may be in the future (staff who start later). Overlapping periods with the same organisation are refused
/// (409), as is filing during a re-registration ban (409 naming its end). Inspector, approver, admin; a
/// hospital office for its own institution only (403 otherwise).
#[utoipa::path(post, path = "/api/v1/subjects/{code}/affiliations", tag = "subjects", security(("bearer" = [])),
    params(("code" = String, Path, description = "Practitioner code", example = "D370102000001"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key (1–200 chars): a retry with the same key and body returns the first response; another body is 409")),
    request_body = NewAffiliation,
    responses(
        (status = 201, description = "Affiliated", body = AffiliationView,
            headers(("Location" = String, description = "Where the new resource is read"))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn add_affiliation(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
    body: Result<ApiJson<NewAffiliation>, ApiError>,
) -> ApiResult<Response> {
    // The role first: a caller who may not act learns nothing about its body (403, never 422).
    actor.require(&affiliations::FILERS)?;
    let ApiJson(body) = body?;
    affiliations::ensure_own(&actor, &body.institution_code)?;
    let once = Once::of(
        &headers,
        &actor,
        "POST /api/v1/subjects/{code}/affiliations",
        &body,
    )?;
    let w = state.writer(actor).await?;
    if let Some(replay) = once.replayed(&w).await? {
        return Ok(replay);
    }
    let view = affiliations::create(&w, &code, body).await?;
    let location = format!("/api/v1/subjects/{code}/affiliations");
    once.finish(&state.db.conn, w, location, view).await
}

/// End a practitioner's current registration (affiliation) with an institution.
///
/// The record is kept with today (UTC+8) as its last day, so the history stays complete; one that had not
/// begun ends the day before its start. Inspector, approver, admin; a hospital office for its own institution
/// only (403 otherwise).
#[utoipa::path(delete, path = "/api/v1/subjects/{code}/affiliations/{institution_code}", tag = "subjects",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Practitioner code", example = "D370102000001"),
        ("institution_code" = String, Path, description = "Institution or pharmacy code", example = "H37010200001"),
    ),
    responses(
        (status = 200, description = "Ended", body = AffiliationView),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 422, response = Validation),
    ))]
async fn end_affiliation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, institution_code)): ApiPath<(String, String)>,
) -> ApiResult<Json<AffiliationView>> {
    let w = state.writer(actor).await?;
    let view = affiliations::end(&w, &code, &institution_code).await?;
    w.commit().await?;
    Ok(Json(view))
}
