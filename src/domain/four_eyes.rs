//! Four eyes, written once (DESIGN §1, §14): every two-step decision and the parties to its first step who may not
//! take it. Use cases name the decision and the parties of the record at hand; this table alone says who is
//! excluded, so a decision added later is one row here, not a check remembered in its use case.

use crate::i18n::msg;

/// A decision that someone other than those who set it in motion must take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// 稽核股覆核 of a recorded case.
    CaseReview,
    /// 分管领导审核: the case takes effect.
    CaseApproval,
    /// An appeal against an approved case (DESIGN §7: a reviewer other than the original actors).
    Appeal,
    /// A credit-repair application.
    Repair,
    /// Confirming or declining a red-list proposal.
    RedListProposal,
    /// Taking an entry off the black list before it ends.
    BlackListRemoval,
    /// Approving or changing the reward proposed for a tip (举报奖励).
    TipReward,
    /// Approving or rejecting a commendation (守信激励), which writes a bonus.
    Commendation,
    /// Approving or rejecting a practitioner's repair activity, which gives points back.
    RepairActivity,
    /// 复审 of a suspect's triage or verification (seed 002: at least 5% second-reviewed).
    SuspicionReview,
}

/// Someone who took part in what a decision decides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// Recorded the case.
    Recorder,
    /// Reviewed the case.
    Reviewer,
    /// Approved the case.
    Approver,
    /// Filed the appeal.
    Appellant,
    /// Applied for the repair.
    Applicant,
    /// Asked for the red-list proposals.
    Proposer,
    /// Put the entry on the list by hand (an entry the engine made has no lister).
    Lister,
    /// Handled the tip: decided whether to take it up and linked its cases.
    TipHandler,
    /// Proposed the commendation.
    Commender,
    /// Recorded the repair activity.
    ActivityRecorder,
    /// Triaged the suspect (初审).
    Triager,
    /// Verified the suspect (核实): cleared or converted it.
    Verifier,
}

/// The rule: for every decision, who may not take it.
pub const EXCLUDED: &[(Decision, &[Party])] = &[
    (Decision::CaseReview, &[Party::Recorder]),
    (Decision::CaseApproval, &[Party::Recorder, Party::Reviewer]),
    (
        Decision::Appeal,
        &[
            Party::Recorder,
            Party::Reviewer,
            Party::Approver,
            Party::Appellant,
        ],
    ),
    (Decision::Repair, &[Party::Applicant]),
    (Decision::RedListProposal, &[Party::Proposer]),
    (Decision::BlackListRemoval, &[Party::Lister]),
    (Decision::TipReward, &[Party::TipHandler]),
    (Decision::Commendation, &[Party::Commender]),
    (Decision::RepairActivity, &[Party::ActivityRecorder]),
    (
        Decision::SuspicionReview,
        &[Party::Triager, Party::Verifier],
    ),
];

impl Decision {
    /// Every decision, for the test that walks the table.
    pub const ALL: [Decision; 10] = [
        Decision::CaseReview,
        Decision::CaseApproval,
        Decision::Appeal,
        Decision::Repair,
        Decision::RedListProposal,
        Decision::BlackListRemoval,
        Decision::TipReward,
        Decision::Commendation,
        Decision::RepairActivity,
        Decision::SuspicionReview,
    ];

    /// The parties excluded from this decision.
    pub fn excluded(self) -> &'static [Party] {
        EXCLUDED
            .iter()
            .find(|(decision, _)| *decision == self)
            .map_or(&[], |(_, parties)| *parties)
    }

    fn words(self) -> crate::i18n::Msg {
        match self {
            Decision::CaseReview => msg!("decision-case-review"),
            Decision::CaseApproval => msg!("decision-case-approval"),
            Decision::Appeal => msg!("decision-appeal"),
            Decision::Repair => msg!("decision-repair"),
            Decision::RedListProposal => msg!("decision-red-list-proposal"),
            Decision::BlackListRemoval => msg!("decision-black-list-removal"),
            Decision::TipReward => msg!("decision-tip-reward"),
            Decision::Commendation => msg!("decision-commendation"),
            Decision::RepairActivity => msg!("decision-repair-activity"),
            Decision::SuspicionReview => msg!("decision-suspicion-review"),
        }
    }
}

impl Party {
    fn words(self) -> crate::i18n::Msg {
        match self {
            Party::Recorder => msg!("party-recorder"),
            Party::Reviewer => msg!("party-reviewer"),
            Party::Approver => msg!("party-approver"),
            Party::Appellant => msg!("party-appellant"),
            Party::Applicant => msg!("party-applicant"),
            Party::Proposer => msg!("party-proposer"),
            Party::Lister => msg!("party-lister"),
            Party::TipHandler => msg!("party-tip-handler"),
            Party::Commender => msg!("party-commender"),
            Party::ActivityRecorder => msg!("party-activity-recorder"),
            Party::Triager => msg!("party-triager"),
            Party::Verifier => msg!("party-verifier"),
        }
    }
}

/// May `decider` (a token subject) take `decision`, given who the parties of the record are? The refusal names
/// the first excluded party the decider is.
pub fn check(
    decision: Decision,
    decider: &str,
    parties: &[(Party, Option<&str>)],
) -> Result<(), crate::i18n::Msg> {
    let excluded = decision.excluded();
    match parties
        .iter()
        .find(|(party, who)| excluded.contains(party) && *who == Some(decider))
    {
        Some((party, _)) => Err(msg!(
            "four-eyes-the-person-may-not",
            party = party.words(),
            decision = decision.words()
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTIES: [Party; 12] = [
        Party::Recorder,
        Party::Reviewer,
        Party::Approver,
        Party::Appellant,
        Party::Applicant,
        Party::Proposer,
        Party::Lister,
        Party::TipHandler,
        Party::Commender,
        Party::ActivityRecorder,
        Party::Triager,
        Party::Verifier,
    ];

    #[test]
    fn every_row_refuses_its_parties_and_only_them() {
        for decision in Decision::ALL {
            let excluded = decision.excluded();
            assert!(!excluded.is_empty(), "{decision:?} has a row");
            for party in PARTIES {
                let result = check(
                    decision,
                    "ann",
                    &[(party, Some("ann")), (Party::Recorder, None)],
                );
                assert_eq!(
                    result.is_err(),
                    excluded.contains(&party),
                    "{decision:?} {party:?}"
                );
                // Someone else, or a party nobody holds, never blocks.
                assert!(check(decision, "bob", &[(party, Some("ann"))]).is_ok());
                assert!(check(decision, "ann", &[(party, None)]).is_ok());
            }
        }
        assert_eq!(EXCLUDED.len(), Decision::ALL.len(), "one row per decision");
    }

    #[test]
    fn the_refusal_says_who_and_what() {
        let refused = check(
            Decision::RedListProposal,
            "admin-1",
            &[(Party::Proposer, Some("admin-1"))],
        );
        assert_eq!(
            refused.unwrap_err().render(crate::i18n::Locale::En),
            "four eyes: the person who asked for the proposals may not decide the red-list proposal"
        );
    }
}
