//! The reusable problem+json error responses of the OpenAPI document (RFC 9457): each route names the ones it
//! can answer, and `openapi` lists them all as components.

use utoipa::ToResponse;

use crate::error::Problem;

/// Declares the reusable problem+json error responses; the structs exist only to describe them in the document.
macro_rules! problem_responses {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        // The derive comes first: a `#[response(...)]` among the metas may only follow it.
        #[derive(ToResponse)]
        #[response(content_type = "application/problem+json")]
        $(#[$meta])*
        #[allow(dead_code)]
        pub struct $name(Problem);
    )*};
}

problem_responses! {
    /// Malformed JSON, path or query.
    BadRequest;
    /// Missing, malformed, expired or wrongly signed bearer token.
    Unauthorized;
    /// The token is valid but its role (or institution) may not do this.
    Forbidden;
    /// No such resource.
    NotFound;
    /// Conflicts with the current state (duplicate code, illegal transition, idempotency key reused).
    Conflict;
    /// Invalid fields (listed in `errors`) or a broken business rule.
    Validation;
    /// Body larger than 1 MiB, or more items than the operation takes (codes in a screening).
    PayloadTooLarge;
    /// What was asked for is no longer kept: a feed position older than the retention window (re-export).
    Gone;
    /// Body is not `application/json`.
    UnsupportedMediaType;
    /// The database is unreachable, restarting or busy, or no connection was free in time: retry after the
    /// given seconds. A write answered this way was not applied, unless the connection broke during its commit.
    #[response(headers(("Retry-After" = u64, description = "Whole seconds after which to retry")))]
    Unavailable;
    /// The database has no space for the write; nothing of the request was written.
    InsufficientStorage;
    /// More than 100 headers, or more than 64 KiB of them.
    HeaderFieldsTooLarge;
    /// This client (token subject, or address when anonymous) is over its rate limit on this node.
    #[response(headers(("Retry-After" = u64, description = "Whole seconds until a request will be accepted")))]
    TooManyRequests;
}
