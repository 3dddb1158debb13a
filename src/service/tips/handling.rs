//! Handling a tip (受理、交办、查处、反馈): taken up or not, the cases it led to, closing, and its reward.

use crate::domain::stats::Metric;
use crate::i18n::msg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{HANDLERS, find, reward_state_of, state_of, target};
use crate::domain::cases::CaseState;
use crate::domain::roles::Role;
use crate::domain::tips::{RewardState, TipOutcome, TipState, reward_fen};
use crate::service::error::{ServiceError, ServiceResult, column, required_reason};
use crate::service::lookup::find_by_code;
use crate::service::writer::Writer;
use crate::shared::actor::Actor;
use crate::shared::sealed::TipKey;
use entity::{tip, tip_case, violation};

/// Taking a received tip up (立案) or not.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TipDecision {
    pub outcome: TipOutcome,
    /// Required to take it up: the code of the subject it is about.
    #[schema(max_length = 64, example = "H37010200001")]
    pub subject_code: Option<String>,
    /// 1–2000 characters; required when it is not taken up (the reporter reads it).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// The reporter is a current or former employee of the reported institution (policy may add a share).
    #[serde(default)]
    pub insider: bool,
}

/// A case the tip led to: an existing one, or one recorded from it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TipCaseLink {
    pub violation_id: i64,
}

/// The sealed details of a tip, opened for the handling inspector or an admin.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TipDetails {
    pub number: String,
    pub contact: Option<String>,
    pub payment: Option<String>,
}

/// Whether `actor` handles the tip: the principal that took it up (DESIGN §14: issuer, role, org and sub).
fn is_handler(actor: &Actor, row: &tip::Model) -> bool {
    match (&row.handler_issuer, &row.handler_role, &row.handler_sub) {
        (Some(issuer), Some(role), Some(sub)) => {
            actor.is_principal(issuer, role, row.handler_org.as_deref(), sub)
        }
        _ => false,
    }
}

/// Takes a received tip up, linked to its subject, or not, with a reason. The one who takes it up handles it.
pub async fn decide(w: &Writer, id: i64, body: TipDecision) -> ServiceResult<super::TipView> {
    w.actor.require(&HANDLERS)?;
    let row = find(w.db(), id).await?;
    if state_of(&row)? != TipState::Received {
        return Err(ServiceError::Conflict(msg!("tip-already-decided")));
    }
    let reason = match (&body.outcome, &body.reason) {
        (_, Some(reason)) => Some(required_reason(reason)?),
        (TipOutcome::NotAccepted, None) => {
            return Err(ServiceError::validation(
                "reason",
                msg!("tip-reason-required"),
            ));
        }
        (TipOutcome::Accepted, None) => None,
    };
    let mut update: tip::ActiveModel = row.clone().into();
    if body.outcome == TipOutcome::Accepted {
        let code = body
            .subject_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                ServiceError::validation("subject_code", msg!("tip-subject-code-required"))
            })?;
        let subject = find_by_code(w.db(), code)
            .await
            .map_err(|_| ServiceError::validation("subject_code", msg!("tip-subject-unknown")))?;
        update.subject_id = Set(Some(subject.id));
        update.subject_code = Set(Some(subject.code));
        update.insider = Set(body.insider);
    }
    let today = w.cx.today();
    let policy = &w.cx.policy().tips;
    update.state = Set(body.outcome.state().as_str().to_string());
    update.decided_at = Set(Some(w.cx.now));
    update.decision_reason = Set(reason);
    update.handler_issuer = Set(Some(w.actor.issuer.clone()));
    update.handler_role = Set(Some(w.actor.role.as_str().to_string()));
    update.handler_org = Set(w.actor.org.clone());
    update.handler_sub = Set(Some(w.actor.sub.clone()));
    if row.named {
        let due =
            w.cx.config
                .calendar
                .add_working_days(today, policy.notify_working_days);
        update.notify_due = Set(Some(due));
    }
    let updated = update.update(w.db()).await?;
    if body.outcome == TipOutcome::Accepted {
        let region = updated.reported_region.as_deref();
        crate::service::stats::tip(w.db(), region, Metric::TipAccepted, today, 1).await?;
    }
    let audit = serde_json::json!({"outcome": body.outcome, "subject_code": updated.subject_code});
    w.audit("tip.decide", &target(&updated), &audit).await?;
    super::register::view(w.db(), &w.cx, updated).await
}

