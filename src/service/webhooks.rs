//! Webhooks (continuous query, DESIGN §9): a hospital or partner registers a URL and the events it wants; every
//! matching change puts a delivery in the outbox in the change's own transaction (`enqueue`, called by the
//! writer), and `worker::outbox` sends it, signed, with retries. A hospital hears only about its own subjects.

use crate::i18n::msg;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::masking::Audience;
use crate::domain::net::{check_address, check_url, literal_address};
use crate::domain::roles::Role;
use crate::pagination::{Page, PageParams};
use crate::service::actor::Actor;
pub use crate::service::announce::{
    Event, MAX_ATTEMPTS, Payload, announces, audience_of, enqueue, event_of,
};
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::outward::code_for;
use crate::service::writer::Writer;
use entity::{outbox, webhook};

/// Who subscribes.
pub const SUBSCRIBERS: [Role; 2] = [Role::Partner, Role::Hospital];
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://` (or `http://`) URL that receives `POST`s, at most 2000 characters.
    pub url: String,
    pub events: Vec<Event>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub events: Vec<Event>,
    pub created_at: DateTime<Utc>,
    /// Set when a delivery failed for good: deliveries wait until the owner resumes the webhook
    /// (`POST /webhooks/{id}/resume`, or a redelivery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<DateTime<Utc>>,
    /// Why it was paused: the delivery and the receiver's last answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_reason: Option<String>,
    /// Shown once, in the answer to the creation: the Standard Webhooks secret, `whsec_` followed by the base64
    /// of 32 random bytes, that verifies `webhook-signature` (pass it whole to a Standard Webhooks library).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

