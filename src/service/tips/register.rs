//! The register of tips (举报台账) for staff: state, due dates, linked cases and rewards. Contact and payment
//! details are never in it (only whether there are any); they are opened one tip at a time (`handling::details`).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{READERS, reward_state_of, state_of};
use crate::domain::tips::{RewardState, TipState};
use crate::pagination::{Page, PageRequest};
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::exports::{Column, Export, ExportQuery, all_pages, cell, column, encode};
use crate::shared::actor::Actor;
use crate::shared::facts::{last_seq, read_snapshot};
use entity::{tip, tip_case};

/// Who is reported, as the reporter put it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportedSubject {
    pub code: Option<String>,
    pub name: Option<String>,
    pub region: Option<String>,
}

/// A tip's reward in the register.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RewardView {
    pub state: RewardState,
    /// What the cases confirmed for this tip (fen).
    pub confirmed_fen: Option<i64>,
    /// What the policy schedule gives (fen).
    pub proposed_fen: Option<i64>,
    /// What is (to be) paid (fen): the proposal until an approver decides.
    pub amount_fen: Option<i64>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
    pub declined_at: Option<DateTime<Utc>>,
}

/// A tip as staff read it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TipView {
    pub id: i64,
    pub number: String,
    pub state: TipState,
    pub reported: ReportedSubject,
    /// The subject it was linked to when taken up.
    pub subject_code: Option<String>,
    pub facts: String,
    pub occurred: Option<String>,
    pub place: Option<String>,
    pub evidence: Vec<String>,
    pub wants_reward: bool,
    /// The reporter gave contact details (read them at `/api/v1/tips/{id}/details`).
    pub named: bool,
    pub insider: bool,
    pub payment_details_given: bool,
    pub received_at: DateTime<Utc>,
    /// Decision whether to take it up due by this day (working days from receipt).
    pub decision_due: NaiveDate,
    /// Still undecided after `decision_due`.
    pub overdue: bool,
    /// The inspector handling it (token subject).
    pub handler: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// A named reporter is told of the decision by this day (working days).
    pub notify_due: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The cases it led to.
    pub case_ids: Vec<i64>,
    pub reward: Option<RewardView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TipQuery {
    pub state: Option<TipState>,
    /// Only received tips past their decision date.
    pub overdue: Option<bool>,
    pub reward_state: Option<RewardState>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub(crate) async fn view<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    row: tip::Model,
) -> ServiceResult<TipView> {
    let case_ids = tip_case::Entity::find()
        .filter(tip_case::Column::TipId.eq(row.id))
        .order_by_asc(tip_case::Column::ViolationId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.violation_id)
        .collect();
    build(row, case_ids, cx.today())
}

fn build(row: tip::Model, case_ids: Vec<i64>, today: NaiveDate) -> ServiceResult<TipView> {
    let state = state_of(&row)?;
    let reward = reward_state_of(&row)?.map(|state| RewardView {
        state,
        confirmed_fen: row.confirmed_fen,
        proposed_fen: row.reward_proposed_fen,
        amount_fen: row.reward_fen,
        proposed_at: row.reward_proposed_at,
        decided_by: row.reward_decided_by.clone(),
        decided_at: row.reward_decided_at,
        reason: row.reward_reason.clone(),
        paid_on: row.paid_on,
        payment_reference: row.payment_reference.clone(),
        declined_at: row.declined_at,
    });
    let evidence = serde_json::from_str(&row.evidence)
        .map_err(|e| ServiceError::corrupt("tips", row.id, e))?;
    Ok(TipView {
        id: row.id,
        number: row.number,
        state,
        overdue: state == TipState::Received && row.decision_due < today,
        reported: ReportedSubject {
            code: row.reported_code,
            name: row.reported_name,
            region: row.reported_region,
        },
        subject_code: row.subject_code,
        facts: row.facts,
        occurred: row.occurred,
        place: row.place,
        evidence,
        wants_reward: row.wants_reward,
        named: row.named,
        insider: row.insider,
        payment_details_given: row.payment_sealed.is_some(),
        received_at: row.received_at,
        decision_due: row.decision_due,
        handler: row.handler_sub,
        decided_at: row.decided_at,
        decision_reason: row.decision_reason,
        notify_due: row.notify_due,
        closed_at: row.closed_at,
        case_ids,
        reward,
    })
}

/// One tip of the register.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    actor: &Actor,
    id: i64,
) -> ServiceResult<TipView> {
    actor.require(&READERS)?;
    view(db, cx, super::find(db, id).await?).await
}

/// The register, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    actor: &Actor,
    query: TipQuery,
) -> ServiceResult<Page<TipView>> {
    actor.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = tip::Entity::find();
    if page.after > 0 {
        select = select.filter(tip::Column::Id.lt(page.after));
    }
    if let Some(state) = query.state {
        select = select.filter(tip::Column::State.eq(state.as_str()));
    }
    if let Some(state) = query.reward_state {
        select = select.filter(tip::Column::RewardState.eq(state.as_str()));
    }
    if query.overdue == Some(true) {
        select = select
            .filter(tip::Column::State.eq(TipState::Received.as_str()))
            .filter(tip::Column::DecisionDue.lt(cx.today()));
    }
    let rows = select
        .order_by_desc(tip::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let more = rows.len() as u64 > page.limit;
    let rows: Vec<tip::Model> = rows.into_iter().take(page.limit as usize).collect();
    let last = rows.last().map(|r| r.id);
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(db, cx, row).await?);
    }
    Ok(page.page_of_views(items, more, last))
}

/// The register as JSON lines or CSV, under the export rules (DESIGN §10). No contact or payment details.
pub async fn export(
    conn: &DatabaseConnection,
    cx: &Ctx,
    actor: &Actor,
    query: ExportQuery,
) -> ServiceResult<Export> {
    actor.require(&READERS)?;
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    let tips = all_pages(|cursor| {
        let page = TipQuery {
            state: None,
            overdue: None,
            reward_state: None,
            limit: Some(crate::pagination::MAX_LIMIT),
            cursor,
        };
        list(&snapshot, cx, actor, page)
    })
    .await?;
    snapshot.commit().await?;
    encode(seq, query.format, &tips, COLUMNS)
}

fn amount(fen: Option<i64>) -> String {
    fen.map(cell::yuan).unwrap_or_default()
}

const COLUMNS: &[Column<TipView>] = &[
    column("export-column-tip-number", |v| v.number.clone()),
    column("export-column-status", |v| v.state.to_string()),
    column("export-column-tip-received-at", |v| {
        v.received_at.to_rfc3339()
    }),
    column("export-column-tip-decision-due", |v| {
        v.decision_due.to_string()
    }),
    column("export-column-tip-overdue", |v| cell::flag(v.overdue)),
    column("export-column-subject-code", |v| {
        v.subject_code.clone().unwrap_or_default()
    }),
    column("export-column-tip-handler", |v| {
        v.handler.clone().unwrap_or_default()
    }),
    column("export-column-tip-cases", |v| cell::list(&v.case_ids)),
    column("export-column-tip-closed-at", |v| {
        v.closed_at.map(|d| d.to_rfc3339()).unwrap_or_default()
    }),
    column("export-column-tip-reward-state", |v| {
        v.reward
            .as_ref()
            .map(|r| r.state.to_string())
            .unwrap_or_default()
    }),
    column("export-column-tip-reward-yuan", |v| {
        amount(v.reward.as_ref().and_then(|r| r.amount_fen))
    }),
    column("export-column-tip-paid-on", |v| {
        cell::date(v.reward.as_ref().and_then(|r| r.paid_on))
    }),
];
