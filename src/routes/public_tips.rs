//! Tip-offs from anyone (举报, issue 21), without a token: `POST /public/v1/tips` and the form at `/public/tips`
//! take a tip; whoever holds its claim code (header `Claim-Code`) follows it and claims or declines its reward.
//! Each client (address) may send a policy number of tips an hour, refused before the body is read; a tip's
//! body is at most 64 KiB.

use crate::i18n::msg;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::middleware::REQUEST_ID;
use crate::routes::problems::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, TooManyRequests, UnsupportedMediaType,
    Validation,
};
use crate::service::actor::Actor;
use crate::service::tips::{self, MAX_BODY_BYTES, NewTip, TipClaim, TipReceipt, TipStatus};
use crate::state::AppState;

/// The header that carries a tip's claim code.
pub const CLAIM_CODE: &str = "claim-code";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_tip))
        .routes(routes!(tip_status))
        .routes(routes!(claim_reward))
        .routes(routes!(tip_form, submit_form))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Spends one of the client's tips for the hour, before the body is read; over the limit, 429.
pub struct TipQuota;

impl FromRequestParts<AppState> for TipQuota {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = crate::rate_limit::peer_key(&parts.extensions);
        state.tip_limiter.check(&key).map_err(|wait| {
            let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            ApiError::TooManyRequests(msg!("tip-rate-limited", seconds = seconds as i64), seconds)
        })?;
        Ok(TipQuota)
    }
}

/// Who acts for a visitor: the public audience, named `public` in the audit log.
fn visitor(headers: &HeaderMap) -> Actor {
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    Actor {
        sub: "public".into(),
        ..Actor::public(request_id)
    }
}

fn claim_code(headers: &HeaderMap) -> Option<&str> {
    headers.get(CLAIM_CODE).and_then(|v| v.to_str().ok())
}

/// The body limit of a tip, named as such.
fn too_large(error: ApiError) -> ApiError {
    match error {
        ApiError::PayloadTooLarge(_) => ApiError::PayloadTooLarge(msg!("tip-too-large")),
        other => other,
    }
}

/// Report fraud against the fund (举报).
///
/// No token. Who is reported (a code, or a name and region as the reporter knows them), what happened, when and
/// where, evidence references, `wants_reward`, and contact details only if the reporter gives them (sealed at
/// rest). The answer carries the tip's number and its claim code, a random secret shown this once: only its
/// hash is kept. At most 64 KiB; text without control characters; a client may send `tips.per_client_per_hour`
/// tips an hour (policy, default 5), else 429 before the body is read.
#[utoipa::path(post, path = "/public/v1/tips", tag = "tips",
    request_body = NewTip,
    responses(
        (status = 201, description = "Received: keep the claim code", body = TipReceipt),
        (status = 400, response = BadRequest), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
        (status = 429, response = TooManyRequests),
    ))]
async fn submit_tip(
    State(state): State<AppState>,
    _quota: TipQuota,
    headers: HeaderMap,
    body: Result<ApiJson<NewTip>, ApiError>,
) -> ApiResult<Response> {
    let ApiJson(body) = body.map_err(too_large)?;
    let receipt = receive(&state, &headers, body).await?;
    Ok((StatusCode::CREATED, no_store(), Json(receipt)).into_response())
}

async fn receive(state: &AppState, headers: &HeaderMap, body: NewTip) -> ApiResult<TipReceipt> {
    let w = state.writer(visitor(headers)).await?;
    let receipt = tips::intake(&w, state.tip_key.as_deref(), body).await?;
    w.commit().await?;
    Ok(receipt)
}

/// A claim code must not stay in any cache.
fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}

/// Follow a tip with its claim code.
///
/// The state, the date of each step and the reward decision, and nothing about anyone else. The claim code goes
/// in the `Claim-Code` header; a wrong or missing code gets the same 404 as an unknown number.
#[utoipa::path(get, path = "/public/v1/tips/{number}", tag = "tips",
    params(
        ("number" = String, Path, description = "The tip's number", max_length = 32),
        ("Claim-Code" = String, Header, description = "The claim code given with the tip"),
    ),
    responses(
        (status = 200, description = "The tip's steps", body = TipStatus),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
    ))]
async fn tip_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
) -> ApiResult<Response> {
    let status = tips::status(&state.db.conn, &number, claim_code(&headers)).await?;
    Ok((no_store(), Json(status)).into_response())
}

