//! A tip's reward after the schedule proposed it: an approver who did not handle the tip decides it, and its
//! payment is recorded (the reporter may decline it instead, `reporter::claim`).

use crate::domain::stats::Metric;
use crate::i18n::msg;
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::find;
use super::{REWARDERS, reward_state_of, target};
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::tips::{RewardOutcome, RewardState};
use crate::service::error::{ServiceError, ServiceResult, required_reason};
use crate::service::writer::Writer;
use entity::tip;

/// An approver's decision on the proposed reward.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardDecision {
    pub outcome: RewardOutcome,
    /// With `changed`: the amount in fen, 0 up to the policy's cap.
    #[schema(minimum = 0)]
    pub amount_fen: Option<i64>,
    /// 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The payment of an approved reward.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardPayment {
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub paid_on: NaiveDate,
    /// The payment's reference (voucher or transfer number), 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub reference: String,
}

/// An approver who did not handle the tip approves the proposed reward, or changes it, with a reason.
pub async fn decide_reward(
    w: &Writer,
    id: i64,
    body: RewardDecision,
) -> ServiceResult<super::TipView> {
    w.actor.require(&REWARDERS)?;
    let row = find(w.db(), id).await?;
    four_eyes::check(
        Decision::TipReward,
        &w.actor.sub,
        &[(Party::TipHandler, row.handler_sub.as_deref())],
    )
    .map_err(ServiceError::Forbidden)?;
    let reason = required_reason(&body.reason)?;
    if reward_state_of(&row)? != Some(RewardState::Proposed) {
        return Err(ServiceError::Conflict(msg!("tip-reward-not-proposed")));
    }
    let cap = w.cx.policy().tips.reward_cap_fen;
    let amount = match body.outcome {
        RewardOutcome::Approved => row.reward_proposed_fen.unwrap_or(0),
        RewardOutcome::Changed => match body.amount_fen {
            Some(amount) if (0..=cap).contains(&amount) => amount,
            _ => {
                return Err(ServiceError::validation(
                    "amount_fen",
                    msg!("tip-reward-amount-invalid"),
                ));
            }
        },
    };
    let mut update: tip::ActiveModel = row.into();
    update.reward_state = Set(Some(RewardState::Approved.as_str().to_string()));
    update.reward_fen = Set(Some(amount));
    update.reward_decided_by = Set(Some(w.actor.sub.clone()));
    update.reward_decided_at = Set(Some(w.cx.now));
    update.reward_reason = Set(Some(reason));
    let updated = update.update(w.db()).await?;
    let audit = serde_json::json!({"outcome": body.outcome, "amount_fen": amount});
    w.audit("tip.reward.decide", &target(&updated), &audit)
        .await?;
    super::register::view(w.db(), &w.cx, updated).await
}

/// Records the payment of an approved reward.
pub async fn record_payment(
    w: &Writer,
    id: i64,
    body: RewardPayment,
) -> ServiceResult<super::TipView> {
    w.actor.require(&REWARDERS)?;
    let row = find(w.db(), id).await?;
    let reference = body.reference.trim().to_string();
    let mut errors = crate::service::error::FieldErrors::default();
    errors.check(
        "reference",
        crate::domain::text::check_no_controls(&reference),
    );
    if !(1..=200).contains(&reference.chars().count()) {
        errors.add("reference", msg!("tip-reference-invalid"));
    }
    if body.paid_on > w.cx.today() {
        errors.add("paid_on", msg!("tip-paid-on-future"));
    }
    errors.finish()?;
    if reward_state_of(&row)? != Some(RewardState::Approved) {
        return Err(ServiceError::Conflict(msg!("tip-reward-not-approved")));
    }
    let mut update: tip::ActiveModel = row.into();
    update.reward_state = Set(Some(RewardState::Paid.as_str().to_string()));
    update.paid_on = Set(Some(body.paid_on));
    update.payment_reference = Set(Some(reference));
    let updated = update.update(w.db()).await?;
    let region = updated.reported_region.as_deref();
    let fen = updated.reward_fen.unwrap_or(0);
    crate::service::stats::tip(w.db(), region, Metric::RewardPaid, body.paid_on, 1).await?;
    crate::service::stats::tip(w.db(), region, Metric::RewardPaidFen, body.paid_on, fen).await?;
    let audit = serde_json::json!({"paid_on": body.paid_on});
    w.audit("tip.reward.pay", &target(&updated), &audit).await?;
    super::register::view(w.db(), &w.cx, updated).await
}
