//! The steps of a suspect's life after intake: triage (初审, one or many at once), the institution's
//! explanation (申诉/说明), verification (核实, clearing it or recording a case) and second review (复审). Each
//! step stores who, when and why, and writes its audit row and a staff-only change-log row.

use crate::i18n::msg;
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::intake::view_value;
use super::view::{SuspicionView, view};
use super::{EXPLAINERS, HANDLERS, MAX_BULK, find_for, state_of, target};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::masking::Audience;
use crate::domain::scoring::SubjectKind;
use crate::domain::suspicions::{
    ReviewOutcome, ReviewState, ReviewedStep, SuspicionState, TriageOutcome, VerifyOutcome,
    effective_state, needs_review,
};
use crate::service::cases::{self, Evidence};
use crate::service::catalogue;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, required_reason};
use crate::service::writer::Writer;
use entity::suspicion;

/// A triage decision (初审) on one suspect.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    pub outcome: TriageOutcome,
    /// 1–2000 characters; required to dismiss.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// One triage decision for up to 1,000 pending suspects, taken together or not at all.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTriage {
    #[schema(min_items = 1, max_items = 1000)]
    pub ids: Vec<i64>,
    pub outcome: TriageOutcome,
    /// 1–2000 characters; required to dismiss.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkTriageResult {
    /// Suspects decided (all of `ids`).
    pub decided: u64,
    /// Of them, drawn for second review.
    pub drawn_for_review: u64,
    /// The ids drawn for second review.
    pub review_ids: Vec<i64>,
}

/// The institution's explanation (申诉/说明).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// 1–4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
    /// References to the institution's evidence, at most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub evidence: Vec<Evidence>,
}

/// A verification decision (核实).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub outcome: VerifyOutcome,
    /// 1–2000 characters; required to clear.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// Converting: the catalogue entry of the case. A practitioner's entry records the case against the
    /// suspect's practitioner, with the suspect's institution as its `institution_code`; any other, against the
    /// suspect's subject.
    #[schema(max_length = 64, example = "INST-DUPLICATE-BILLING")]
    pub type_code: Option<String>,
    /// Converting: the amount to recover, in fen (default: the amount involved).
    #[schema(minimum = 0)]
    pub amount_to_recover_fen: Option<i64>,
    /// Converting into a practitioner's case: the degree of responsibility, which such a case needs.
    pub responsibility: Option<crate::domain::cases::Responsibility>,
}

/// A second reviewer's finding (复审).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondReview {
    pub outcome: ReviewOutcome,
    /// 1–2000 characters; required to overturn.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// A reason given, checked; or none, refused when `needed`.
pub(super) fn reason_of(reason: Option<&str>, needed: bool) -> ServiceResult<Option<String>> {
    match reason {
        Some(text) => Ok(Some(required_reason(text)?)),
        None if needed => Err(ServiceError::validation(
            "reason",
            msg!("suspicion-reason-required"),
        )),
        None => Ok(None),
    }
}

pub(super) fn add_days(w: &Writer, from: NaiveDate, days: u32) -> NaiveDate {
    w.cx.config.calendar.add_working_days(from, days)
}

/// Sends a decision to second review (with its due day) when the policy says so; returns whether it did.
fn maybe_review(
    w: &Writer,
    row: &suspicion::Model,
    update: &mut suspicion::ActiveModel,
    step: ReviewedStep,
    decided: SuspicionState,
) -> bool {
    let policy = &w.cx.policy().suspicions;
    let review = needs_review(row.id, step, decided, row.amount_fen, policy);
    // A decision not drawn leaves the record of an earlier review (of the triage) as it was.
    if review {
        update.review_state = Set(Some(ReviewState::Awaiting.as_str().to_string()));
        update.review_of = Set(Some(step.as_str().to_string()));
        update.review_due = Set(Some(add_days(w, w.cx.today(), policy.review_working_days)));
        update.reviewed_by = Set(None);
        update.reviewed_at = Set(None);
        update.review_reason = Set(None);
    }
    // Decided for good only once no second review is awaited.
    let closes = decided.is_final() && !review;
    update.closed_at = Set(closes.then_some(w.cx.now));
    review
}

/// Stores the update with its audit row and change-log row; returns the suspect as staff read it.
pub(super) async fn save(
    w: &Writer,
    update: suspicion::ActiveModel,
    action: &str,
    audit: serde_json::Value,
) -> ServiceResult<suspicion::Model> {
    let row = update.update(w.db()).await?;
    w.audit(action, &target(row.id), &audit).await?;
    let value = view_value(&row, &w.cx)?;
    w.note(
        ChangeEntity::Suspicion,
        row.id,
        &row.subject_code,
        ChangeOp::Changed,
        &value,
    )
    .await?;
    Ok(row)
}