/// Links a case to an accepted tip: its handler, or an admin. A case may be linked to several tips; only the
/// first reporter of it is rewarded for it.
pub async fn link_case(w: &Writer, id: i64, body: TipCaseLink) -> ServiceResult<super::TipView> {
    w.actor.require(&HANDLERS)?;
    let row = find(w.db(), id).await?;
    if w.actor.role != Role::Admin && !is_handler(&w.actor, &row) {
        return Err(ServiceError::Forbidden(msg!("tip-not-handler")));
    }
    if state_of(&row)? != TipState::Accepted {
        return Err(ServiceError::Conflict(msg!("tip-not-open")));
    }
    let case = violation::Entity::find_by_id(body.violation_id)
        .one(w.db())
        .await?
        .ok_or_else(|| ServiceError::validation("violation_id", msg!("tip-case-unknown")))?;
    let linked = tip_case::Entity::find()
        .filter(tip_case::Column::TipId.eq(row.id))
        .filter(tip_case::Column::ViolationId.eq(case.id))
        .one(w.db())
        .await?;
    if linked.is_some() {
        return Err(ServiceError::Conflict(msg!("tip-case-linked")));
    }
    tip_case::ActiveModel {
        tip_id: Set(row.id),
        violation_id: Set(case.id),
        linked_by: Set(w.actor.sub.clone()),
        linked_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    w.audit(
        "tip.link_case",
        &target(&row),
        &serde_json::json!({"violation_id": case.id}),
    )
    .await?;
    on_case_moved(w, case.id).await?;
    super::register::view(w.db(), &w.cx, find(w.db(), id).await?).await
}

fn decided(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Approved | CaseState::Voided | CaseState::Rejected
    )
}

fn in_force(state: CaseState) -> bool {
    matches!(state, CaseState::Approved | CaseState::Appealed)
}

/// After a case linked to tips moves (or is linked): each such tip closes once all its cases are decided, and
/// the reward of a tip whose reward is not yet decided is proposed again from the cases in force. Called in the
/// transaction of the move.
pub async fn on_case_moved(w: &Writer, case_id: i64) -> ServiceResult<()> {
    let links = tip_case::Entity::find()
        .filter(tip_case::Column::ViolationId.eq(case_id))
        .all(w.db())
        .await?;
    for link in links {
        refresh(w, link.tip_id).await?;
    }
    Ok(())
}

/// The amount the tip's cases confirmed for it: cases in force, recorded after the tip arrived (facts the
/// authority already had earn nothing), and of which no earlier tip is the first report.
async fn confirmed_for<C: ConnectionTrait>(
    db: &C,
    row: &tip::Model,
    cases: &[violation::Model],
) -> ServiceResult<i64> {
    let mut total: i64 = 0;
    for case in cases {
        let state: CaseState = column("violations", case.id, &case.state)?;
        if !in_force(state) || case.created_at < row.received_at {
            continue;
        }
        let tip_ids: Vec<i64> = tip_case::Entity::find()
            .filter(tip_case::Column::ViolationId.eq(case.id))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.tip_id)
            .collect();
        let first = tip::Entity::find()
            .filter(tip::Column::Id.is_in(tip_ids))
            .order_by_asc(tip::Column::ReceivedAt)
            .order_by_asc(tip::Column::Id)
            .one(db)
            .await?;
        if first.is_some_and(|f| f.id == row.id) {
            total = total.saturating_add(case.amount_involved_fen);
        }
    }
    Ok(total)
}

