//! Tip-offs (举报, issue 21): the states of a tip and of its reward, and the reward schedule. Pure: amounts and
//! the policy in, a reward out.
//!
//! - A tip is `received`, then `accepted` (立案) or `not_accepted`; an accepted tip is `closed` once every case
//!   linked to it is decided (approved, voided or rejected).
//! - Its reward is proposed when a linked case is approved, from the amounts those cases confirmed, then
//!   `approved` by an approver who did not handle the tip, then `paid` or `declined` by the reporter.
//! - Only the first reporter of the same facts is rewarded: a case counts for the earliest tip linked to it, and
//!   only if it was recorded after that tip arrived (facts the authority already had earn nothing).

use crate::domain::enums::string_enum;
use crate::domain::policy::TipPolicy;

string_enum! {
    /// Where a tip stands.
    pub enum TipState as "tip state" {
        Received = "received",
        Accepted = "accepted",
        NotAccepted = "not_accepted",
        Closed = "closed",
    }
}

string_enum! {
    /// The decision on a received tip: taken up (立案) or not.
    pub enum TipOutcome as "tip outcome" {
        Accepted = "accepted",
        NotAccepted = "not_accepted",
    }
}

string_enum! {
    /// Where a tip's reward stands.
    pub enum RewardState as "reward state" {
        Proposed = "proposed",
        Approved = "approved",
        Paid = "paid",
        Declined = "declined",
    }
}

string_enum! {
    /// An approver's decision on a proposed reward: as proposed, or another amount with the reason.
    pub enum RewardOutcome as "reward outcome" {
        Approved = "approved",
        Changed = "changed",
    }
}

impl TipOutcome {
    pub fn state(self) -> TipState {
        match self {
            TipOutcome::Accepted => TipState::Accepted,
            TipOutcome::NotAccepted => TipState::NotAccepted,
        }
    }
}

/// The reward the schedule gives for `confirmed_fen` confirmed by the cases a tip led to: the marginal bands,
/// plus the insider share for an insider, then no less than the floor and no more than the cap. Nothing is
/// confirmed, or the reporter was not the first: no reward. Rounded down to the fen.
pub fn reward_fen(policy: &TipPolicy, confirmed_fen: i64, insider: bool, first: bool) -> i64 {
    if !first || confirmed_fen <= 0 {
        return 0;
    }
    let amount = i128::from(confirmed_fen);
    let mut banded: i128 = 0;
    let mut lower: i128 = 0;
    for band in &policy.reward_bands {
        let upper = band.up_to_fen.map_or(i128::MAX, i128::from);
        if amount > lower {
            let part = amount.min(upper) - lower;
            // Basis points of fen, kept exact until the end (no float, no rounding per band).
            banded += part * i128::from(band.rate_bp);
        }
        lower = upper;
        if amount <= upper {
            break;
        }
    }
    if insider {
        banded += banded * i128::from(policy.insider_share_percent) / 100;
    }
    let reward = banded / 10_000;
    let capped = reward.clamp(
        i128::from(policy.reward_floor_fen),
        i128::from(policy.reward_cap_fen),
    );
    i64::try_from(capped).unwrap_or(policy.reward_cap_fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const YUAN: i64 = 100;

    fn sichuan() -> TipPolicy {
        TipPolicy::default()
    }

    /// The worked examples of the issue, by hand from Sichuan's bands (2% / 1.5% / 1% / 0.5%):
    /// - ¥50,000: 50,000 × 2% = ¥1,000.
    /// - ¥1,000,000: 100,000 × 2% + 900,000 × 1.5% = 2,000 + 13,500 = ¥15,500.
    /// - ¥50,000,000: 2,000 + 13,500 + 9,000,000 × 1% + 40,000,000 × 0.5% = 2,000 + 13,500 + 90,000
    ///   + 200,000 = ¥305,500, above the national cap: ¥200,000.
    #[test]
    fn the_worked_examples() {
        let p = sichuan();
        assert_eq!(reward_fen(&p, 50_000 * YUAN, false, true), 1_000 * YUAN);
        assert_eq!(reward_fen(&p, 1_000_000 * YUAN, false, true), 15_500 * YUAN);
        assert_eq!(
            reward_fen(&p, 50_000_000 * YUAN, false, true),
            200_000 * YUAN
        );
    }

    #[test]
    fn small_amounts_get_the_floor_and_nothing_confirmed_gets_nothing() {
        let p = sichuan();
        // ¥5,000 × 2% = ¥100, below the national floor of ¥200.
        assert_eq!(reward_fen(&p, 5_000 * YUAN, false, true), 200 * YUAN);
        assert_eq!(reward_fen(&p, 0, false, true), 0);
        assert_eq!(reward_fen(&p, 1_000_000 * YUAN, false, false), 0);
    }

    #[test]
    fn an_insider_share_adds_to_the_banded_reward_under_the_cap() {
        let p = TipPolicy {
            insider_share_percent: 20,
            ..sichuan()
        };
        // ¥15,500 + 20% = ¥18,600.
        assert_eq!(reward_fen(&p, 1_000_000 * YUAN, true, true), 18_600 * YUAN);
        assert_eq!(reward_fen(&p, 1_000_000 * YUAN, false, true), 15_500 * YUAN);
        assert_eq!(
            reward_fen(&p, 50_000_000 * YUAN, true, true),
            200_000 * YUAN
        );
    }

    proptest! {
        #[test]
        fn monotone_in_the_amount(a in 0i64..=2_000_000_000_000, b in 0i64..=2_000_000_000_000, insider: bool) {
            let p = TipPolicy { insider_share_percent: 20, ..sichuan() };
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(reward_fen(&p, low, insider, true) <= reward_fen(&p, high, insider, true));
        }

        #[test]
        fn never_below_the_floor_nor_above_the_cap(amount in 1i64..=i64::MAX, insider: bool) {
            let p = TipPolicy { insider_share_percent: 20, ..sichuan() };
            let reward = reward_fen(&p, amount, insider, true);
            prop_assert!(reward >= p.reward_floor_fen);
            prop_assert!(reward <= p.reward_cap_fen);
        }

        #[test]
        fn only_the_first_reporter(amount in any::<i64>(), insider: bool) {
            prop_assert_eq!(reward_fen(&sichuan(), amount, insider, false), 0);
        }

        #[test]
        fn below_the_cap_the_bands_are_marginal(amount in 1i64..=10_000_000) {
            // Inside the first band (≤ ¥100,000) the reward is 2% of the amount, floored at ¥200.
            let expected = (amount * 200 / 10_000).max(20_000);
            prop_assert_eq!(reward_fen(&sichuan(), amount, false, true), expected);
        }
    }
}