fn triage_one(
    w: &Writer,
    row: &suspicion::Model,
    outcome: TriageOutcome,
    reason: &Option<String>,
) -> ServiceResult<(suspicion::ActiveModel, bool)> {
    if state_of(row)? != SuspicionState::Pending {
        return Err(ServiceError::Conflict(msg!(
            "suspicion-not-pending",
            id = row.id
        )));
    }
    let policy = &w.cx.policy().suspicions;
    let mut update: suspicion::ActiveModel = row.clone().into();
    let to = outcome.state();
    update.state = Set(to.as_str().to_string());
    update.triaged_by = Set(Some(w.actor.sub.clone()));
    update.triaged_at = Set(Some(w.cx.now));
    update.triage_reason = Set(reason.clone());
    if to == SuspicionState::ToExplain {
        let explain_due = add_days(w, w.cx.today(), policy.explain_working_days);
        update.explain_due = Set(Some(explain_due));
        // Without an answer, verification is due this long after the deadline.
        update.verify_due = Set(Some(add_days(w, explain_due, policy.verify_working_days)));
    }
    let review = maybe_review(w, row, &mut update, ReviewedStep::Triage, to);
    Ok((update, review))
}

/// Triages one pending suspect.
pub async fn triage(w: &Writer, id: i64, body: Triage) -> ServiceResult<SuspicionView> {
    w.actor.require(&HANDLERS)?;
    let reason = reason_of(
        body.reason.as_deref(),
        body.outcome == TriageOutcome::Dismissed,
    )?;
    let row = find_for(w.db(), &w.actor, id).await?;
    let (update, _) = triage_one(w, &row, body.outcome, &reason)?;
    let audit = serde_json::json!({"outcome": body.outcome, "reason": reason});
    let row = save(w, update, "suspicion.triage", audit).await?;
    view(row, Audience::Full, w.cx.today())
}

/// Triages up to `MAX_BULK` pending suspects with one decision, all in the writer's one transaction: one that
/// is unknown or not pending refuses the whole batch.
pub async fn triage_many(w: &Writer, body: BulkTriage) -> ServiceResult<BulkTriageResult> {
    w.actor.require(&HANDLERS)?;
    let mut errors = FieldErrors::default();
    if body.ids.is_empty() || body.ids.len() > MAX_BULK {
        errors.add("ids", msg!("suspicion-bulk-size", max = MAX_BULK as i64));
    }
    let reason = reason_of(
        body.reason.as_deref(),
        body.outcome == TriageOutcome::Dismissed,
    )?;
    errors.finish()?;
    let rows: HashMap<i64, suspicion::Model> = suspicion::Entity::find()
        .filter(suspicion::Column::Id.is_in(body.ids.clone()))
        .all(w.db())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut errors = FieldErrors::default();
    let mut seen = std::collections::HashSet::new();
    for (i, id) in body.ids.iter().enumerate() {
        if !rows.contains_key(id) {
            errors.add(&format!("ids[{i}]"), msg!("suspicion-not-found", id = *id));
        } else if !seen.insert(*id) {
            errors.add(&format!("ids[{i}]"), msg!("suspicion-id-twice", id = *id));
        }
    }
    errors.finish()?;
    let mut review_ids = Vec::new();
    for id in &body.ids {
        let (update, review) = triage_one(w, &rows[id], body.outcome, &reason)?;
        let audit = serde_json::json!({"outcome": body.outcome, "reason": reason, "bulk": true});
        save(w, update, "suspicion.triage", audit).await?;
        if review {
            review_ids.push(*id);
        }
    }
    Ok(BulkTriageResult {
        decided: body.ids.len() as u64,
        drawn_for_review: review_ids.len() as u64,
        review_ids,
    })
}

/// The institution answers for a suspect sent to it, before its deadline. A hospital's office, its own only.
pub async fn explain(w: &Writer, id: i64, body: Explanation) -> ServiceResult<SuspicionView> {
    w.actor.require(&EXPLAINERS)?;
    let row = find_for(w.db(), &w.actor, id).await?;
    let today = w.cx.today();
    match effective_state(state_of(&row)?, row.explain_due, today) {
        (SuspicionState::ToExplain, _) => {}
        (_, true) => return Err(ServiceError::Conflict(msg!("suspicion-deadline-passed"))),
        _ => return Err(ServiceError::Conflict(msg!("suspicion-not-to-explain"))),
    }
    let mut errors = FieldErrors::default();
    let text = body.text.trim().to_string();
    if !(1..=4000).contains(&text.chars().count()) {
        errors.add("text", msg!("suspicion-text-too-long", max = 4000));
    }
    errors.check("text", crate::domain::text::check_no_controls(&text));
    cases::rules::check_evidence(&body.evidence, &mut errors);
    errors.finish()?;
    let mut update: suspicion::ActiveModel = row.into();
    update.state = Set(SuspicionState::ToVerify.as_str().to_string());
    update.explanation = Set(Some(text));
    update.explanation_evidence = Set(Some(
        serde_json::to_string(&body.evidence).unwrap_or_else(|_| "[]".into()),
    ));
    update.explained_by = Set(Some(w.actor.sub.clone()));
    update.explained_at = Set(Some(w.cx.now));
    let days = w.cx.policy().suspicions.verify_working_days;
    update.verify_due = Set(Some(add_days(w, today, days)));
    let audit = serde_json::json!({"evidence": body.evidence.len()});
    let row = save(w, update, "suspicion.explain", audit).await?;
    view(row, Audience::Hospital, today)
}

