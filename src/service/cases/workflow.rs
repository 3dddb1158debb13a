//! Moving cases through the four-step workflow (DESIGN §4): review, approve, reject, return, correct, resubmit.
//! Every move checks the state machine and four eyes, and stores who, when and why.

use crate::i18n::msg;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::record::{record_transition, set_fields};
use super::{
    APPROVERS, ApproveCase, DECIDERS, NewViolation, RECORDERS, REVIEWERS, ReasonBody, ReviewCase,
    ViolationPatch, ViolationView, effects, find, kind_of_case, read, rules, state_of, target,
};
use crate::db::Db;
use crate::domain::cases::{CaseAction, CaseState, four_eyes, next_state};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::scoring::SubjectKind;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::writer::Writer;
use entity::violation;

/// Loads the case under the subject's lock and checks that `action` is legal for it and for this actor.
pub(crate) async fn begin(
    w: &Writer,
    id: i64,
    action: CaseAction,
) -> ServiceResult<(violation::Model, CaseState, CaseState)> {
    let subject_id = find(w.db(), id).await?.subject_id;
    Db::lock_subject(w.txn(), subject_id).await?;
    // Read again under the lock: a concurrent move of the same case has committed or not started.
    let model = find(w.db(), id).await?;
    let from = state_of(&model)?;
    let to = next_state(from, action).ok_or_else(|| {
        ServiceError::Conflict(msg!(
            "a-case-in-state-cannot-be-given",
            from = from.to_string(),
            action = action.as_str().to_string()
        ))
    })?;
    four_eyes(
        action,
        &w.actor.sub,
        &model.recorded_by,
        model.reviewed_by.as_deref(),
    )
    .map_err(ServiceError::Forbidden)?;
    Ok((model, from, to))
}

/// Writes the new state with its transition and audit rows, and returns the case.
pub(crate) async fn finish(
    w: &Writer,
    mut model: violation::ActiveModel,
    (id, from, to): (i64, CaseState, CaseState),
    reason: Option<String>,
    change: serde_json::Value,
) -> ServiceResult<ViolationView> {
    let now = w.cx.now;
    model.state = Set(to.as_str().to_string());
    model.updated_at = Set(now);
    let updated = model.update(w.db()).await?;
    record_transition(w, &updated, Some(from), to, reason).await?;
    w.audit(&format!("violation.{}", to.as_str()), &target(id), &change)
        .await?;
    // Tips that led to the case close when their cases are decided, and their rewards follow approvals.
    crate::service::tips::on_case_moved(w, id).await?;
    read::view(w.db(), updated).await
}

pub async fn review(w: &Writer, id: i64, body: ReviewCase) -> ServiceResult<ViolationView> {
    w.actor.require(&REVIEWERS)?;
    // The reviewer's name is what four eyes checks at approval.
    let reviewed_by = Some(w.actor.sub.clone());
    sign_off(w, id, CaseAction::Review, reviewed_by, body).await
}

/// Review and resubmission differ only in who acts and whose review stands afterwards.
async fn sign_off(
    w: &Writer,
    id: i64,
    action: CaseAction,
    reviewed_by: Option<String>,
    body: ReviewCase,
) -> ServiceResult<ViolationView> {
    let (current, from, to) = begin(w, id, action).await?;
    let mut model: violation::ActiveModel = current.into();
    model.reviewed_by = Set(reviewed_by);
    let change = serde_json::to_value(&body).unwrap_or_default();
    finish(w, model, (id, from, to), body.comment, change).await
}

pub async fn reject_or_return(
    w: &Writer,
    id: i64,
    action: CaseAction,
    body: ReasonBody,
) -> ServiceResult<ViolationView> {
    w.actor.require(&DECIDERS)?;
    let reason = body.reason.trim().to_string();
    if !(1..=2000).contains(&reason.chars().count()) {
        return Err(ServiceError::validation(
            "reason",
            msg!("is-required-1-to-2000-characters"),
        ));
    }
    let (current, from, to) = begin(w, id, action).await?;
    let change = serde_json::json!({ "reason": reason });
    finish(w, current.into(), (id, from, to), Some(reason), change).await
}

/// Approval is the moment a case takes effect: its transition, ledger entry, the sanctions the engine decides,
/// their audit and change rows and the subject's standing, all in the writer's one transaction.
pub async fn approve(w: &Writer, id: i64, body: ApproveCase) -> ServiceResult<ViolationView> {
    w.actor.require(&APPROVERS)?;
    let (current, from, to) = begin(w, id, CaseAction::Approve).await?;
    let case_type = entity::violation_type::Entity::find_by_id(current.type_id)
        .one(w.db())
        .await?
        .ok_or_else(|| {
            ServiceError::corrupt("violations", id, "names a missing catalogue entry")
        })?;
    check_approval(w, &current, &case_type, &body)?;
    let now = w.cx.now;
    let policy = w.cx.policy();
    let mut model: violation::ActiveModel = current.clone().into();
    model.points = Set(Some(body.points as i32));
    model.settlement_suspension_months = Set(body.settlement_suspension_months.map(|m| m as i32));
    model.fine_multiple = Set(body.fine_multiple.map(|m| m as i32));
    model.approved_by = Set(Some(w.actor.sub.clone()));
    model.approved_at = Set(Some(now));
    model.cycle = Set(Some(w.cx.cycle()));
    if current.major {
        model.report_due = Set(Some(crate::domain::cases::report_due(w.cx.today(), policy)));
    }
    let change = serde_json::to_value(&body).unwrap_or_default();
    let view = finish(w, model, (id, from, to), body.comment.clone(), change).await?;
    let subject = (current.subject_id, current.subject_code.as_str());
    w.change(ChangeEntity::Case, id, subject, ChangeOp::Added, &view)
        .await?;
    effects::on_approval(w, &current, &case_type, &body).await?;
    // The view again: the engine's sanctions now rest on the case.
    read::view(w.db(), find(w.db(), id).await?).await
}

