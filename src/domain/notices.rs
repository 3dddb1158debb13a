//! The remedies a decision's notice states (DESIGN §7): an appeal (申诉) within the policy's window of the
//! decision, administrative review (行政复议) within 60 days and litigation (行政诉讼) within 6 months of the day
//! the subject is told (行政复议法 art. 20, 行政诉讼法 art. 46), and credit repair (信用修复) once the minimum
//! publication period for the severity has run.

use chrono::{Days, NaiveDate};

use super::dates::add_months;
use super::lists::{Remedy, RemedyKind};
use super::policy::{Policy, Severity};

/// Days for administrative review after the decision is known (行政复议法 art. 20).
pub const ADMINISTRATIVE_REVIEW_DAYS: u64 = 60;
/// Months for litigation after the decision is known (行政诉讼法 art. 46).
pub const LITIGATION_MONTHS: u32 = 6;

/// The remedies of a decision taken on `decided_on` about violations of `severity`; repair may be applied for
/// until `repair_until` when the decision has an end.
pub fn decision_remedies(
    policy: &Policy,
    decided_on: NaiveDate,
    severity: Severity,
    repair_until: Option<NaiveDate>,
) -> Vec<Remedy> {
    let (repair_months, _) = policy.lists.repair_publication_months(severity);
    vec![
        Remedy {
            kind: RemedyKind::Appeal,
            from: decided_on,
            until: Some(decided_on + Days::new(u64::from(policy.cases.appeal_window_days))),
        },
        Remedy {
            kind: RemedyKind::AdministrativeReview,
            from: decided_on,
            until: Some(decided_on + Days::new(ADMINISTRATIVE_REVIEW_DAYS)),
        },
        Remedy {
            kind: RemedyKind::Litigation,
            from: decided_on,
            until: Some(add_months(decided_on, LITIGATION_MONTHS)),
        },
        Remedy {
            kind: RemedyKind::CreditRepair,
            from: add_months(decided_on, repair_months),
            until: repair_until,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_run_from_the_decision() {
        let policy = Policy::default();
        let day = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let remedies = decision_remedies(&policy, day, Severity::General, None);
        let until = |kind: RemedyKind| remedies.iter().find(|r| r.kind == kind).unwrap().until;
        assert_eq!(
            until(RemedyKind::Appeal),
            Some(day + Days::new(u64::from(policy.cases.appeal_window_days)))
        );
        assert_eq!(
            until(RemedyKind::AdministrativeReview),
            NaiveDate::from_ymd_opt(2026, 5, 30)
        );
        // The end of a shorter month clamps, as a calendar month does.
        assert_eq!(
            until(RemedyKind::Litigation),
            NaiveDate::from_ymd_opt(2026, 9, 30)
        );
        let repair = remedies
            .iter()
            .find(|r| r.kind == RemedyKind::CreditRepair)
            .unwrap();
        assert!(repair.from > day && repair.until.is_none());
    }
}
