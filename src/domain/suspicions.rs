//! Smart-monitoring suspects (疑点, issue 22): the states of a suspect, which decision moves which state, and the
//! reproducible draw for second review (复审). Pure: a suspect's id, the policy and today in, decisions out.
//!
//! - `pending` → triage (初审): `dismissed` with a reason, or `to_explain`.
//! - `to_explain`: the institution answers (申诉/说明) by `explain_due`, moving it to `to_verify`. Past that day
//!   it reads as `to_verify` "without an answer" (computed on read from the calendar, so no scheduler has to
//!   run for the deadline to hold).
//! - `to_verify` → verification (核实): `cleared` with a reason, or `converted` into a recorded case.
//! - Second review: each triage decision is drawn with the policy's rate; every conversion and every clearance
//!   above the policy amount always. A suspect awaiting it is not closed and cannot be verified.

use super::enums::string_enum;
use super::policy::SuspicionPolicy;
use chrono::NaiveDate;

string_enum! {
    /// Where a suspect stands.
    pub enum SuspicionState as "suspicion state" {
        /// Flagged, waiting for triage (初审).
        Pending = "pending",
        /// Triage found nothing to pursue.
        Dismissed = "dismissed",
        /// Waiting for the institution's explanation (申诉/说明).
        ToExplain = "to_explain",
        /// Waiting for verification (核实): answered, or its deadline passed without an answer.
        ToVerify = "to_verify",
        /// Verification found no violation.
        Cleared = "cleared",
        /// Verification recorded a violation case.
        Converted = "converted",
    }
}

string_enum! {
    /// A triage decision (初审).
    pub enum TriageOutcome as "triage outcome" {
        Dismissed = "dismissed",
        ToExplain = "to_explain",
    }
}

string_enum! {
    /// A verification decision (核实).
    pub enum VerifyOutcome as "verification outcome" {
        Cleared = "cleared",
        Converted = "converted",
    }
}

string_enum! {
    /// Where a suspect's second review (复审) stands.
    pub enum ReviewState as "second review state" {
        Awaiting = "awaiting",
        Confirmed = "confirmed",
        Overturned = "overturned",
    }
}

string_enum! {
    /// The decision a second review looks at.
    pub enum ReviewedStep as "reviewed step" {
        Triage = "triage",
        Verification = "verification",
    }
}

string_enum! {
    /// A second reviewer's finding.
    pub enum ReviewOutcome as "second review outcome" {
        Confirmed = "confirmed",
        Overturned = "overturned",
    }
}

impl TriageOutcome {
    pub fn state(self) -> SuspicionState {
        match self {
            TriageOutcome::Dismissed => SuspicionState::Dismissed,
            TriageOutcome::ToExplain => SuspicionState::ToExplain,
        }
    }
}

impl VerifyOutcome {
    pub fn state(self) -> SuspicionState {
        match self {
            VerifyOutcome::Cleared => SuspicionState::Cleared,
            VerifyOutcome::Converted => SuspicionState::Converted,
        }
    }
}

impl SuspicionState {
    /// A state no ordinary step leaves (only a second review can overturn it).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Dismissed | Self::Cleared | Self::Converted)
    }
}

/// The state a stored suspect reads as on `today`: an unanswered `to_explain` past its deadline has moved on.
/// The second value says it moved on without an answer.
pub fn effective_state(
    stored: SuspicionState,
    explain_due: Option<NaiveDate>,
    today: NaiveDate,
) -> (SuspicionState, bool) {
    match (stored, explain_due) {
        (SuspicionState::ToExplain, Some(due)) if today > due => (SuspicionState::ToVerify, true),
        _ => (stored, false),
    }
}

/// The state an overturned decision leads to: a dismissal is sent for explanation, a request for explanation
/// (answered or not) is dismissed, a clearance or conversion goes back to verification.
pub fn overturned(step: ReviewedStep, decided: SuspicionState) -> Option<SuspicionState> {
    match (step, decided) {
        (ReviewedStep::Triage, SuspicionState::Dismissed) => Some(SuspicionState::ToExplain),
        // Sent for explanation, perhaps already answered, not yet verified: dismissed after all.
        (ReviewedStep::Triage, SuspicionState::ToExplain | SuspicionState::ToVerify) => {
            Some(SuspicionState::Dismissed)
        }
        (ReviewedStep::Verification, SuspicionState::Cleared | SuspicionState::Converted) => {
            Some(SuspicionState::ToVerify)
        }
        _ => None,
    }
}