/// Claim or decline the reward with the claim code.
///
/// Payment details (sealed at rest like contact details), or `decline: true`. The claim code proves the tip is
/// the caller's: an anonymous reporter needs nothing else. A tip not taken up, or a reward paid or declined, is
/// 409; a wrong code is 404 as for an unknown number.
#[utoipa::path(post, path = "/public/v1/tips/{number}/claim", tag = "tips",
    params(
        ("number" = String, Path, description = "The tip's number", max_length = 32),
        ("Claim-Code" = String, Header, description = "The claim code given with the tip"),
    ),
    request_body = TipClaim,
    responses(
        (status = 200, description = "Recorded", body = TipStatus),
        (status = 400, response = BadRequest), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn claim_reward(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    body: Result<ApiJson<TipClaim>, ApiError>,
) -> ApiResult<Response> {
    let ApiJson(body) = body.map_err(too_large)?;
    let w = state.writer(visitor(&headers)).await?;
    let status = tips::claim(
        &w,
        state.tip_key.as_deref(),
        &number,
        claim_code(&headers),
        body,
    )
    .await?;
    w.commit().await?;
    Ok((no_store(), Json(status)).into_response())
}

/// The form's fields, as a browser posts them.
#[derive(Debug, Default, ToSchema)]
#[allow(dead_code)]
pub struct TipForm {
    pub subject_code: Option<String>,
    pub subject_name: Option<String>,
    pub region: Option<String>,
    pub facts: String,
    pub occurred: Option<String>,
    pub place: Option<String>,
    /// One reference a line.
    pub evidence: Option<String>,
    /// Present (any value) when the box is ticked.
    pub wants_reward: Option<String>,
    pub contact: Option<String>,
}

/// The tip form (举报), for people.
///
/// A page in the reader's language (Chinese by default) that works without JavaScript, loads nothing from
/// elsewhere and sends the security headers of the public list page. No token.
#[utoipa::path(get, path = "/public/tips", tag = "tips",
    responses(
        (status = 200, description = "The form", content_type = "text/html", body = String),
    ))]
async fn tip_form() -> ApiResult<Response> {
    Ok(crate::pages::tip_form::form(&NewTip::default(), &[])?)
}

/// Send the tip form.
///
/// Takes the tip as `POST /public/v1/tips` does and answers a page with its number and claim code, shown once
/// with a plain warning to keep it; invalid fields give the form again (200) with what to correct.
#[utoipa::path(post, path = "/public/tips", tag = "tips",
    request_body(content = TipForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 201, description = "The receipt, with the claim code", content_type = "text/html", body = String),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 200, description = "The form again, with what to correct", content_type = "text/html", body = String),
        (status = 429, response = TooManyRequests),
    ))]
async fn submit_form(
    State(state): State<AppState>,
    _quota: TipQuota,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(msg!("tip-too-large"))
        } else {
            ApiError::BadRequest(msg!("problem-bad-body", detail = r.body_text()))
        }
    })?;
    if !form_type {
        return Err(ApiError::UnsupportedMediaType(msg!("tip-expected-form")));
    }
    let tip = from_form(&bytes);
    match receive(&state, &headers, tip_clone(&tip)).await {
        Ok(receipt) => {
            let mut page = crate::pages::tip_form::receipt(&receipt)?;
            *page.status_mut() = StatusCode::CREATED;
            page.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            Ok(page)
        }
        // The form again, as a page (200): error statuses leave this server as problem+json only.
        Err(ApiError::Validation(errors)) => Ok(crate::pages::tip_form::form(&tip, &errors)?),
        Err(other) => Err(other),
    }
}

fn tip_clone(tip: &NewTip) -> NewTip {
    NewTip {
        subject_code: tip.subject_code.clone(),
        subject_name: tip.subject_name.clone(),
        region: tip.region.clone(),
        facts: tip.facts.clone(),
        occurred: tip.occurred.clone(),
        place: tip.place.clone(),
        evidence: tip.evidence.clone(),
        wants_reward: tip.wants_reward,
        contact: tip.contact.clone(),
    }
}

/// The tip a browser posted. Unknown fields are ignored (a browser sends what the form has); the checks are
/// those of the JSON intake.
fn from_form(bytes: &[u8]) -> NewTip {
    let mut tip = NewTip::default();
    for (name, value) in form_urlencoded::parse(bytes) {
        let value = value.into_owned();
        let some = Some(value.clone());
        match name.as_ref() {
            "subject_code" => tip.subject_code = some,
            "subject_name" => tip.subject_name = some,
            "region" => tip.region = some,
            "facts" => tip.facts = value,
            "occurred" => tip.occurred = some,
            "place" => tip.place = some,
            "evidence" => {
                tip.evidence = value
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "wants_reward" => tip.wants_reward = true,
            "contact" => tip.contact = some,
            _ => {}
        }
    }
    tip
}
