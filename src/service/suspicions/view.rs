//! A suspect as its readers see it: staff in full, a hospital's office without the authority's second review.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::state_of;
use crate::domain::masking::Audience;
use crate::domain::suspicions::{ReviewState, ReviewedStep, SuspicionState, effective_state};
use crate::service::cases::Evidence;
use crate::service::error::{ServiceError, ServiceResult, column};
use entity::suspicion;

/// Who took a step, when, and why.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    /// Token subject of the one who decided.
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// The institution's answer (申诉/说明).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExplanationView {
    pub text: String,
    pub evidence: Vec<Evidence>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A decision's second review (复审): staff only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SecondReviewView {
    /// The decision reviewed.
    pub of: ReviewedStep,
    pub state: ReviewState,
    pub due: Option<NaiveDate>,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuspicionView {
    pub id: i64,
    #[schema(example = "smart_monitoring")]
    pub source: String,
    /// The monitoring system's own id of the suspect; with `source`, it identifies the suspect.
    pub external_id: String,
    #[schema(example = "R-DUP-CHARGE")]
    pub rule_code: String,
    pub rule_name: String,
    /// The institution (or pharmacy, or person) flagged.
    pub subject_code: String,
    pub practitioner_code: Option<String>,
    pub occurred_on: NaiveDate,
    /// Fund money involved, in fen.
    pub amount_fen: i64,
    pub detail: String,
    pub claim_ids: Vec<String>,
    /// Where it stands today: a `to_explain` suspect past its deadline reads `to_verify`.
    pub state: SuspicionState,
    /// The explanation deadline passed without an answer: it moved on (or was verified) without one.
    pub unanswered: bool,
    /// A step it waits for is past its due date.
    pub overdue: bool,
    /// Decided for good: dismissed, cleared or converted, and no second review awaited.
    pub closed: bool,
    pub received_at: DateTime<Utc>,
    pub received_by: String,
    pub triage_due: NaiveDate,
    pub triage: Option<StepView>,
    /// The institution answers by this day (working days, holiday calendar).
    pub explain_due: Option<NaiveDate>,
    pub explanation: Option<ExplanationView>,
    pub verify_due: Option<NaiveDate>,
    pub verification: Option<StepView>,
    /// The case a conversion recorded.
    pub violation_id: Option<i64>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_review: Option<SecondReviewView>,
    pub closed_at: Option<DateTime<Utc>>,
}

fn step(
    by: &Option<String>,
    at: Option<DateTime<Utc>>,
    reason: &Option<String>,
) -> Option<StepView> {
    Some(StepView {
        by: by.clone()?,
        at: at?,
        reason: reason.clone(),
    })
}

/// Whether a suspect waits, on `today`, for a step past its due date.
pub fn is_overdue(row: &suspicion::Model, state: SuspicionState, today: NaiveDate) -> bool {
    let late = |due: Option<NaiveDate>| due.is_some_and(|d| d < today);
    let step_late = match state {
        SuspicionState::Pending => late(Some(row.triage_due)),
        SuspicionState::ToVerify => late(row.verify_due),
        _ => false,
    };
    let review_late =
        row.review_state.as_deref() == Some(ReviewState::Awaiting.as_str()) && late(row.review_due);
    step_late || review_late
}

pub fn view(
    row: suspicion::Model,
    audience: Audience,
    today: NaiveDate,
) -> ServiceResult<SuspicionView> {
    let stored = state_of(&row)?;
    let (state, moved_on) = effective_state(stored, row.explain_due, today);
    let claim_ids: Vec<String> = serde_json::from_str(&row.claim_ids)
        .map_err(|e| ServiceError::corrupt("suspicions", row.id, e))?;
    let evidence: Vec<Evidence> = match &row.explanation_evidence {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| ServiceError::corrupt("suspicions", row.id, e))?,
        None => Vec::new(),
    };
    let review = match (&row.review_state, &row.review_of) {
        (Some(state), Some(of)) if audience == Audience::Full => Some(SecondReviewView {
            of: column("suspicions", row.id, of)?,
            state: column("suspicions", row.id, state)?,
            due: row.review_due,
            by: row.reviewed_by.clone(),
            at: row.reviewed_at,
            reason: row.review_reason.clone(),
        }),
        _ => None,
    };
    let explanation = match (&row.explanation, &row.explained_by, row.explained_at) {
        (Some(text), Some(by), Some(at)) => Some(ExplanationView {
            text: text.clone(),
            evidence,
            by: by.clone(),
            at,
        }),
        _ => None,
    };
    Ok(SuspicionView {
        overdue: is_overdue(&row, state, today),
        closed: row.closed_at.is_some(),
        unanswered: row.unanswered || moved_on,
        triage: step(&row.triaged_by, row.triaged_at, &row.triage_reason),
        verification: step(&row.verified_by, row.verified_at, &row.verify_reason),
        claim_ids,
        state,
        explanation,
        second_review: review,
        id: row.id,
        source: row.source,
        external_id: row.external_id,
        rule_code: row.rule_code,
        rule_name: row.rule_name,
        subject_code: row.subject_code,
        practitioner_code: row.practitioner_code,
        occurred_on: row.occurred_on,
        amount_fen: row.amount_fen,
        detail: row.detail,
        received_at: row.received_at,
        received_by: row.received_by,
        triage_due: row.triage_due,
        explain_due: row.explain_due,
        verify_due: row.verify_due,
        violation_id: row.violation_id,
        closed_at: row.closed_at,
    })
}
