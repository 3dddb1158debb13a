//! `/api/v1/standing/{code}`: "may this subject be paid, may this doctor prescribe, on this day?" — the hot path
//! hospitals call before every prescription, answered from the materialised row.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::read::standing::{self, StandingView};
use crate::routes::problems::{BadRequest, Forbidden, NotFound, Unauthorized};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_standing))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StandingQuery {
    /// Day to answer for (UTC+8 calendar date); default today.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub as_of: Option<NaiveDate>,
}

/// A subject's standing on a day.
///
/// Status (`normal`, `suspended`, `terminated`), points or score and grade, supervision, the sanctions in force
/// with scopes and ends, `may_be_paid`, and for practitioners `may_prescribe` per scope with
/// `emergency_payable`. Answered from one materialised row; `seq` is the change-log position it reflects.
/// Send the `ETag` back as `If-None-Match` to get `304` while nothing changed. Hospitals may ask only about
/// their own institution and its practitioners (also those whose affiliation starts later); partners get
/// people's names and ID numbers masked. Every role.
#[utoipa::path(get, path = "/api/v1/standing/{code}", tag = "standing", security(("bearer" = [])),
    params(("code" = String, Path, description = "Subject code", example = "D370102000001"), StandingQuery),
    responses(
        (status = 200, description = "The standing", body = StandingView,
            headers(("ETag" = String, description = "Validator for If-None-Match"))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn get_standing(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<StandingQuery>,
) -> ApiResult<Response> {
    let cx = state.ctx();
    let answer = standing::standing(
        &state.db.conn,
        &state.standings,
        &cx,
        &actor,
        &code,
        query.as_of,
    )
    .await?;
    let etag = HeaderValue::from_str(&answer.etag).ok();
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| {
            sent.split(',')
                .any(|t| t.trim() == answer.etag || t.trim() == "*")
        });
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json::<StandingView>(answer.view).into_response()
    };
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}