/// Verifies a suspect waiting for it (answered, or past its deadline): cleared, or converted into a recorded
/// case through `cases::record`, so the case then follows the four-step workflow as every case does.
pub async fn verify(w: &Writer, id: i64, body: Verification) -> ServiceResult<SuspicionView> {
    w.actor.require(&HANDLERS)?;
    let converting = body.outcome == VerifyOutcome::Converted;
    let reason = reason_of(body.reason.as_deref(), !converting)?;
    let row = find_for(w.db(), &w.actor, id).await?;
    let (state, moved_on) = effective_state(state_of(&row)?, row.explain_due, w.cx.today());
    if state != SuspicionState::ToVerify {
        return Err(ServiceError::Conflict(msg!("suspicion-not-to-verify")));
    }
    if awaiting(&row) {
        return Err(ServiceError::Conflict(msg!("suspicion-awaiting-review")));
    }
    let mut update: suspicion::ActiveModel = row.clone().into();
    if converting {
        let case = convert(w, &row, &body).await?;
        update.violation_id = Set(Some(case));
    }
    let to = body.outcome.state();
    update.state = Set(to.as_str().to_string());
    update.unanswered = Set(moved_on);
    update.verified_by = Set(Some(w.actor.sub.clone()));
    update.verified_at = Set(Some(w.cx.now));
    update.verify_reason = Set(reason.clone());
    maybe_review(w, &row, &mut update, ReviewedStep::Verification, to);
    let audit = serde_json::json!({"outcome": body.outcome, "reason": reason,
        "type_code": body.type_code, "unanswered": moved_on});
    let row = save(w, update, "suspicion.verify", audit).await?;
    view(row, Audience::Full, w.cx.today())
}

pub(super) fn awaiting(row: &suspicion::Model) -> bool {
    row.review_state.as_deref() == Some(ReviewState::Awaiting.as_str())
}

/// Records the case a conversion makes: the subject, dates, amount and the suspect's evidence (its claims and
/// the institution's references) carried over. Returns the case's id.
async fn convert(w: &Writer, row: &suspicion::Model, body: &Verification) -> ServiceResult<i64> {
    let type_code = body
        .type_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            ServiceError::validation("type_code", msg!("suspicion-type-code-required"))
        })?;
    let claims: Vec<String> = serde_json::from_str(&row.claim_ids).unwrap_or_default();
    let mut evidence: Vec<Evidence> = claims
        .iter()
        .map(|claim| Evidence {
            name: format!("claim:{claim}"),
            sha256: None,
            uri: None,
        })
        .collect();
    if let Some(text) = &row.explanation_evidence {
        evidence.extend(serde_json::from_str::<Vec<Evidence>>(text).unwrap_or_default());
    }
    evidence.truncate(100);
    let practitioner = row
        .practitioner_code
        .as_deref()
        .map(|code| format!(" [{code}]"))
        .unwrap_or_default();
    // The case's description is data carried over from the monitoring system, not a message of ours.
    let description: String = format!(
        "{} {}{}: {} ({}/{})",
        row.rule_code, row.rule_name, practitioner, row.detail, row.source, row.external_id
    )
    .chars()
    .take(4000)
    .collect();
    let received_on = crate::domain::dates::legal_date(row.received_at);
    // The practitioner the monitoring named is carried over when the verifier chose a practitioner's entry: the
    // case is then theirs (12-point system), under the institution's case, as an inspector would record it.
    let of_practitioner = match (
        &row.practitioner_code,
        catalogue::in_force(w.db(), type_code, row.occurred_on).await?,
    ) {
        (Some(_), Some(found)) => {
            catalogue::applies_to(&found)?.contains(&SubjectKind::Practitioner)
        }
        _ => false,
    };
    let (subject_code, institution_code) = match &row.practitioner_code {
        Some(practitioner) if of_practitioner => {
            (practitioner.clone(), Some(row.subject_code.clone()))
        }
        _ => (row.subject_code.clone(), None),
    };
    let case = serde_json::json!({
        "subject_code": subject_code,
        "institution_code": institution_code,
        "responsibility": body.responsibility,
        "type_code": type_code,
        "occurred_on": row.occurred_on,
        "discovered_on": received_on.max(row.occurred_on),
        "description": description,
        "amount_involved_fen": row.amount_fen,
        "amount_to_recover_fen": body.amount_to_recover_fen.unwrap_or(row.amount_fen),
        "evidence": evidence,
    });
    let case = cases::record::record(w, case).await?;
    Ok(case.id)
}