crate::domain::enums::string_enum! {
    /// Where a delivery is: waiting (for its first attempt or a retry), being sent, delivered, or failed after
    /// every retry.
    pub enum DeliveryStatus as "delivery status" {
        Pending = "pending",
        Sending = "sending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub seq: i64,
    pub event: Event,
    pub subject_code: String,
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

fn view(m: webhook::Model, secret: bool) -> ServiceResult<WebhookView> {
    Ok(WebhookView {
        events: serde_json::from_str(&m.events)
            .map_err(|e| ServiceError::corrupt("webhooks", m.id, e))?,
        id: m.id,
        url: m.url,
        created_at: m.created_at,
        paused_at: m.paused_at,
        paused_reason: m.paused_reason,
        secret: secret.then_some(m.secret),
    })
}

/// Resumes a paused webhook: its waiting deliveries go out again, in order.
pub async fn resume(w: &Writer, id: i64) -> ServiceResult<WebhookView> {
    w.actor.require(&SUBSCRIBERS)?;
    let row = owned(w.db(), &w.actor, id).await?;
    let resumed = unpause(w, row).await?;
    view(resumed, false)
}

async fn unpause(w: &Writer, row: webhook::Model) -> ServiceResult<webhook::Model> {
    if row.paused_at.is_none() {
        return Ok(row);
    }
    let id = row.id;
    let mut model: webhook::ActiveModel = row.into();
    model.paused_at = Set(None);
    model.paused_reason = Set(None);
    let resumed = model.update(w.db()).await?;
    w.audit(
        "webhook.resume",
        &format!("webhook:{id}"),
        &serde_json::json!({"id": id}),
    )
    .await?;
    Ok(resumed)
}

pub async fn create(w: &Writer, body: NewWebhook) -> ServiceResult<WebhookView> {
    w.actor.require(&SUBSCRIBERS)?;
    let mut errors = FieldErrors::default();
    let url = body.url.as_str();
    if let Err(why) = receiver_may_be_reached(url, &w.cx.config.webhook_allow).await {
        errors.add("url", why);
    }
    if body.events.is_empty() {
        errors.add("events", msg!("name-at-least-one-event"));
    }
    errors.finish()?;
    let mut events = body.events.clone();
    events.sort_by_key(|e| e.as_str());
    events.dedup();
    let secret = {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("{}{encoded}", crate::service::announce::SECRET_PREFIX)
    };
    let row = webhook::ActiveModel {
        issuer: Set(w.actor.issuer.clone()),
        owner: Set(w.actor.sub.clone()),
        role: Set(w.actor.role.as_str().to_string()),
        org: Set(w.actor.org.clone()),
        url: Set(url.to_string()),
        secret: Set(secret),
        events: Set(serde_json::to_string(&events).map_err(|e| {
            ServiceError::Unprocessable(crate::i18n::msg!(
                "fault-serialise",
                detail = e.to_string()
            ))
        })?),
        created_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let target = format!("webhook:{}", row.id);
    w.audit(
        "webhook.create",
        &target,
        &serde_json::json!({"url": row.url, "events": events}),
    )
    .await?;
    view(row, true)
}

async fn owned<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    id: i64,
) -> ServiceResult<webhook::Model> {
    let not_found = || ServiceError::NotFound(msg!("no-webhook-of-yours", id = id.to_string()));
    let row = webhook::Entity::find_by_id(id)
        .filter(webhook::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !sees_all(reader) && !owns(reader, &row) {
        return Err(not_found());
    }
    Ok(row)
}

/// A receiver's URL as registration checks it (DESIGN §14): its shape, and every address its host resolves to
/// now. A host that does not resolve yet is accepted; each delivery resolves and checks it again.
async fn receiver_may_be_reached(
    url: &str,
    allow: &[ipnet::IpNet],
) -> Result<(), crate::i18n::Msg> {
    let parsed = check_url(url)?;
    if let Some(ip) = literal_address(&parsed) {
        return check_address(ip, allow);
    }
    let host = parsed.host_str().unwrap_or_default();
    let port = parsed.port_or_known_default().unwrap_or(443);
    if let Ok(found) = tokio::net::lookup_host((host, port)).await {
        for address in found {
            check_address(address.ip(), allow)
                .map_err(|e| crate::i18n::msg!("webhook-host-resolves-to", host = host, why = e))?;
        }
    }
    Ok(())
}

/// Admins and auditors see every webhook; everyone else only the principal's own.
fn sees_all(reader: &Actor) -> bool {
    matches!(reader.role, Role::Admin | Role::Auditor)
}

fn owns(reader: &Actor, hook: &webhook::Model) -> bool {
    reader.is_principal(&hook.issuer, &hook.role, hook.org.as_deref(), &hook.owner)
}

/// Who reads webhooks and their deliveries: their owners, and auditors.
const READERS: [Role; 3] = [Role::Partner, Role::Hospital, Role::Auditor];

pub async fn list<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    page: &PageParams,
) -> ServiceResult<Page<WebhookView>> {
    reader.require(&READERS)?;
    let page = page.request()?;
    let mut select = webhook::Entity::find()
        .filter(webhook::Column::DeletedAt.is_null())
        .filter(webhook::Column::Id.gt(page.after))
        .order_by_asc(webhook::Column::Id)
        .limit(page.fetch_limit());
    if !sees_all(reader) {
        use webhook::Column::{Issuer, Org, Owner, Role as RoleColumn};
        select = select.filter(reader.owns_rows([Issuer, RoleColumn, Org, Owner]));
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|m| view(m, false))
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}

pub async fn delete(w: &Writer, id: i64) -> ServiceResult<WebhookView> {
    w.actor.require(&SUBSCRIBERS)?;
    let row = owned(w.db(), &w.actor, id).await?;
    let mut model: webhook::ActiveModel = row.into();
    model.deleted_at = Set(Some(w.cx.now));
    let deleted = model.update(w.db()).await?;
    w.audit(
        "webhook.delete",
        &format!("webhook:{id}"),
        &serde_json::json!({"id": id}),
    )
    .await?;
    view(deleted, false)
}

/// A delivery as its webhook's owner sees it: the subject's code as in the payload that was sent.
fn delivery(m: outbox::Model, audience: Audience) -> ServiceResult<DeliveryView> {
    Ok(DeliveryView {
        event: column("outbox", m.id, &m.event)?,
        id: m.id,
        seq: m.seq,
        subject_code: code_for(&m.subject_code, audience),
        status: m.status,
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        last_status: m.last_status,
        last_error: m.last_error,
        delivered_at: m.delivered_at,
    })
}

pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    id: i64,
    page: &PageParams,
) -> ServiceResult<Page<DeliveryView>> {
    reader.require(&READERS)?;
    let hook = owned(db, reader, id).await?;
    let page = page.request()?;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::WebhookId.eq(id))
        .filter(outbox::Column::Id.gt(page.after))
        .order_by_asc(outbox::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let rows = page.page(rows, |m| m.id, |m| m);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|m| delivery(m, audience_of(&hook)))
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}

/// Puts a failed delivery back in the queue, its attempts reset.
pub async fn redeliver(w: &Writer, id: i64, delivery_id: i64) -> ServiceResult<DeliveryView> {
    w.actor.require(&SUBSCRIBERS)?;
    let hook = owned(w.db(), &w.actor, id).await?;
    // Asking for a delivery again says the receiver is back: a paused webhook resumes.
    let hook = unpause(w, hook).await?;
    let row = outbox::Entity::find_by_id(delivery_id)
        .filter(outbox::Column::WebhookId.eq(id))
        .one(w.db())
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!(
                "no-delivery-of-webhook",
                delivery_id = delivery_id.to_string(),
                id = id.to_string()
            ))
        })?;
    if row.status != "failed" {
        return Err(ServiceError::Conflict(msg!(
            "delivery-is-not-failed",
            delivery_id = delivery_id.to_string(),
            status = row.status.to_string()
        )));
    }
    let mut model: outbox::ActiveModel = row.into();
    model.status = Set("pending".into());
    model.attempts = Set(0);
    model.next_attempt_at = Set(w.cx.now);
    model.last_error = Set(None);
    delivery(model.update(w.db()).await?, audience_of(&hook))
}
