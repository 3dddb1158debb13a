//! A suspect's row once its own fields have passed their rules (`intake::check_row`): its key, the hash of its
//! content that tells a re-sent row from a changed one, and the row the writer inserts.

use chrono::NaiveDate;
use sea_orm::Set;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::suspicions::SuspicionState;
use crate::service::writer::Writer;
use entity::suspicion;

/// A row whose fields passed their own rules, and the hash of its content.
#[derive(Clone, Debug, Serialize)]
pub struct CheckedSuspicion {
    pub source: String,
    pub external_id: String,
    pub rule_code: String,
    pub rule_name: String,
    pub subject_code: String,
    pub practitioner_code: Option<String>,
    pub occurred_on: NaiveDate,
    pub amount_fen: i64,
    pub detail: String,
    pub claim_ids: Vec<String>,
}

impl CheckedSuspicion {
    /// `(source, external_id)`, as one key.
    pub fn key(&self) -> (String, String) {
        (self.source.clone(), self.external_id.clone())
    }

    /// SHA-256 of the content, as sent after trimming: the same row re-sent hashes the same.
    pub fn hash(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// The row to insert, received now by the writer, due for triage by the policy's day.
    pub fn row(
        &self,
        subject_id: i64,
        w: &Writer,
        triage_due: NaiveDate,
    ) -> suspicion::ActiveModel {
        suspicion::ActiveModel {
            source: Set(self.source.clone()),
            external_id: Set(self.external_id.clone()),
            rule_code: Set(self.rule_code.clone()),
            rule_name: Set(self.rule_name.clone()),
            subject_id: Set(subject_id),
            subject_code: Set(self.subject_code.clone()),
            practitioner_code: Set(self.practitioner_code.clone()),
            occurred_on: Set(self.occurred_on),
            amount_fen: Set(self.amount_fen),
            detail: Set(self.detail.clone()),
            claim_ids: Set(serde_json::to_string(&self.claim_ids).unwrap_or_else(|_| "[]".into())),
            content_hash: Set(self.hash()),
            state: Set(SuspicionState::Pending.as_str().to_string()),
            received_at: Set(w.cx.now),
            received_by: Set(w.actor.sub.clone()),
            triage_due: Set(triage_due),
            unanswered: Set(false),
            triage_reviewed: Set(false),
            // Every column set, so that an import's rows become models without being read back.
            triaged_by: Set(None),
            triaged_at: Set(None),
            triage_reason: Set(None),
            explain_due: Set(None),
            explanation: Set(None),
            explanation_evidence: Set(None),
            explained_by: Set(None),
            explained_at: Set(None),
            verify_due: Set(None),
            verified_by: Set(None),
            verified_at: Set(None),
            verify_reason: Set(None),
            violation_id: Set(None),
            review_state: Set(None),
            review_of: Set(None),
            review_due: Set(None),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_reason: Set(None),
            closed_at: Set(None),
            ..Default::default()
        }
    }
}
