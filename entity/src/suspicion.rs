//! A suspect (疑点) flagged by smart monitoring, with every step of its handling.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suspicions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub rule_code: String,
    pub rule_name: String,
    pub subject_id: i64,
    pub subject_code: String,
    pub practitioner_code: Option<String>,
    pub occurred_on: Date,
    pub amount_fen: i64,
    pub detail: String,
    /// JSON array of the claim ids the rule fired on.
    pub claim_ids: String,
    /// SHA-256 of the row's content as sent, to tell a re-sent row from a changed one.
    pub content_hash: String,
    /// `pending`, `dismissed`, `to_explain`, `to_verify`, `cleared` or `converted`.
    pub state: String,
    pub received_at: DateTimeUtc,
    pub received_by: String,
    pub triage_due: Date,
    pub triaged_by: Option<String>,
    pub triaged_at: Option<DateTimeUtc>,
    pub triage_reason: Option<String>,
    pub explain_due: Option<Date>,
    pub explanation: Option<String>,
    /// JSON array of evidence references the institution gave.
    pub explanation_evidence: Option<String>,
    pub explained_by: Option<String>,
    pub explained_at: Option<DateTimeUtc>,
    pub verify_due: Option<Date>,
    pub verified_by: Option<String>,
    pub verified_at: Option<DateTimeUtc>,
    pub verify_reason: Option<String>,
    /// Verified after the explanation deadline passed without an answer.
    pub unanswered: bool,
    /// The case a conversion recorded.
    pub violation_id: Option<i64>,
    /// The triage's second review was done (kept when a review of the verification replaces it).
    pub triage_reviewed: bool,
    /// `awaiting`, `confirmed` or `overturned`; `None` when not drawn.
    pub review_state: Option<String>,
    /// The decision under second review: `triage` or `verification`.
    pub review_of: Option<String>,
    pub review_due: Option<Date>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub review_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
