//! Smart-monitoring suspects (疑点): the share second-reviewed and the deadlines of each step. Seed 002 fixes the
//! floor of second review at 5% (复审比例不得低于5%); the explanation deadline of 10 working days is the
//! national procedure's (申诉 within 10 working days of notice).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The least share of triage decisions second-reviewed (seed 002); a region may raise it, never lower it.
pub const MIN_SECOND_REVIEW_RATE: f64 = 0.05;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SuspicionPolicy {
    /// Share of triage decisions drawn for second review, 0.05–1.
    #[schema(minimum = 0.05, maximum = 1.0)]
    pub second_review_rate: f64,
    /// Fixes where the systematic sample starts: the same seed draws the same suspects.
    pub seed: u64,
    /// A clearance of more than this (fen) is always second-reviewed, as every conversion is.
    pub always_review_cleared_above_fen: i64,
    /// Working days from intake to triage (初审).
    pub triage_working_days: u32,
    /// Working days from triage for the institution's explanation (申诉/说明).
    pub explain_working_days: u32,
    /// Working days from the explanation (or its deadline) to verification (核实).
    pub verify_working_days: u32,
    /// Working days from a decision to its second review (复审).
    pub review_working_days: u32,
}

impl Default for SuspicionPolicy {
    fn default() -> Self {
        SuspicionPolicy {
            second_review_rate: MIN_SECOND_REVIEW_RATE,
            seed: 20_261_206,
            always_review_cleared_above_fen: 1_000_000,
            triage_working_days: 5,
            explain_working_days: 10,
            verify_working_days: 15,
            review_working_days: 5,
        }
    }
}

impl SuspicionPolicy {
    pub(super) fn validate(&self) -> Result<(), String> {
        let rate = self.second_review_rate;
        if !(MIN_SECOND_REVIEW_RATE..=1.0).contains(&rate) {
            return Err(format!(
                "suspicions.second_review_rate ({rate}) must be between {MIN_SECOND_REVIEW_RATE} and 1"
            ));
        }
        if self.always_review_cleared_above_fen < 0 {
            return Err("suspicions.always_review_cleared_above_fen must not be negative".into());
        }
        if [
            self.triage_working_days,
            self.explain_working_days,
            self.verify_working_days,
            self.review_working_days,
        ]
        .contains(&0)
        {
            return Err(
                "suspicions.triage_working_days, explain_working_days, verify_working_days and review_working_days must be at least 1"
                    .into(),
            );
        }
        Ok(())
    }
}
