//! Second review (复审) of a suspect's triage or verification: by a reviewer who took neither (four eyes),
//! confirming the decision or overturning it.

use crate::i18n::msg;
use sea_orm::Set;

use super::steps::{SecondReview, add_days, awaiting, reason_of, save};
use super::view::{SuspicionView, view};
use super::{REVIEWERS, find_for, state_of};
use crate::domain::cases::CaseAction;
use crate::domain::four_eyes::{Decision, Party, check};
use crate::domain::masking::Audience;
use crate::domain::suspicions::{ReviewOutcome, ReviewedStep, SuspicionState, overturned};
use crate::service::cases::{self, ReasonBody};
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::writer::Writer;
use entity::suspicion;

/// Second review (复审) of a decision awaiting it, by a reviewer who neither triaged nor verified the suspect:
/// confirmed, it stands (and a final one closes the suspect); overturned, the decision is reversed. Overturning
/// a conversion rejects its case, which must not have moved past review.
pub async fn second_review(
    w: &Writer,
    id: i64,
    body: SecondReview,
) -> ServiceResult<SuspicionView> {
    w.actor.require(&REVIEWERS)?;
    let overturning = body.outcome == ReviewOutcome::Overturned;
    let reason = reason_of(body.reason.as_deref(), overturning)?;
    let row = find_for(w.db(), &w.actor, id).await?;
    if !awaiting(&row) {
        return Err(ServiceError::Conflict(msg!("suspicion-no-review-awaited")));
    }
    let parties = [
        (Party::Triager, row.triaged_by.as_deref()),
        (Party::Verifier, row.verified_by.as_deref()),
    ];
    check(Decision::SuspicionReview, &w.actor.sub, &parties).map_err(ServiceError::Forbidden)?;
    let step: ReviewedStep = crate::service::error::column(
        "suspicions",
        row.id,
        row.review_of.as_deref().unwrap_or_default(),
    )?;
    let decided = state_of(&row)?;
    let mut update: suspicion::ActiveModel = row.clone().into();
    update.review_state = Set(Some(body.outcome.as_str().to_string()));
    update.reviewed_by = Set(Some(w.actor.sub.clone()));
    update.reviewed_at = Set(Some(w.cx.now));
    update.review_reason = Set(reason.clone());
    if step == ReviewedStep::Triage {
        update.triage_reviewed = Set(true);
    }
    if overturning {
        let to = overturned(step, decided)
            .ok_or_else(|| ServiceError::Conflict(msg!("suspicion-cannot-overturn")))?;
        reverse(w, &row, &mut update, to, reason.clone()).await?;
    } else {
        update.closed_at = Set(decided.is_final().then_some(w.cx.now));
    }
    let audit = serde_json::json!({"outcome": body.outcome, "of": step, "reason": reason});
    let row = save(w, update, "suspicion.review", audit).await?;
    view(row, Audience::Full, w.cx.today())
}

/// Reverses a decision after an overturning second review: the suspect moves to `to`, with the due days of
/// the step it now waits for.
async fn reverse(
    w: &Writer,
    row: &suspicion::Model,
    update: &mut suspicion::ActiveModel,
    to: SuspicionState,
    reason: Option<String>,
) -> ServiceResult<()> {
    let policy = &w.cx.policy().suspicions;
    let today = w.cx.today();
    update.state = Set(to.as_str().to_string());
    update.closed_at = Set((to == SuspicionState::Dismissed).then_some(w.cx.now));
    match to {
        SuspicionState::ToExplain => {
            let explain_due = add_days(w, today, policy.explain_working_days);
            update.explain_due = Set(Some(explain_due));
            update.verify_due = Set(Some(add_days(w, explain_due, policy.verify_working_days)));
        }
        SuspicionState::ToVerify => {
            if let Some(case) = row.violation_id {
                let reason = reason.unwrap_or_default();
                cases::workflow::reject_or_return(
                    w,
                    case,
                    CaseAction::Reject,
                    ReasonBody { reason },
                )
                .await?;
            }
            update.violation_id = Set(None);
            update.verified_by = Set(None);
            update.verified_at = Set(None);
            update.verify_reason = Set(None);
            update.verify_due = Set(Some(add_days(w, today, policy.verify_working_days)));
        }
        _ => {}
    }
    Ok(())
}