pub(crate) async fn refresh(w: &Writer, tip_id: i64) -> ServiceResult<()> {
    let row = find(w.db(), tip_id).await?;
    let ids: Vec<i64> = tip_case::Entity::find()
        .filter(tip_case::Column::TipId.eq(tip_id))
        .all(w.db())
        .await?
        .into_iter()
        .map(|l| l.violation_id)
        .collect();
    let cases = violation::Entity::find()
        .filter(violation::Column::Id.is_in(ids))
        .all(w.db())
        .await?;
    let mut update: tip::ActiveModel = row.clone().into();
    let mut changed = Vec::new();
    let states = cases
        .iter()
        .map(|c| column::<CaseState>("violations", c.id, &c.state))
        .collect::<ServiceResult<Vec<_>>>()?;
    if state_of(&row)? == TipState::Accepted
        && !states.is_empty()
        && states.iter().all(|s| decided(*s))
    {
        update.state = Set(TipState::Closed.as_str().to_string());
        update.closed_at = Set(Some(w.cx.now));
        changed.push("closed");
    }
    let reward = reward_state_of(&row)?;
    if row.wants_reward && matches!(reward, None | Some(RewardState::Proposed)) {
        let confirmed = confirmed_for(w.db(), &row, &cases).await?;
        let amount = reward_fen(&w.cx.policy().tips, confirmed, row.insider, confirmed > 0);
        if amount > 0 && row.reward_proposed_fen != Some(amount) {
            update.reward_state = Set(Some(RewardState::Proposed.as_str().to_string()));
            update.confirmed_fen = Set(Some(confirmed));
            update.reward_proposed_fen = Set(Some(amount));
            update.reward_fen = Set(Some(amount));
            update.reward_proposed_at = Set(Some(w.cx.now));
            changed.push("reward.proposed");
        } else if amount == 0 && reward.is_some() {
            update.reward_state = Set(None);
            update.confirmed_fen = Set(Some(0));
            update.reward_proposed_fen = Set(None);
            update.reward_fen = Set(None);
            changed.push("reward.withdrawn");
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let updated = update.update(w.db()).await?;
    let audit = serde_json::json!({"changed": changed, "confirmed_fen": updated.confirmed_fen,
        "reward_proposed_fen": updated.reward_proposed_fen});
    w.audit("tip.refresh", &target(&updated), &audit).await?;
    Ok(())
}

/// Opens the tip's sealed details for its handler or an admin; the reading is an audit row (which says what
/// was read, never what it says). Everyone else: 403, the same whether the tip exists or not.
pub async fn details(w: &Writer, key: Option<&TipKey>, id: i64) -> ServiceResult<TipDetails> {
    w.actor.require(&HANDLERS)?;
    let row = tip::Entity::find_by_id(id).one(w.db()).await?;
    let allowed =
        w.actor.role == Role::Admin || row.as_ref().is_some_and(|r| is_handler(&w.actor, r));
    if !allowed {
        return Err(ServiceError::Forbidden(msg!("tip-not-handler")));
    }
    let row = row.ok_or_else(|| ServiceError::NotFound(msg!("tip-not-found")))?;
    let open = |sealed: &Option<String>| -> ServiceResult<Option<String>> {
        match sealed {
            None => Ok(None),
            Some(sealed) => {
                let key = key.ok_or_else(|| {
                    ServiceError::corrupt("tips", row.id, "no MEDCREDIT_TIP_KEY to open it")
                })?;
                key.open(sealed, &row.number).map(Some).ok_or_else(|| {
                    ServiceError::corrupt(
                        "tips",
                        row.id,
                        "sealed details do not open with this key",
                    )
                })
            }
        }
    };
    let details = TipDetails {
        number: row.number.clone(),
        contact: open(&row.contact_sealed)?,
        payment: open(&row.payment_sealed)?,
    };
    let audit = serde_json::json!({"contact": details.contact.is_some(), "payment": details.payment.is_some()});
    w.audit("tip.details.read", &target(&row), &audit).await?;
    Ok(details)
}
