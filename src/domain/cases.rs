//! The life of a violation case (DESIGN §4): which action moves which state, who may take it (four eyes), and
//! when a case is major.

use chrono::NaiveDate;

use super::dates::add_working_days;
use super::policy::{Policy, string_enum};

string_enum! {
    /// State of a case. Only `approved` cases count in the ledger.
    pub enum CaseState as "case state" {
        Recorded = "recorded",
        Reviewed = "reviewed",
        Approved = "approved",
        Appealed = "appealed",
        Voided = "voided",
        Rejected = "rejected",
        Returned = "returned",
    }
}

string_enum! {
    /// A practitioner's degree of responsibility for the case (一般/重要/主要责任).
    pub enum Responsibility as "responsibility" {
        General = "general",
        Important = "important",
        Main = "main",
    }
}

/// What a reviewer, approver or inspector can do to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseAction {
    Review,
    Approve,
    Reject,
    Return,
    Resubmit,
    /// 申诉 filed against an approved case.
    Appeal,
    /// The appeal is rejected: the case stands.
    DismissAppeal,
    /// Appeal accepted, external decision, or an approver's own correction.
    Void,
}

impl CaseAction {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseAction::Review => "review",
            CaseAction::Approve => "approve",
            CaseAction::Reject => "reject",
            CaseAction::Return => "return",
            CaseAction::Resubmit => "resubmit",
            CaseAction::Appeal => "appeal",
            CaseAction::DismissAppeal => "dismiss_appeal",
            CaseAction::Void => "void",
        }
    }
}

/// The state `action` leads to from `from`, or `None` when the move is illegal (the API answers 409).
pub fn next_state(from: CaseState, action: CaseAction) -> Option<CaseState> {
    use CaseAction::*;
    use CaseState::*;
    match (from, action) {
        (Recorded, Review) => Some(Reviewed),
        (Reviewed, Approve) => Some(Approved),
        (Recorded | Reviewed, Reject) => Some(Rejected),
        (Recorded | Reviewed, Return) => Some(Returned),
        (Returned, Resubmit) => Some(Recorded),
        (Approved, Appeal) => Some(Appealed),
        (Appealed, DismissAppeal) => Some(Approved),
        (Approved | Appealed, Void) => Some(Voided),
        _ => None,
    }
}

/// Four eyes on a case (seed 000: 窗口初审 → 稽核股覆核 → 分管领导审核): review and approval are decisions of the
/// one table in `four_eyes`, with the case's recorder and reviewer as parties. Returns the reason for a refusal.
pub fn four_eyes(
    action: CaseAction,
    actor: &str,
    recorded_by: &str,
    reviewed_by: Option<&str>,
) -> Result<(), crate::i18n::Msg> {
    use super::four_eyes::{Decision, Party, check};
    let decision = match action {
        CaseAction::Review => Decision::CaseReview,
        CaseAction::Approve => Decision::CaseApproval,
        _ => return Ok(()),
    };
    let parties = [
        (Party::Recorder, Some(recorded_by)),
        (Party::Reviewer, reviewed_by),
    ];
    check(decision, actor, &parties)
}

/// 重大案件: more than the policy amount involved, or transferred to the police or judiciary.
pub fn is_major(amount_involved_fen: i64, transferred_to_judiciary: bool, policy: &Policy) -> bool {
    transferred_to_judiciary || policy.cases.is_major_amount(amount_involved_fen)
}

/// A major case must be reported within the policy's working days of its approval.
pub fn report_due(approved_on: NaiveDate, policy: &Policy) -> NaiveDate {
    add_working_days(approved_on, policy.cases.report_due_working_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_moves_forward_only_by_legal_steps() {
        use CaseAction::*;
        use CaseState::*;
        assert_eq!(next_state(Recorded, Review), Some(Reviewed));
        assert_eq!(next_state(Reviewed, Approve), Some(Approved));
        assert_eq!(
            next_state(Recorded, Approve),
            None,
            "approval needs a review first"
        );
        assert_eq!(next_state(Approved, Approve), None);
        assert_eq!(next_state(Approved, Reject), None);
        assert_eq!(next_state(Reviewed, Return), Some(Returned));
        assert_eq!(next_state(Returned, Resubmit), Some(Recorded));
        assert_eq!(next_state(Returned, Review), None);
        assert_eq!(next_state(Rejected, Resubmit), None);
    }

    #[test]
    fn four_eyes_separates_recorder_reviewer_and_approver() {
        use CaseAction::*;
        assert!(four_eyes(Review, "ann", "ann", None).is_err());
        assert!(four_eyes(Review, "bob", "ann", None).is_ok());
        assert!(four_eyes(Approve, "bob", "ann", Some("bob")).is_err());
        assert!(four_eyes(Approve, "ann", "ann", Some("bob")).is_err());
        assert!(four_eyes(Approve, "cy", "ann", Some("bob")).is_ok());
        assert!(four_eyes(Reject, "ann", "ann", None).is_ok());
    }

    #[test]
    fn major_cases_exceed_fifty_thousand_yuan_or_go_to_the_judiciary() {
        let policy = Policy::default();
        assert!(!is_major(5_000_000, false, &policy));
        assert!(is_major(5_000_001, false, &policy));
        assert!(is_major(0, true, &policy));
    }

    #[test]
    fn reports_are_due_two_working_days_after_approval() {
        let policy = Policy::default();
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            report_due(friday, &policy),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }
}
