//! 监管统计 (issue 23): the public statistics page at `/public/stats`, for anyone without a token: a year's
//! figures about organisations, with charts drawn on the server. Its figures come through [`figures`] alone.

use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::i18n::msg;
use crate::pages::public_stats::{PublicFigures, render};
use crate::routes::problems::{BadRequest, Validation};
use crate::shared::error::{ServiceError, ServiceResult};
use crate::shared::facts::read_snapshot;
use crate::state::AppState;

/// The earliest year the page answers for, as for every date the service takes.
const FIRST_YEAR: i32 = 1900;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_stats_page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicStatsQuery {
    /// The calendar year (China Standard Time), from 1900 to the current year; the current year by default.
    #[param(minimum = 1900, maximum = 2199)]
    pub year: Option<i32>,
}

/// The page's figures for `year`, read in one snapshot: from the statistics counters, cut from the same
/// disclosure decision as `/public/v1/stats`.
async fn figures(state: &AppState, year: i32) -> ServiceResult<PublicFigures> {
    let cx = state.ctx();
    let snapshot = read_snapshot(&state.db.conn).await?;
    crate::read::public_figures::figures(&snapshot, &cx, year).await
}

/// The public statistics page.
///
/// A year's supervision of designated organisations as a page for people (监管统计): cases approved by month
/// beside the year before, sanctions by type, the distribution of grades and a table by prefecture, each
/// prefecture's cells those of `/public/v1/stats`. Only organisations, never persons; a figure about fewer
/// organisations than the policy's `stats.public_min_subjects`, or one that would give such a figure away, is
/// shown as `<5`. No token, no script. A year after the current one is 422.
#[utoipa::path(get, path = "/public/stats", tag = "statistics",
    params(PublicStatsQuery),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 400, response = BadRequest), (status = 422, response = Validation),
    ))]
async fn public_stats_page(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublicStatsQuery>,
) -> ApiResult<Response> {
    let current_year = state.ctx().today().year();
    let year = query.year.unwrap_or(current_year);
    if !(FIRST_YEAR..=current_year).contains(&year) {
        return Err(ServiceError::validation(
            "year",
            msg!(
                "public-stats-year-out-of-range",
                first = i64::from(FIRST_YEAR),
                last = i64::from(current_year)
            ),
        )
        .into());
    }
    Ok(render(&figures(&state, year).await?, current_year)?)
}
