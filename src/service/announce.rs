//! Announcing changes to webhooks (DESIGN §9): the event a change is, and the outbox rows it calls for, written
//! by the writer in the change's own transaction and built for each subscriber's audience. Managing webhooks is
//! `webhooks`; sending the rows is `worker::outbox`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::enums::string_enum;
use crate::domain::masking::Audience;
use crate::domain::roles::Role;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult};
use crate::shared::lookup::{find_by_code, practitioner_ids_from};
use crate::shared::outward::{ChangeValue, outward};
use entity::{outbox, webhook};

string_enum! {
    /// What a webhook can subscribe to.
    pub enum Event as "event" {
        ListAdded = "list.added",
        ListRemoved = "list.removed",
        SanctionStarted = "sanction.started",
        SanctionEnded = "sanction.ended",
        StandingChanged = "standing.changed",
        /// A registration filed or ended (登记备案).
        RegistrationChanged = "registration.changed",
        /// A commitment signature recorded (信用承诺).
        CommitmentChanged = "commitment.changed",
    }
}

/// Deliveries are tried this many times before they are marked failed.
pub const MAX_ATTEMPTS: i32 = 6;

/// How a Standard Webhooks secret starts.
pub const SECRET_PREFIX: &str = "whsec_";

/// The event a change announces, if any.
pub fn event_of(entity: ChangeEntity, op: ChangeOp, value: &serde_json::Value) -> Option<Event> {
    match (entity, op) {
        (ChangeEntity::ListEntry, ChangeOp::Added) => Some(Event::ListAdded),
        (ChangeEntity::ListEntry, ChangeOp::Removed | ChangeOp::Ended) => Some(Event::ListRemoved),
        (ChangeEntity::Sanction, ChangeOp::Added) => Some(Event::SanctionStarted),
        (ChangeEntity::Sanction, ChangeOp::Changed) if value["event"] == "started" => {
            Some(Event::SanctionStarted)
        }
        (ChangeEntity::Sanction, ChangeOp::Ended | ChangeOp::Removed) => Some(Event::SanctionEnded),
        (ChangeEntity::Standing, ChangeOp::Changed) => Some(Event::StandingChanged),
        (ChangeEntity::Registration, _) => Some(Event::RegistrationChanged),
        (ChangeEntity::Commitment, _) => Some(Event::CommitmentChanged),
        _ => None,
    }
}

/// Whether any event can announce a change of this kind, so that bulk writers build no payload for nothing.
pub fn announces(entity: ChangeEntity, op: ChangeOp) -> bool {
    // `event_of` reads the value only to tell a sanction's start from its other changes.
    [
        serde_json::Value::Null,
        serde_json::json!({ "event": "started" }),
    ]
    .iter()
    .any(|value| event_of(entity, op, value).is_some())
}

/// Writes the deliveries a change calls for, in the change's transaction; says whether it wrote any.
pub async fn enqueue(
    db: &DatabaseTransaction,
    cx: &Ctx,
    (seq, entity, op): (i64, ChangeEntity, ChangeOp),
    subject: (i64, &str),
    value: &serde_json::Value,
) -> ServiceResult<bool> {
    let Some(event) = event_of(entity, op, value) else {
        return Ok(false);
    };
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let text = value.to_string();
    let mut written = false;
    for hook in hooks {
        let events: Vec<Event> = serde_json::from_str(&hook.events)
            .map_err(|e| ServiceError::corrupt("webhooks", hook.id, e))?;
        if !events.contains(&event) || !hears_about(db, cx, &hook, subject).await? {
            continue;
        }
        // The subscriber's own view of the change, built like every answer it reads: unpublished entries (and
        // standing rows only they changed) do not exist for it, and a partner gets people masked.
        let audience = audience_of(&hook);
        let Some(data) = outward(entity, seq, &text, audience)? else {
            continue;
        };
        let payload = Payload {
            event,
            seq,
            subject_code: data.subject_code(subject.1, audience),
            at: cx.now,
            data,
        };
        // A delivery is written once for whoever receives it, and a subscription names no language: its texts
        // are in the default language, zh-CN, whichever language the request that caused the change asked for.
        let payload = crate::i18n::in_locale(crate::i18n::Locale::default(), || {
            serde_json::to_string(&payload)
        })
        .map_err(|e| ServiceError::corrupt("changes", seq, e))?;
        outbox::ActiveModel {
            webhook_id: Set(hook.id),
            seq: Set(seq),
            event: Set(event.as_str().to_string()),
            subject_code: Set(subject.1.to_string()),
            payload: Set(payload),
            status: Set("pending".into()),
            attempts: Set(0),
            next_attempt_at: Set(cx.now),
            created_at: Set(cx.now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        written = true;
    }
    if written {
        wake_other_nodes(db).await?;
    }
    Ok(written)
}

/// On PostgreSQL, tells every node's delivery loop that this transaction wrote deliveries: the notification
/// is sent when the transaction commits, and never if it rolls back (`LISTEN`/`NOTIFY`).
async fn wake_other_nodes(db: &DatabaseTransaction) -> ServiceResult<()> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!("NOTIFY {OUTBOX_CHANNEL}"))
            .await?;
    }
    Ok(())
}

/// The PostgreSQL channel on which commits that wrote deliveries are announced.
pub const OUTBOX_CHANNEL: &str = "medcredit_outbox";

/// A hospital's webhook hears only about its institution and its practitioners; partners about everyone.
async fn hears_about(
    db: &DatabaseTransaction,
    cx: &Ctx,
    hook: &webhook::Model,
    (subject_id, code): (i64, &str),
) -> ServiceResult<bool> {
    if hook.role != Role::Hospital.as_str() {
        return Ok(true);
    }
    let org = hook.org.as_deref().unwrap_or_default();
    if code == org {
        return Ok(true);
    }
    match find_by_code(db, org).await {
        Ok(institution) => Ok(practitioner_ids_from(db, institution.id, cx.today())
            .await?
            .contains(&subject_id)),
        Err(_) => Ok(false),
    }
}

/// What a delivery carries: the event and the change, as the subscriber's audience sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payload {
    pub event: Event,
    pub seq: i64,
    /// The subject's code, masked like the data for an insured person when the subscriber sees people masked.
    pub subject_code: String,
    pub at: DateTime<Utc>,
    /// The change's value as the subscriber's audience sees it, shaped as in the change feed.
    #[schema(value_type = Object)]
    pub data: ChangeValue,
}

/// The audience a webhook's deliveries are built for: its owner's.
pub fn audience_of(hook: &webhook::Model) -> Audience {
    if hook.role == Role::Partner.as_str() {
        Audience::Masked
    } else if hook.role == Role::Hospital.as_str() {
        Audience::Hospital
    } else {
        Audience::Full
    }
}
