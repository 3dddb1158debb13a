//! Laws of the bonus cap and of repair by activities, over generated ledgers: an award never lifts the counted
//! bonus over the cap nor a score over the base, and a repair never takes points below 0, so a later
//! deduction counts in full.

use proptest::prelude::*;
use proptest::sample::select;

use super::*;

const CYCLE: i32 = 2026;

fn ledger() -> impl Strategy<Value = Vec<LedgerEntry>> {
    let entry = (select(EntryKind::ALL), 0u32..=30, CYCLE - 1..=CYCLE + 1).prop_map(
        |(kind, points, cycle)| LedgerEntry {
            kind,
            points,
            cycle,
        },
    );
    proptest::collection::vec(entry, 0..20)
}

fn with(entries: &[LedgerEntry], kind: EntryKind, points: u32) -> Vec<LedgerEntry> {
    let mut more = entries.to_vec();
    more.push(LedgerEntry {
        kind,
        points,
        cycle: CYCLE,
    });
    more
}

proptest! {
    #[test]
    fn an_award_stays_inside_the_cap_and_the_score_inside_the_base(
        entries in ledger(), wanted in 0u32..=20, cap in 0u32..=30,
    ) {
        let mut policy = Policy::default();
        policy.organisation.bonus_cap = cap;
        let room = bonus_room(&entries, CYCLE, wanted, &policy);
        prop_assert!(room <= wanted);
        let after = with(&entries, EntryKind::Bonus, room);
        prop_assert!(counted_bonus(&after, CYCLE, &policy) <= cap);
        prop_assert_eq!(
            counted_bonus(&after, CYCLE, &policy),
            counted_bonus(&entries, CYCLE, &policy) + room
        );
        prop_assert!(organisation_score(&after, CYCLE, &policy) <= policy.organisation.base_score);
    }

    #[test]
    fn a_repair_never_takes_points_below_zero_nor_past_the_allowance(
        deducted in proptest::collection::vec(0u32..=12, 0..5),
        given_back in proptest::collection::vec(0u32..=12, 0..3),
        wanted in 1u32..=3, repaired in 0u32..=6, later in 0u32..=12,
    ) {
        let policy = Policy::default();
        let mut entries: Vec<LedgerEntry> = Vec::new();
        for points in deducted {
            entries = with(&entries, EntryKind::Deduction, points);
        }
        for points in given_back {
            let room = repair_room(&entries, CYCLE, points, 0, &Policy::default());
            entries = with(&entries, EntryKind::Repair, room);
        }
        let before = practitioner_points(&entries, CYCLE);
        let room = repair_room(&entries, CYCLE, wanted, repaired, &policy);
        let allowance = policy.practitioner.repair_activity_max_per_cycle;
        prop_assert!(room <= wanted && room <= before);
        prop_assert!(room + repaired.min(allowance) <= allowance);
        let after = with(&entries, EntryKind::Repair, room);
        prop_assert_eq!(practitioner_points(&after, CYCLE), before - room);
        // Nothing was given back beyond the points held, so a later case counts in full.
        let later_case = with(&after, EntryKind::Deduction, later);
        prop_assert_eq!(practitioner_points(&later_case, CYCLE), before - room + later);
    }
}

#[test]
fn the_cap_and_the_floor_by_example() {
    let policy = Policy::default();
    let bonus = |points| LedgerEntry {
        kind: EntryKind::Bonus,
        points,
        cycle: CYCLE,
    };
    assert_eq!(bonus_room(&[bonus(8)], CYCLE, 5, &policy), 2);
    assert_eq!(bonus_room(&[bonus(10)], CYCLE, 1, &policy), 0);
    // Last year's bonuses do not count against this year's cap.
    let last_year = LedgerEntry {
        cycle: CYCLE - 1,
        ..bonus(10)
    };
    assert_eq!(bonus_room(&[last_year], CYCLE, 5, &policy), 5);
    let six = LedgerEntry {
        kind: EntryKind::Deduction,
        points: 6,
        cycle: CYCLE,
    };
    assert_eq!(repair_room(&[six], CYCLE, 1, 0, &policy), 1);
    assert_eq!(repair_room(&[six], CYCLE, 1, 4, &policy), 0);
    assert_eq!(repair_room(&[], CYCLE, 1, 0, &policy), 0);
}
