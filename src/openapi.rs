//! The OpenAPI document, generated from the route annotations. `openapi/openapi.json` is this, committed; a test
//! fails when the two drift (`UPDATE_OPENAPI=1 cargo test` rewrites the file).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "medcredit",
        description = "Medical-insurance (医保) credit supervision: subjects, violations, credit points and grades, \
sanctions, red/black lists, standing checks and change feeds. Errors are RFC 9457 application/problem+json.",
        license(name = "MIT"),
    ),
    modifiers(&BearerScheme),
    components(
        schemas(Problem, FieldError),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Validation, PayloadTooLarge,
            UnsupportedMediaType, Unavailable
        )
    ),
    tags(
        (name = "subjects", description = "Registry of institutions, pharmacies, practitioners and insured persons"),
        (name = "violation-types", description = "Versioned, dated catalogue of violation types (违规行为目录)"),
        (name = "violations", description = "Violation cases and their four-step workflow (违规记录)"),
        (name = "credit", description = "Credit ledger, points, scores and grades (信用积分/信用等级)"),
        (name = "sanctions", description = "Sanctions (处理措施): suspensions, terminations, recoveries and more, with derived status"),
        (name = "audit", description = "Hash-chained audit log (执法全过程记录)"),
        (name = "ops", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "HS256 JWT with claims sub, role, org (hospital), exp, iat",
                    ))
                    .build(),
            ),
        );
    }
}

/// Declares the reusable problem+json error responses; the structs exist only to describe them in the document.
macro_rules! problem_responses {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(ToResponse)]
        #[response(content_type = "application/problem+json")]
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
    /// Body larger than 1 MiB.
    PayloadTooLarge;
    /// Body is not `application/json`.
    UnsupportedMediaType;
    /// A dependency (the database) is unreachable.
    Unavailable;
}

/// The full document, as served at `/api-docs/openapi.json`.
pub fn spec() -> utoipa::openapi::OpenApi {
    crate::startup::documented_routes().1
}

/// The document as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut text = spec()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    text.push('\n');
    text
}
