//! Moving cases through the four-step workflow (DESIGN §4): review, approve, reject, return, correct, resubmit.
//! Every move checks the state machine and four eyes, and stores who, when and why.

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AuthUser, Role};
use crate::db::Db;
use crate::domain::cases::{CaseAction, CaseState, Responsibility, four_eyes, next_state};
use crate::domain::dates::legal_date;
use crate::domain::scoring::SubjectKind;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::service::violations::{
    self, Evidence, NewViolation, ViolationView, record_transition, state_of, target,
};
use crate::service::{audit, case_rules, engine};
use crate::state::AppState;
use entity::violation;

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewCase {
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveCase {
    /// Points inside the catalogue entry's range (0 for insured persons).
    pub points: u32,
    pub comment: Option<String>,
    /// Insured persons, types that suspend networked settlement: 3–12 months (条例 art. 41).
    pub settlement_suspension_months: Option<u32>,
    /// Insured persons: fine as a multiple (2–5×) of the amount to recover.
    pub fine_multiple: Option<u32>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
}

/// Corrections an inspector makes to a returned case; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolationPatch {
    pub type_code: Option<String>,
    pub occurred_on: Option<chrono::NaiveDate>,
    pub discovered_on: Option<chrono::NaiveDate>,
    pub description: Option<String>,
    pub amount_involved_fen: Option<i64>,
    pub amount_to_recover_fen: Option<i64>,
    pub evidence: Option<Vec<Evidence>>,
    pub responsibility: Option<Responsibility>,
    pub institution_code: Option<String>,
    pub institution_liable: Option<bool>,
    pub transferred_to_judiciary: Option<bool>,
}

/// Loads the case under the subject's lock and checks that `action` is legal for it and for this actor.
async fn begin(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    action: CaseAction,
) -> ApiResult<(crate::db::WriteTxn, violation::Model, CaseState)> {
    let subject_id = violations::find(&state.db.conn, id).await?.subject_id;
    let txn = state.db.begin_write().await?;
    Db::lock_subject(&txn, subject_id).await?;
    // Read again under the lock: a concurrent move of the same case has committed or not started.
    let model = violations::find(&*txn, id).await?;
    let from = state_of(&model);
    let to = next_state(from, action).ok_or_else(|| {
        ApiError::Conflict(format!(
            "a case in state {from} cannot be given the action {}",
            action.as_str()
        ))
    })?;
    four_eyes(
        action,
        &actor.sub,
        &model.recorded_by,
        model.reviewed_by.as_deref(),
    )
    .map_err(|why| ApiError::Forbidden(why.into()))?;
    Ok((txn, model, to))
}

/// Writes the new state with its transition and audit rows, commits, and returns the case.
async fn finish(
    state: &AppState,
    actor: &AuthUser,
    txn: crate::db::WriteTxn,
    mut model: violation::ActiveModel,
    (id, from, to): (i64, CaseState, CaseState),
    reason: Option<String>,
    change: serde_json::Value,
) -> ApiResult<ViolationView> {
    let now = state.clock.now();
    model.state = Set(to.as_str().to_string());
    model.updated_at = Set(now);
    let updated = model.update(&*txn).await?;
    record_transition(&*txn, id, Some(from), to, actor, reason, now).await?;
    audit::append(
        &*txn,
        actor,
        &format!("violation.{}", to.as_str()),
        &target(id),
        &change,
    )
    .await?;
    let view = violations::view(&*txn, updated).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn review(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    body: ReviewCase,
) -> ApiResult<ViolationView> {
    actor.require(&[Role::Reviewer])?;
    // The reviewer's name is what four eyes checks at approval.
    let reviewed_by = Some(actor.sub.clone());
    sign_off(state, actor, id, CaseAction::Review, reviewed_by, body).await
}

/// Review and resubmission differ only in who acts and whose review stands afterwards.
async fn sign_off(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    action: CaseAction,
    reviewed_by: Option<String>,
    body: ReviewCase,
) -> ApiResult<ViolationView> {
    let (txn, current, to) = begin(state, actor, id, action).await?;
    let from = state_of(&current);
    let mut model: violation::ActiveModel = current.into();
    model.reviewed_by = Set(reviewed_by);
    let change = serde_json::to_value(&body).unwrap_or_default();
    finish(
        state,
        actor,
        txn,
        model,
        (id, from, to),
        body.comment,
        change,
    )
    .await
}

pub async fn reject_or_return(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    action: CaseAction,
    body: ReasonBody,
) -> ApiResult<ViolationView> {
    actor.require(&[Role::Reviewer, Role::Approver])?;
    let reason = body.reason.trim().to_string();
    if !(1..=2000).contains(&reason.chars().count()) {
        return Err(ApiError::validation(
            "reason",
            "is required (1 to 2000 characters)",
        ));
    }
    let (txn, current, to) = begin(state, actor, id, action).await?;
    let from = state_of(&current);
    let change = serde_json::json!({ "reason": reason });
    finish(
        state,
        actor,
        txn,
        current.into(),
        (id, from, to),
        Some(reason),
        change,
    )
    .await
}

pub async fn approve(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    body: ApproveCase,
) -> ApiResult<ViolationView> {
    actor.require(&[Role::Approver])?;
    let (txn, current, to) = begin(state, actor, id, CaseAction::Approve).await?;
    let from = state_of(&current);
    let case_type = entity::violation_type::Entity::find_by_id(current.type_id)
        .one(&*txn)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("case {id} names a missing catalogue entry")))?;
    check_approval(state, &current, &case_type, &body)?;
    let now = state.clock.now();
    let approved_on = legal_date(now);
    let policy = &state.config.policy;
    let mut model: violation::ActiveModel = current.clone().into();
    model.points = Set(Some(body.points as i32));
    model.settlement_suspension_months = Set(body.settlement_suspension_months.map(|m| m as i32));
    model.fine_multiple = Set(body.fine_multiple.map(|m| m as i32));
    model.approved_by = Set(Some(actor.sub.clone()));
    model.approved_at = Set(Some(now));
    model.cycle = Set(Some(crate::domain::dates::cycle_of_instant(now)));
    if current.major {
        model.report_due = Set(Some(crate::domain::cases::report_due(approved_on, policy)));
    }
    engine::on_approval(state, &txn, actor, &current, &case_type, &body, now).await?;
    let change = serde_json::to_value(&body).unwrap_or_default();
    finish(
        state,
        actor,
        txn,
        model,
        (id, from, to),
        body.comment,
        change,
    )
    .await
}

