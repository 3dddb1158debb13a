//! What the reporter reads and does with the claim code: follow the tip, claim or decline its reward. A wrong
//! code answers exactly as an unknown number does.

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{claim_hash, optional_text, reward_state_of, seal, state_of, target};
use crate::domain::dates::legal_date;
use crate::domain::tips::{RewardState, TipOutcome, TipState};
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::writer::Writer;
use crate::shared::sealed::TipKey;
use entity::tip;

/// What the holder of the claim code learns: the tip's own steps and the reward decision, nothing about
/// anyone else.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TipStatus {
    pub number: String,
    pub state: TipState,
    pub received_on: NaiveDate,
    pub decision_due: NaiveDate,
    /// When it was taken up or not.
    pub decided_on: Option<NaiveDate>,
    pub decision: Option<TipOutcome>,
    /// Why it was not taken up.
    pub decision_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub wants_reward: bool,
    /// Payment details for the reward have been given (their content is never shown back).
    pub payment_details_given: bool,
    pub reward: Option<RewardStatus>,
}

/// The reward as the reporter sees it: the amount once it is approved.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RewardStatus {
    pub state: RewardState,
    /// In fen; present once approved.
    pub amount_fen: Option<i64>,
    pub decided_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub declined_on: Option<NaiveDate>,
}

/// The reporter, with the claim code: payment details for the reward, or declining it.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TipClaim {
    /// Where to pay the reward (bank, account, name; up to 500 characters). Sealed like contact details.
    #[schema(max_length = 500)]
    pub payment: Option<String>,
    /// `true` declines the reward.
    #[serde(default)]
    pub decline: bool,
}

/// The tip `number` if `code` is its claim code. An unknown number and a wrong code are one answer.
async fn claimed<C: ConnectionTrait>(
    db: &C,
    number: &str,
    code: Option<&str>,
) -> ServiceResult<tip::Model> {
    let not_found = || ServiceError::NotFound(msg!("tip-not-found"));
    let code = code
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(not_found)?;
    let row = tip::Entity::find()
        .filter(tip::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if row.claim_hash != claim_hash(code) {
        return Err(not_found());
    }
    Ok(row)
}

fn day(at: Option<DateTime<Utc>>) -> Option<NaiveDate> {
    at.map(legal_date)
}

fn status_view(row: &tip::Model) -> ServiceResult<TipStatus> {
    let state = state_of(row)?;
    let decision = match state {
        TipState::Received => None,
        TipState::NotAccepted => Some(TipOutcome::NotAccepted),
        TipState::Accepted | TipState::Closed => Some(TipOutcome::Accepted),
    };
    let reward = reward_state_of(row)?.map(|state| RewardStatus {
        state,
        amount_fen: (state != RewardState::Proposed)
            .then_some(row.reward_fen)
            .flatten(),
        decided_on: day(row.reward_decided_at),
        paid_on: row.paid_on,
        declined_on: day(row.declined_at),
    });
    Ok(TipStatus {
        number: row.number.clone(),
        state,
        received_on: legal_date(row.received_at),
        decision_due: row.decision_due,
        decided_on: day(row.decided_at),
        decision,
        decision_reason: (state == TipState::NotAccepted)
            .then(|| row.decision_reason.clone())
            .flatten(),
        closed_on: day(row.closed_at),
        wants_reward: row.wants_reward,
        payment_details_given: row.payment_sealed.is_some(),
        reward,
    })
}

/// The tip's steps for the holder of its claim code.
pub async fn status<C: ConnectionTrait>(
    db: &C,
    number: &str,
    code: Option<&str>,
) -> ServiceResult<TipStatus> {
    status_view(&claimed(db, number, code).await?)
}

/// The reporter gives payment details for the reward, or declines it. Possible until the reward is paid or
/// declined, on a tip that was not turned down.
pub async fn claim(
    w: &Writer,
    key: Option<&TipKey>,
    number: &str,
    code: Option<&str>,
    body: TipClaim,
) -> ServiceResult<TipStatus> {
    let row = claimed(w.db(), number, code).await?;
    let mut errors = FieldErrors::default();
    let payment = optional_text(&mut errors, "payment", body.payment.as_deref(), 500);
    if payment.is_none() && !body.decline {
        errors.add("payment", msg!("tip-claim-empty"));
    }
    if payment.is_some() && body.decline {
        errors.add("decline", msg!("tip-claim-both"));
    }
    errors.finish()?;
    let reward = reward_state_of(&row)?;
    if state_of(&row)? == TipState::NotAccepted
        || matches!(reward, Some(RewardState::Paid | RewardState::Declined))
    {
        return Err(ServiceError::Conflict(msg!("tip-claim-closed")));
    }
    let mut update: tip::ActiveModel = row.clone().into();
    let action = if body.decline {
        if reward.is_none() {
            return Err(ServiceError::Conflict(msg!("tip-no-reward")));
        }
        update.reward_state = Set(Some(RewardState::Declined.as_str().to_string()));
        update.declined_at = Set(Some(w.cx.now));
        "tip.reward.decline"
    } else {
        let sealed = seal(
            key,
            "payment",
            payment.as_deref().unwrap_or_default(),
            &row.number,
        )?;
        update.payment_sealed = Set(Some(sealed));
        update.wants_reward = Set(true);
        "tip.claim"
    };
    let updated = update.update(w.db()).await?;
    w.audit(
        action,
        &target(&updated),
        &serde_json::json!({"number": updated.number}),
    )
    .await?;
    if !row.wants_reward && updated.wants_reward {
        // A reporter who asks for the reward only now gets what the cases already confirmed.
        super::handling::refresh(w, updated.id).await?;
        return status_view(&super::find(w.db(), updated.id).await?);
    }
    status_view(&updated)
}
