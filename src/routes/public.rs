//! 曝光台 (DESIGN §9): the published, active black-list entries for anyone, without a token — as JSON at
//! `/public/v1/blacklist` and as a server-rendered page at `/public/blacklist` (no external assets, usable on a
//! phone, searchable by name or region). People are masked as for partners.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::pagination::Page;
use crate::routes::problems::{BadRequest, Validation};
use crate::service::lists::{self, ListQuery, PublicEntryView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public_blacklist))
        .routes(routes!(public_page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    /// Part of a name or code as the page shows it: organisations' in full, people's masked (`王**`). A hidden
    /// character never matches.
    pub q: Option<String>,
    /// 6-digit region code.
    pub region: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn entries(state: &AppState, query: PublicQuery) -> ApiResult<Page<PublicEntryView>> {
    let cx = state.ctx();
    let query = ListQuery {
        kind: None,
        region: query.region.filter(|r| !r.trim().is_empty()),
        active_on: Some(cx.today()),
        q: query.q.filter(|q| !q.trim().is_empty()),
        limit: query.limit,
        cursor: query.cursor,
    };
    Ok(lists::public_black(&state.db.conn, &cx, query).await?)
}

/// The published black list (曝光台).
///
/// The entries in force today that are published, people masked, paginated. No token.
#[utoipa::path(get, path = "/public/v1/blacklist", tag = "lists",
    params(PublicQuery),
    responses(
        (status = 200, description = "One page", body = Page<PublicEntryView>),
        (status = 400, response = BadRequest), (status = 422, response = Validation),
    ))]
async fn public_blacklist(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublicQuery>,
) -> ApiResult<Json<Page<PublicEntryView>>> {
    Ok(Json(entries(&state, query).await?))
}

/// The published black list as a page.
///
/// The same list as a page for people (曝光台), with a search by name or region. No token.
#[utoipa::path(get, path = "/public/blacklist", tag = "lists",
    params(PublicQuery),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 400, response = BadRequest), (status = 422, response = Validation),
    ))]
async fn public_page(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublicQuery>,
) -> ApiResult<Response> {
    let (q, region) = (
        query.q.clone().unwrap_or_default(),
        query.region.clone().unwrap_or_default(),
    );
    let page = entries(&state, query).await?;
    Ok(crate::pages::public_list::render(&page, &q, &region)?)
}
