//! Cross-cutting HTTP behaviour: request ids and the guarantee that every error response is problem+json.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{PROBLEM_JSON, problem_response, slug_for_status};
use crate::i18n::{t, t_with};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id set (or accepted from the client) by `SetRequestIdLayer`.
pub fn request_id(parts: &Parts) -> String {
    parts
        .headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

/// Errors produced outside our handlers (405 from the router, 408 from the timeout layer, 413 from the body
/// limit, 500 from the panic catcher) arrive bare; this rewrites them as problem+json, keeping their headers.
pub async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 || is_problem(&response) {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut problem = problem_response(status, slug_for_status(status), detail_for(status), None);
    for (name, value) in parts.headers.iter() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

fn is_problem(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()))
}

fn detail_for(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => t("problem-method-not-allowed"),
        StatusCode::REQUEST_TIMEOUT => t("problem-timeout"),
        StatusCode::PAYLOAD_TOO_LARGE => t("problem-body-too-large"),
        StatusCode::NOT_FOUND => t("problem-no-such-resource"),
        StatusCode::INTERNAL_SERVER_ERROR => t("problem-internal"),
        _ => t("problem-other"),
    }
}

/// Headers a request may carry, and bytes in its head (request line and headers), before it is refused with
/// 431. Browsers and proxies stay far below both; hyper's own, higher caps are in `serve`.
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Refuses an oversized request head with 431 problem+json (hyper's own refusal has no body).
pub async fn limit_head(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    let bytes = target
        + headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEAD_BYTES {
        let status = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
        let detail = t_with(
            "problem-head-too-large",
            &[
                ("headers", MAX_HEADERS.into()),
                ("kib", (MAX_HEAD_BYTES / 1024).into()),
            ],
        );
        return problem_response(status, slug_for_status(status), detail, None);
    }
    next.run(request).await
}