/// 1/φ: consecutive multiples of it, taken modulo 1, spread over [0, 1) more evenly than any other step (the
/// three-distance theorem), so the share of ids drawn follows the rate closely even over a few thousand ids.
const GOLDEN: f64 = 0.618_033_988_749_894_9;
/// Added to the rate so that the low-discrepancy error (under 1/1000 over 2,000 ids or more) never takes the
/// share below it: the floor of seed 002 is a floor, not an average.
const MARGIN: f64 = 0.001;

/// Whether the triage of suspect `id` is drawn for second review: a systematic sample (等距抽样) along the ids,
/// started at a point fixed by the policy's seed. The same id, seed and rate always draw the same way.
pub fn drawn(id: i64, policy: &SuspicionPolicy) -> bool {
    let start = (splitmix(policy.seed) >> 11) as f64 / (1u64 << 53) as f64;
    let point = (start + id as f64 * GOLDEN).fract();
    point < policy.second_review_rate + MARGIN
}

/// Whether a decision sends the suspect to second review: the draw for each triage decision; at verification,
/// always for a conversion and for a clearance above the policy amount (issue 22 §3), never for a smaller one.
pub fn needs_review(
    id: i64,
    step: ReviewedStep,
    decided: SuspicionState,
    amount_fen: i64,
    policy: &SuspicionPolicy,
) -> bool {
    match (step, decided) {
        (ReviewedStep::Verification, SuspicionState::Converted) => true,
        (ReviewedStep::Verification, SuspicionState::Cleared) => {
            amount_fen > policy.always_review_cleared_above_fen
        }
        (ReviewedStep::Verification, _) => false,
        (ReviewedStep::Triage, _) => drawn(id, policy),
    }
}

/// SplitMix64: turns a seed into well-spread bits, so that nearby seeds start the sample at distant points.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy(rate: f64, seed: u64) -> SuspicionPolicy {
        SuspicionPolicy {
            second_review_rate: rate,
            seed,
            ..SuspicionPolicy::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Over any run of 5,000 or more consecutive ids, whatever the seed, the share drawn is at least the rate.
        #[test]
        fn the_share_drawn_is_never_below_the_rate(
            first in 1i64..10_000_000,
            len in 5_000i64..40_000,
            seed in any::<u64>(),
            rate in 0.05f64..0.9,
        ) {
            let p = policy(rate, seed);
            let count = (first..first + len).filter(|id| drawn(*id, &p)).count();
            prop_assert!(count as f64 / len as f64 >= rate, "{count} of {len} at {rate}");
        }

        /// Conversions, and clearances above the amount, are always reviewed; the draw is the same every time.
        #[test]
        fn conversions_and_large_clearances_are_always_reviewed(
            id in 1i64..i64::from(u32::MAX),
            seed in any::<u64>(),
            amount in 0i64..100_000_000,
        ) {
            let p = policy(0.05, seed);
            let converted = needs_review(id, ReviewedStep::Verification, SuspicionState::Converted, amount, &p);
            prop_assert!(converted);
            let cleared = needs_review(id, ReviewedStep::Verification, SuspicionState::Cleared, amount, &p);
            prop_assert_eq!(cleared, amount > p.always_review_cleared_above_fen);
            prop_assert_eq!(drawn(id, &p), drawn(id, &p));
        }
    }

    #[test]
    fn the_deadline_moves_an_unanswered_suspect_on() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        let on = |d| effective_state(SuspicionState::ToExplain, Some(due), d);
        assert_eq!(on(due), (SuspicionState::ToExplain, false));
        let next = due.succ_opt().unwrap();
        assert_eq!(on(next), (SuspicionState::ToVerify, true));
        let answered = effective_state(SuspicionState::ToVerify, Some(due), next);
        assert_eq!(answered, (SuspicionState::ToVerify, false));
    }

    #[test]
    fn overturning_reverses_the_decision() {
        use SuspicionState::*;
        let t = ReviewedStep::Triage;
        assert_eq!(overturned(t, Dismissed), Some(ToExplain));
        assert_eq!(overturned(t, ToExplain), Some(Dismissed));
        assert_eq!(
            overturned(ReviewedStep::Verification, Converted),
            Some(ToVerify)
        );
        assert_eq!(overturned(t, ToVerify), Some(Dismissed));
        assert_eq!(overturned(t, Converted), None);
        assert_eq!(overturned(ReviewedStep::Verification, ToExplain), None);
    }
}