fn check_approval(
    w: &Writer,
    case: &violation::Model,
    case_type: &entity::violation_type::Model,
    body: &ApproveCase,
) -> ServiceResult<()> {
    let insured = kind_of_case(case)? == SubjectKind::Insured;
    let policy = &w.cx.policy().insured;
    let mut errors = FieldErrors::default();
    let (min, max) = (
        case_type.points_min.max(0) as u32,
        case_type.points_max.max(0) as u32,
    );
    if !(min..=max).contains(&body.points) {
        errors.add(
            "points",
            msg!(
                "must-be-between-and-for",
                min = min.to_string(),
                max = max.to_string(),
                code = case_type.code.to_string()
            ),
        );
    }
    let suspends = insured && case_type.insured_settlement_suspension;
    match body.settlement_suspension_months {
        None if suspends => errors.add(
            "settlement_suspension_months",
            msg!(
                "is-required-for-suspend-networked-settlement-for",
                code = case_type.code.to_string(),
                settlement_suspension_min_months =
                    policy.settlement_suspension_min_months.to_string(),
                settlement_suspension_max_months =
                    policy.settlement_suspension_max_months.to_string()
            ),
        ),
        Some(_) if !suspends => errors.add(
            "settlement_suspension_months",
            msg!("applies-only-to-insured-persons-cases-of"),
        ),
        Some(m)
            if !(policy.settlement_suspension_min_months
                ..=policy.settlement_suspension_max_months)
                .contains(&m) =>
        {
            errors.add(
                "settlement_suspension_months",
                msg!(
                    "must-be-between-and",
                    min = policy.settlement_suspension_min_months,
                    max = policy.settlement_suspension_max_months
                ),
            )
        }
        _ => {}
    }
    match body.fine_multiple {
        Some(_) if !insured => errors.add("fine_multiple", msg!("applies-only-to-insured-persons")),
        Some(m) if !(policy.fine_multiple_min..=policy.fine_multiple_max).contains(&m) => errors
            .add(
                "fine_multiple",
                msg!(
                    "must-be-between-and",
                    min = policy.fine_multiple_min,
                    max = policy.fine_multiple_max
                ),
            ),
        _ => {}
    }
    errors.finish()
}

/// Corrects a returned case; the state stays `returned` until the inspector resubmits.
pub async fn correct(w: &Writer, id: i64, patch: ViolationPatch) -> ServiceResult<ViolationView> {
    w.actor.require(&RECORDERS)?;
    let txn = w.db();
    let current = find(txn, id).await?;
    if state_of(&current)? != CaseState::Returned {
        return Err(ServiceError::Conflict(msg!(
            "only-a-returned-case-can-be-corrected",
            state = current.state.to_string()
        )));
    }
    let merged = NewViolation {
        subject_code: current.subject_code.clone(),
        type_code: patch
            .type_code
            .clone()
            .unwrap_or_else(|| current.type_code.clone()),
        occurred_on: patch.occurred_on.unwrap_or(current.occurred_on),
        discovered_on: patch.discovered_on.unwrap_or(current.discovered_on),
        description: patch
            .description
            .clone()
            .unwrap_or_else(|| current.description.clone()),
        amount_involved_fen: patch
            .amount_involved_fen
            .unwrap_or(current.amount_involved_fen),
        amount_to_recover_fen: patch
            .amount_to_recover_fen
            .unwrap_or(current.amount_to_recover_fen),
        evidence: match &patch.evidence {
            Some(evidence) => evidence.clone(),
            None => serde_json::from_str(&current.evidence)
                .map_err(|e| ServiceError::corrupt("violations", id, e))?,
        },
        responsibility: match patch.responsibility {
            Some(given) => Some(given),
            None => current
                .responsibility
                .as_deref()
                .map(|r| crate::service::error::column("violations", id, r))
                .transpose()?,
        },
        institution_code: patch
            .institution_code
            .clone()
            .or_else(|| current.institution_code.clone()),
        institution_liable: patch
            .institution_liable
            .unwrap_or(current.institution_liable),
        transferred_to_judiciary: patch
            .transferred_to_judiciary
            .unwrap_or(current.transferred_to_judiciary),
    };
    let mut errors = FieldErrors::default();
    rules::check_fields(&merged, w.cx.today(), &mut errors);
    errors.finish()?;
    let (_, found) = rules::resolve(txn, &merged).await?;
    let mut model: violation::ActiveModel = current.into();
    set_fields(&mut model, &merged, &found, w.cx.policy());
    model.updated_at = Set(w.cx.now);
    let updated = model.update(txn).await?;
    w.audit("violation.correct", &target(id), &patch).await?;
    read::view(txn, updated).await
}

/// Sends a returned (and perhaps corrected) case back into review.
pub async fn resubmit(w: &Writer, id: i64, body: ReviewCase) -> ServiceResult<ViolationView> {
    w.actor.require(&RECORDERS)?;
    // A new round of review: the earlier reviewer's sign-off no longer stands.
    sign_off(w, id, CaseAction::Resubmit, None, body).await
}
