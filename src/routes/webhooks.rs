//! `/api/v1/webhooks`: continuous query — subscriptions, their deliveries, and redelivery.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::{Page, PageParams};
use crate::routes::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
    Validation,
};
use crate::service::webhooks::{self, DeliveryView, NewWebhook, WebhookView};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
        .routes(routes!(resume_webhook))
}

/// Subscribe a URL to events.
///
/// Events: `list.added`, `list.removed`, `sanction.started`, `sanction.ended`, `standing.changed`. Each
/// delivery is a `POST` of JSON signed as the Standard Webhooks specification says
/// (https://www.standardwebhooks.com/): `webhook-id` (`msg_<delivery id>`, the same on every retry),
/// `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "{webhook-id}.{webhook-timestamp}.{body}">`, keyed by the secret. The secret (`whsec_` and the base64 of 32
/// random bytes) is shown once, here; give it whole to any Standard Webhooks library to verify. Failures are
/// retried with exponential back-off (6 attempts), then marked failed. A hospital hears only about its own subjects;
/// partners get people masked. Partner, hospital, admin.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = NewWebhook,
    responses(
        (status = 201, description = "Subscribed; `secret` is shown this once", body = WebhookView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Validation),
    ))]
async fn create_webhook(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<NewWebhook>, ApiError>,
) -> ApiResult<(StatusCode, Json<WebhookView>)> {
    actor.require(&webhooks::SUBSCRIBERS)?;
    let ApiJson(body) = body?;
    let w = state.writer(actor).await?;
    let view = webhooks::create(&w, body).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// List the caller's webhooks.
///
/// The caller's own subscriptions (admins: everyone's), oldest first, without their secrets. Partner,
/// hospital, admin.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page", body = Page<WebhookView>),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
    ))]
async fn list_webhooks(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<WebhookView>>> {
    Ok(Json(webhooks::list(&state.db.conn, &actor, &query).await?))
}

/// Unsubscribe.
///
/// Pending deliveries to it are not sent. Its owner, admin.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "Deleted", body = WebhookView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn delete_webhook(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WebhookView>> {
    actor.require(&webhooks::SUBSCRIBERS)?;
    let w = state.writer(actor).await?;
    let view = webhooks::delete(&w, id).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// List a webhook's deliveries.
///
/// Every delivery of the webhook, oldest first, with its status, attempts and the receiver's last answer.
/// Its owner, admin.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id"), PageParams),
    responses(
        (status = 200, description = "One page", body = Page<DeliveryView>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn list_deliveries(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<DeliveryView>>> {
    Ok(Json(
        webhooks::deliveries(&state.db.conn, &actor, id, &query).await?,
    ))
}

/// Resume a paused webhook.
///
/// A webhook is paused when one of its deliveries fails for good (after every retry); its `paused_reason`
/// says which and why, and its deliveries wait, in order, until it is resumed. A redelivery resumes it too.
/// Its owner, admin.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/resume", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "Resumed (or was not paused)", body = WebhookView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ))]
async fn resume_webhook(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WebhookView>> {
    actor.require(&webhooks::SUBSCRIBERS)?;
    let w = state.writer(actor).await?;
    let view = webhooks::resume(&w, id).await?;
    w.commit().await?;
    Ok(Json(view))
}

/// Redeliver a failed delivery.
///
/// Sends it again (attempts start over); a paused webhook resumes. Its owner, admin.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id"), ("delivery_id" = i64, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "Queued again", body = DeliveryView),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
async fn redeliver(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, delivery_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<DeliveryView>> {
    actor.require(&webhooks::SUBSCRIBERS)?;
    let w = state.writer(actor).await?;
    let view = webhooks::redeliver(&w, id, delivery_id).await?;
    w.commit().await?;
    Ok(Json(view))
}
