//! The one error type of the API. Every failure, ours or axum's, leaves as RFC 9457 `application/problem+json`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

use crate::db::Fault;
use crate::i18n::{Msg, msg, t};
use crate::service::error::ServiceError;
pub use crate::service::error::{FieldError, FieldErrors};

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Present on validation problems: one entry per invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(Msg),
    #[error("request validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(Msg),
    #[error("{0}")]
    Forbidden(Msg),
    #[error("{0}")]
    NotFound(Msg),
    #[error("{0}")]
    Conflict(Msg),
    /// Well-formed but against a business rule (out-of-range points, a type not in force…).
    #[error("{0}")]
    Unprocessable(Msg),
    #[error("{0}")]
    PayloadTooLarge(Msg),
    #[error("{0}")]
    Gone(Msg),
    #[error("{0}")]
    UnsupportedMediaType(Msg),
    /// A dependency (the database) is unreachable or busy: answered with `Retry-After`.
    #[error("{0}")]
    Unavailable(Msg),
    /// 429 with `Retry-After` (seconds).
    #[error("{0}")]
    TooManyRequests(Msg, u64),
    /// The database has no space for the write (507).
    #[error("{0}")]
    InsufficientStorage(Msg),
    /// Details go to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
    /// A stored row that does not parse: a 500 whose detail names the row, so an operator can find it.
    #[error("{0}")]
    CorruptRow(Msg),
}

impl ApiError {
    pub fn validation(field: &str, message: Msg) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Gone(_) => StatusCode::GONE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            Self::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) | Self::CorruptRow(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation",
            Self::Unprocessable(_) => "business-rule",
            Self::CorruptRow(_) => "corrupt-row",
            _ => slug_for_status(self.status()),
        }
    }
}

/// Stable `type` URIs for statuses that have no richer kind.
pub fn slug_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        408 => "timeout",
        409 => "conflict",
        410 => "gone",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "validation",
        429 => "too-many-requests",
        431 => "header-fields-too-large",
        503 => "unavailable",
        507 => "insufficient-storage",
        _ => "error",
    }
}

/// Builds a problem response for any status; used by `ApiError` and by the middleware that wraps bare errors.
pub fn problem_response(
    status: StatusCode,
    slug: &str,
    detail: String,
    errors: Option<Vec<FieldError>>,
) -> Response {
    let problem = Problem {
        problem_type: format!("/problems/{slug}"),
        title: title(status),
        status: status.as_u16(),
        detail,
        errors,
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// The title of a problem: the status in words, in the request's language.
fn title(status: StatusCode) -> String {
    let key = match status.as_u16() {
        400 => "problem-400",
        401 => "problem-401",
        403 => "problem-403",
        404 => "problem-404",
        405 => "problem-405",
        408 => "problem-408",
        409 => "problem-409",
        410 => "problem-410",
        413 => "problem-413",
        415 => "problem-415",
        422 => "problem-422",
        429 => "problem-429",
        431 => "problem-431",
        500 => "problem-500",
        503 => "problem-503",
        507 => "problem-507",
        _ => "problem-other",
    };
    t(key)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let slug = self.slug();
        let retry_after = match &self {
            Self::TooManyRequests(_, seconds) => Some(*seconds),
            _ => None,
        };
        let (detail, errors) = match self {
            Self::Validation(errors) => (t("problem-validation"), Some(errors)),
            Self::Internal(message) => {
                tracing::error!(%message, "internal error");
                (t("problem-internal"), None)
            }
            Self::CorruptRow(message) => {
                let message = message.text();
                tracing::error!(%message, "unreadable stored row");
                (message, None)
            }
            other => (other.to_string(), None),
        };
        let mut response = problem_response(status, slug, detail, errors);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // The pool's acquire timeout is 2 s and PostgreSQL restarts in about as long: ask again soon.
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 9110 §11.6.1: a 401 names the scheme that would be accepted.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ServiceError::from(err).into()
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Validation(errors) => Self::Validation(errors),
            ServiceError::Forbidden(m) => Self::Forbidden(m),
            ServiceError::NotFound(m) => Self::NotFound(m),
            ServiceError::Conflict(m) => Self::Conflict(m),
            ServiceError::Unprocessable(m) => Self::Unprocessable(m),
            ServiceError::TooLarge(m) => Self::PayloadTooLarge(m),
            ServiceError::Gone(m) => Self::Gone(m),
            ServiceError::QuotaExceeded {
                detail,
                retry_after,
            } => Self::TooManyRequests(detail, retry_after),
            ServiceError::Corrupt { table, id, detail } => Self::CorruptRow(msg!(
                "problem-corrupt-row",
                table = table,
                id = id,
                detail = detail
            )),
            ServiceError::Db(e) => Self::from_db(e),
        }
    }
}

/// Seconds in the `Retry-After` of a 503.
pub const RETRY_AFTER_SECS: &str = "1";

impl ApiError {
    /// A database error the request did not cause: 503 when the database is away or busy, 507 when it is full,
    /// a logged 500 otherwise. The client never sees the driver's words (they name hosts and schemas).
    fn from_db(e: DbErr) -> Self {
        match crate::db::fault(&e) {
            Some(Fault::Unavailable) => {
                tracing::warn!(error = %e, "database unavailable");
                Self::Unavailable(msg!("problem-db-unavailable"))
            }
            Some(Fault::Full) => {
                tracing::error!(error = %e, "database out of space");
                Self::InsufficientStorage(msg!("problem-db-full"))
            }
            None => Self::Internal(e.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let text = rejection.body_text();
        match rejection {
            JsonRejection::JsonDataError(_) => {
                // axum formats serde_path_to_error as "<prefix>: <path>: <message>".
                let inner = text
                    .split_once("target type: ")
                    .map_or(text.as_str(), |(_, r)| r);
                let (field, message) = match inner.split_once(": ") {
                    Some((path, message)) if !path.contains(' ') => (path.to_string(), message),
                    _ => ("body".to_string(), inner),
                };
                Self::Validation(vec![FieldError::new(
                    field,
                    crate::shared::error::serde_message(message),
                )])
            }
            JsonRejection::JsonSyntaxError(_) => {
                Self::BadRequest(msg!("problem-malformed-json", detail = text))
            }
            JsonRejection::MissingJsonContentType(_) => {
                Self::UnsupportedMediaType(msg!("problem-expected-json"))
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::PayloadTooLarge(msg!("problem-body-too-large"))
            }
            _ => Self::BadRequest(msg!("problem-bad-body", detail = text)),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(msg!(
            "problem-invalid-path-parameter",
            detail = rejection.body_text()
        ))
    }
}

impl From<QueryRejection> for ApiError {
    /// An unknown or repeated parameter is named, so `?institution_code=H…` cannot look like a filter that
    /// worked; other faults (a malformed date) stay a 400 with serde's words.
    fn from(rejection: QueryRejection) -> Self {
        let text = rejection.body_text();
        let named = |marker: &str| {
            text.split_once(marker)
                .and_then(|(_, rest)| rest.split('`').next())
                .map(str::to_string)
        };
        if let Some(name) = named("unknown field `") {
            return Self::validation(&name, msg!("is-not-a-parameter-of-this-operation"));
        }
        if let Some(name) = named("duplicate field `") {
            return Self::validation(&name, msg!("is-given-more-than-once-give-it"));
        }
        Self::BadRequest(msg!("problem-invalid-query-string", detail = text))
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut collected = FieldErrors::default();
        collected.extend(errors);
        Self::Validation(collected.into_vec())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
