//! The sections of the policy for insured persons, cases, lists, screenings, the feed and the public statistics.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    STATUTORY_FINE_MULTIPLE_MAX, STATUTORY_FINE_MULTIPLE_MIN,
    STATUTORY_SETTLEMENT_SUSPENSION_MAX_MONTHS, STATUTORY_SETTLEMENT_SUSPENSION_MIN_MONTHS,
    Severity,
};

/// Insured persons (条例 art. 41): no points, but settlement suspension and fines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InsuredPolicy {
    pub settlement_suspension_min_months: u32,
    pub settlement_suspension_max_months: u32,
    pub fine_multiple_min: u32,
    pub fine_multiple_max: u32,
    /// Fraud strictly above this black-lists the person automatically. 10,000 yuan (a fifth of the
    /// major-case line) spares one-off misuse of a relative's card but catches card cash-out (套现) rings.
    pub blacklist_fraud_fen: i64,
}

impl Default for InsuredPolicy {
    fn default() -> Self {
        InsuredPolicy {
            settlement_suspension_min_months: STATUTORY_SETTLEMENT_SUSPENSION_MIN_MONTHS,
            settlement_suspension_max_months: STATUTORY_SETTLEMENT_SUSPENSION_MAX_MONTHS,
            fine_multiple_min: STATUTORY_FINE_MULTIPLE_MIN,
            fine_multiple_max: STATUTORY_FINE_MULTIPLE_MAX,
            blacklist_fraud_fen: 1_000_000,
        }
    }
}

impl InsuredPolicy {
    pub fn is_blacklist_fraud(&self, amount_fen: i64) -> bool {
        amount_fen > self.blacklist_fraud_fen
    }
}

/// Case handling (seed 002: 重大案件 above 50,000 yuan, reported within 2 working days).
///
/// The work queue's time limits (`GET /tasks`) other than the report's are ours: DESIGN names none, so each is a
/// default a region replaces, counted in working days with the holiday calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CasePolicy {
    pub major_case_fen: i64,
    pub report_due_working_days: u32,
    pub appeal_window_days: u32,
    /// A recorded (or resubmitted) case is reviewed within this many working days.
    pub review_due_working_days: u32,
    /// A reviewed case is approved (or sent back) within this many working days.
    pub approval_due_working_days: u32,
    /// A case returned for more evidence is resubmitted within this many working days.
    pub resubmission_due_working_days: u32,
    /// An appeal is decided within this many working days of its filing.
    pub appeal_decision_working_days: u32,
    /// The service does not record the major-case report itself, so the queue reminds of it until this many
    /// days after it was due.
    pub report_reminder_days: u32,
}

impl Default for CasePolicy {
    fn default() -> Self {
        CasePolicy {
            major_case_fen: 5_000_000,
            report_due_working_days: 2,
            appeal_window_days: 15,
            review_due_working_days: 5,
            approval_due_working_days: 5,
            resubmission_due_working_days: 10,
            appeal_decision_working_days: 15,
            report_reminder_days: 30,
        }
    }
}

impl CasePolicy {
    /// "超过5万元": strictly more than the line is major.
    pub fn is_major_amount(&self, amount_fen: i64) -> bool {
        amount_fen > self.major_case_fen
    }
}

/// Red/black lists and credit repair (信用修复). Repair periods are months of publication before a
/// subject may apply; for general and serious cases the decision picks a value inside min..=max.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ListPolicy {
    pub blacklist_years: u32,
    /// Seed 002: an institution whose agreement was terminated may not apply again for 3 years.
    pub agreement_termination_ban_years: u32,
    pub red_list_years: u32,
    pub repair_min_months_minor: u32,
    pub repair_min_months_general: u32,
    pub repair_max_months_general: u32,
    pub repair_min_months_serious: u32,
    pub repair_max_months_serious: u32,
    pub repair_decision_working_days: u32,
    /// Catalogue codes of fraud-type behaviour (欺诈骗保): an agreement termination resting on one of them
    /// black-lists the organisation.
    pub fraud_type_codes: Vec<String>,
    /// A black-list entry's `listed_on` may be at most this many days after today (an earlier day stays
    /// possible: entries brought in from a system being replaced keep their dates).
    pub max_days_listed_ahead: u32,
}

impl Default for ListPolicy {
    fn default() -> Self {
        ListPolicy {
            blacklist_years: 3,
            agreement_termination_ban_years: 3,
            red_list_years: 2,
            repair_min_months_minor: 3,
            repair_min_months_general: 6,
            repair_max_months_general: 12,
            repair_min_months_serious: 12,
            repair_max_months_serious: 36,
            repair_decision_working_days: 15,
            max_days_listed_ahead: 30,
            fraud_type_codes: [
                "INST-INDUCED-ADMISSION",
                "INST-FAKE-SERVICE",
                "INST-FORGED-DOCUMENTS",
                "INST-BED-HOLDING",
                "INST-CARD-FRAUD",
                "PHAR-CARD-RETENTION",
                "PHAR-CARD-FRAUD",
                "PHAR-CARD-MISUSE",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl ListPolicy {
    /// Publication months (inclusive) before repair may be applied for. Very serious cases end on the
    /// black list (严重失信), whose period is the serious one.
    pub fn repair_publication_months(&self, severity: Severity) -> (u32, u32) {
        match severity {
            Severity::Minor => (self.repair_min_months_minor, self.repair_min_months_minor),
            Severity::General => (
                self.repair_min_months_general,
                self.repair_max_months_general,
            ),
            _ => (
                self.repair_min_months_serious,
                self.repair_max_months_serious,
            ),
        }
    }
}

/// The change feed: how far back a mirror may resume before it must re-export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FeedPolicy {
    pub retention_days: u32,
}

impl Default for FeedPolicy {
    fn default() -> Self {
        FeedPolicy { retention_days: 90 }
    }
}

/// Screenings (DESIGN §8): how many codes one may carry, and how long its record is kept at least.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningPolicy {
    pub max_codes: u32,
    /// Records are never deleted before this many years (they are append-only in the database).
    pub retention_years: u32,
    /// Look-ups of people (single reads and screening rows together) one partner principal may make a day
    /// (UTC+8), so that no partner can walk the candidates a masked ID number leaves (DESIGN §14).
    pub daily_person_lookups: u32,
}

impl Default for ScreeningPolicy {
    fn default() -> Self {
        ScreeningPolicy {
            max_codes: 10_000,
            retention_years: 5,
            daily_person_lookups: 20_000,
        }
    }
}