fn check_approval(
    state: &AppState,
    case: &violation::Model,
    case_type: &entity::violation_type::Model,
    body: &ApproveCase,
) -> ApiResult<()> {
    let insured = case.subject_kind == SubjectKind::Insured.as_str();
    let policy = &state.config.policy.insured;
    let mut errors = FieldErrors::default();
    let (min, max) = (
        case_type.points_min.max(0) as u32,
        case_type.points_max.max(0) as u32,
    );
    if !(min..=max).contains(&body.points) {
        errors.add(
            "points",
            format!("must be within {min}..={max} for {}", case_type.code),
        );
    }
    let suspends = insured && case_type.insured_settlement_suspension;
    match body.settlement_suspension_months {
        None if suspends => errors.add(
            "settlement_suspension_months",
            format!(
                "is required for {}: suspend networked settlement for {}–{} months",
                case_type.code,
                policy.settlement_suspension_min_months,
                policy.settlement_suspension_max_months
            ),
        ),
        Some(_) if !suspends => errors.add(
            "settlement_suspension_months",
            "applies only to insured persons' cases of a type that suspends settlement",
        ),
        Some(m)
            if !(policy.settlement_suspension_min_months
                ..=policy.settlement_suspension_max_months)
                .contains(&m) =>
        {
            errors.add(
                "settlement_suspension_months",
                format!(
                    "must be within {}..={}",
                    policy.settlement_suspension_min_months,
                    policy.settlement_suspension_max_months
                ),
            )
        }
        _ => {}
    }
    match body.fine_multiple {
        Some(_) if !insured => errors.add("fine_multiple", "applies only to insured persons"),
        Some(m) if !(policy.fine_multiple_min..=policy.fine_multiple_max).contains(&m) => errors
            .add(
                "fine_multiple",
                format!(
                    "must be within {}..={}",
                    policy.fine_multiple_min, policy.fine_multiple_max
                ),
            ),
        _ => {}
    }
    errors.finish()
}

/// Corrects a returned case; the state stays `returned` until the inspector resubmits.
pub async fn correct(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    patch: ViolationPatch,
) -> ApiResult<ViolationView> {
    actor.require(&[Role::Inspector])?;
    let txn = state.db.begin_write().await?;
    let current = violations::find(&*txn, id).await?;
    if state_of(&current) != CaseState::Returned {
        return Err(ApiError::Conflict(format!(
            "only a returned case can be corrected; this one is {}",
            current.state
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
            None => serde_json::from_str(&current.evidence).unwrap_or_default(),
        },
        responsibility: patch.responsibility.or_else(|| {
            current
                .responsibility
                .as_deref()
                .and_then(|r| r.parse().ok())
        }),
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
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    case_rules::check_fields(&merged, legal_date(now), &mut errors);
    errors.finish()?;
    let (_, found) = case_rules::resolve(&*txn, &merged).await?;
    let mut model: violation::ActiveModel = current.into();
    violations::set_fields(&mut model, &merged, &found, &state.config.policy);
    model.updated_at = Set(now);
    let updated = model.update(&*txn).await?;
    audit::append(&*txn, actor, "violation.correct", &target(id), &patch).await?;
    let view = violations::view(&*txn, updated).await?;
    txn.commit().await?;
    Ok(view)
}

/// Sends a returned (and perhaps corrected) case back into review.
pub async fn resubmit(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    body: ReviewCase,
) -> ApiResult<ViolationView> {
    actor.require(&[Role::Inspector])?;
    // A new round of review: the earlier reviewer's sign-off no longer stands.
    sign_off(state, actor, id, CaseAction::Resubmit, None, body).await
}
