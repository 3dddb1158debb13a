//! What the URI may carry, checked before any handler runs: no control characters in the path or the query
//! (PostgreSQL refuses NUL, SQLite stores it — one input, two outcomes), and on every documented operation no
//! query parameter its OpenAPI description does not list, so `?institution_code=H…` cannot look like a filter
//! that worked. The OpenAPI document is the one source of which parameters exist.

use crate::i18n::msg;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

use crate::domain::text::check_no_controls;
use crate::error::ApiError;

/// Documented query parameters by (method, route template).
#[derive(Default)]
pub struct QueryRules(HashMap<(Method, String), HashSet<String>>);

impl QueryRules {
    pub fn from_spec(spec: &OpenApi) -> Arc<Self> {
        let mut rules = HashMap::new();
        for (path, item) in &spec.paths.paths {
            let operations = [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    rules.insert((method, path.clone()), query_names(operation));
                }
            }
        }
        Arc::new(Self(rules))
    }
}

fn query_names(operation: &Operation) -> HashSet<String> {
    operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) if p.parameter_in == ParameterIn::Query => Some(p.name.clone()),
            _ => None,
        })
        .collect()
}

pub async fn enforce(
    State(rules): State<Arc<QueryRules>>,
    request: Request,
    next: Next,
) -> Response {
    match check(&rules, &request) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn check(rules: &QueryRules, request: &Request) -> Result<(), ApiError> {
    let uri = request.uri();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if let Err(message) = check_no_controls(&path) {
        return Err(ApiError::BadRequest(msg!(
            "the-path",
            message = message.to_string()
        )));
    }
    let Some(query) = uri.query() else {
        return Ok(());
    };
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let known = template.and_then(|t| rules.0.get(&(request.method().clone(), t.to_string())));
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        check_no_controls(&name)
            .and_then(|()| check_no_controls(&value))
            .map_err(|message| ApiError::validation(&name, message))?;
        if known.is_some_and(|known| !known.contains(name.as_ref())) {
            let mut listed: Vec<&str> = known.into_iter().flatten().map(String::as_str).collect();
            listed.sort_unstable();
            let message = if listed.is_empty() {
                crate::i18n::msg!("query-parameter-none-taken")
            } else {
                crate::i18n::msg!("query-parameter-unknown", listed = listed.join(", "))
            };
            return Err(ApiError::validation(&name, message));
        }
    }
    Ok(())
}
