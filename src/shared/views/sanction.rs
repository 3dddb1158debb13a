//! Sanctions as each audience sees them, with the status they have on a day.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::changes::ChangeOp;
use crate::domain::masking::Audience;
use crate::domain::sanctions::{SanctionStatus, SanctionType, Scope, status};
use crate::domain::scoring::SubjectKind;
use crate::i18n::Msg;
use crate::shared::actor::Actor;
use crate::shared::error::{ServiceError, ServiceResult, column};
use crate::shared::lookup::kind_of;
use entity::{sanction, sanction_violation, subject};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SanctionView {
    pub id: i64,
    /// Masked (`110105********002X`) for an insured person when the reader is a partner.
    pub subject_code: String,
    pub subject_kind: SubjectKind,
    #[serde(rename = "type")]
    pub sanction_type: SanctionType,
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Terminations: no new agreement or re-registration before this date.
    pub ban_until: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
    /// The engine's reasons in the reader's language; an approver's as written.
    #[schema(value_type = String)]
    pub reason: Msg,
    /// Created by the threshold engine rather than by an approver.
    pub automatic: bool,
    pub violation_ids: Vec<i64>,
    /// On today (UTC+8), or on `active_on` when listing with it.
    pub status: SanctionStatus,
    pub lifted_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub lifted_reason: Option<Msg>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Voiding a case writes its own reason, in the reader's language; an approver's is as written.
    #[schema(value_type = Option<String>)]
    pub revoked_reason: Option<Msg>,
    /// Who imposed it; for staff and hospitals only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// An extension: the sanction this row continues to a later end (that row keeps its own end and reason).
    pub extends_id: Option<i64>,
}

impl SanctionView {
    /// The sanction as `audience` sees it, from this view's own fields.
    pub fn for_audience(self, audience: Audience) -> Self {
        Self {
            subject_code: if self.subject_kind == SubjectKind::Insured {
                audience.id_number(&self.subject_code)
            } else {
                self.subject_code
            },
            created_by: self.created_by.and_then(|sub| audience.staff(sub)),
            ..self
        }
    }
}

/// A sanction's change-log value: its view, and for an extension or a dated start or end what happened.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SanctionChange {
    #[serde(flatten)]
    pub sanction: SanctionView,
    /// `started` or `ended`, for the date scheduler's rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The day the scheduler's start or end took effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
    /// An extended sanction: the row that continues it, to when and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_by: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_ends_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub extension_reason: Option<Msg>,
}

impl SanctionChange {
    pub fn for_audience(self, audience: Audience) -> Self {
        Self {
            sanction: self.sanction.for_audience(audience),
            ..self
        }
    }
}

/// One change-log row about a sanction: how it was added, extended, lifted or revoked, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionEvent {
    pub seq: i64,
    pub op: ChangeOp,
    pub at: DateTime<Utc>,
    /// What the change recorded, e.g. the extension's new end and reason.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

/// Status of a stored sanction on `as_of`.
pub fn status_of(model: &sanction::Model, as_of: NaiveDate) -> SanctionStatus {
    let revoked = model.revoked_at.is_some();
    status(
        model.starts_on,
        model.ends_on,
        model.lifted_on,
        revoked,
        as_of,
    )
}

/// What `reader` sees of one sanction, with its status on `as_of`.
pub async fn view_of<C: ConnectionTrait>(
    db: &C,
    model: sanction::Model,
    as_of: NaiveDate,
    reader: &Actor,
) -> ServiceResult<SanctionView> {
    let id = model.id;
    let mut views = views_of(db, vec![model], as_of, reader).await?;
    views
        .pop()
        .ok_or_else(|| ServiceError::corrupt("sanctions", id, "its view went missing"))
}

/// Views of many sanctions in two queries, whatever their number.
pub async fn views_of<C: ConnectionTrait>(
    db: &C,
    models: Vec<sanction::Model>,
    as_of: NaiveDate,
    reader: &Actor,
) -> ServiceResult<Vec<SanctionView>> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let subject_ids: HashSet<i64> = models.iter().map(|m| m.subject_id).collect();
    let kinds: HashMap<i64, SubjectKind> = subject::Entity::find()
        .filter(subject::Column::Id.is_in(subject_ids))
        .all(db)
        .await?
        .iter()
        .map(|s| Ok((s.id, kind_of(s)?)))
        .collect::<ServiceResult<_>>()?;
    let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in sanction_violation::Entity::find()
        .filter(sanction_violation::Column::SanctionId.is_in(models.iter().map(|m| m.id)))
        .order_by_asc(sanction_violation::Column::ViolationId)
        .all(db)
        .await?
    {
        links
            .entry(link.sanction_id)
            .or_default()
            .push(link.violation_id);
    }
    models
        .into_iter()
        .map(|m| {
            let kind = *kinds
                .get(&m.subject_id)
                .ok_or_else(|| ServiceError::corrupt("sanctions", m.id, "names no subject"))?;
            let sanction_type = column("sanctions", m.id, &m.sanction_type)?;
            let scope = m
                .scope
                .as_deref()
                .map(|s| column::<Scope>("sanctions", m.id, s));
            let scope = scope.transpose()?;
            let status = status_of(&m, as_of);
            let full = SanctionView {
                id: m.id,
                subject_code: m.subject_code,
                subject_kind: kind,
                sanction_type,
                scope,
                starts_on: m.starts_on,
                ends_on: m.ends_on,
                ban_until: m.ban_until,
                amount_fen: m.amount_fen,
                reason: Msg::from_column(&m.reason),
                automatic: m.automatic,
                violation_ids: links.remove(&m.id).unwrap_or_default(),
                status,
                lifted_on: m.lifted_on,
                lifted_reason: m.lifted_reason.as_deref().map(Msg::from_column),
                revoked_at: m.revoked_at,
                revoked_reason: m.revoked_reason.as_deref().map(Msg::from_column),
                created_by: Some(m.created_by),
                created_at: m.created_at,
                extends_id: m.extends_id,
            };
            Ok(full.for_audience(reader.audience()))
        })
        .collect()
}

/// Sanctions whose status on `day` is `active`, as a filter: the SQL twin of `domain::sanctions::status`.
pub fn active_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(sanction::Column::RevokedAt.is_null())
        .add(sanction::Column::StartsOn.lte(day))
        .add(
            Condition::any()
                .add(sanction::Column::EndsOn.is_null())
                .add(sanction::Column::EndsOn.gte(day)),
        )
        .add(
            Condition::any()
                .add(sanction::Column::LiftedOn.is_null())
                .add(sanction::Column::LiftedOn.gt(day)),
        )
}

/// The sanctions of one subject that are active on `as_of`, oldest first.
pub async fn active_for_subject<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<sanction::Model>, DbErr> {
    sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(subject_id))
        .filter(active_on(as_of))
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await
}
