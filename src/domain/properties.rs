//! Property tests of the pure rules: the hand-picked examples next to each module pin the documented
//! numbers, these check the laws the service leans on (clamping, exact undo, order independence, check
//! digits, calendar) over many generated inputs. Only the public functions are exercised; the test side
//! builds inputs and oracles from DESIGN §2 and §5, never a copy of the code under test.

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc, Weekday};
use proptest::prelude::*;
use proptest::sample::select;

use super::dates::{
    add_working_days, cycle_bounds_utc, cycle_of_instant, is_working_day, legal_date,
    start_of_legal_day_utc,
};
use super::identifiers::{validate_id_number, validate_uscc};
use super::policy::{Policy, SuspensionStep};
use super::scoring::{
    EntryKind, Grade, LedgerEntry, ThresholdOutcome, grade, organisation_score,
    practitioner_points, practitioner_threshold,
};

const CYCLE: i32 = 2026;

fn entry(kind: EntryKind, points: u32, cycle: i32) -> LedgerEntry {
    LedgerEntry {
        kind,
        points,
        cycle,
    }
}

/// Mostly realistic magnitudes, sometimes huge ones, so saturation paths are exercised too.
fn points() -> impl Strategy<Value = u32> {
    prop_oneof![9 => 0u32..=60, 1 => any::<u32>()]
}

/// Entries of the cycle under test and its neighbours.
fn any_entry() -> BoxedStrategy<LedgerEntry> {
    (select(EntryKind::ALL), points(), CYCLE - 1..=CYCLE + 1)
        .prop_map(|(kind, points, cycle)| entry(kind, points, cycle))
        .boxed()
}

fn ledger() -> impl Strategy<Value = Vec<LedgerEntry>> {
    proptest::collection::vec(any_entry(), 0..24)
}

/// A valid organisation policy with its own base, grade lines and bonus cap.
fn organisation_policy() -> impl Strategy<Value = Policy> {
    (40u32..=200)
        .prop_flat_map(|base| {
            let lines = proptest::collection::btree_set(1..=base, 3);
            (Just(base), lines, 0..=base.min(30))
        })
        .prop_map(|(base, lines, bonus_cap)| {
            let mut policy = Policy::default();
            let lines: Vec<u32> = lines.into_iter().collect();
            let o = &mut policy.organisation;
            (o.base_score, o.bonus_cap) = (base, bonus_cap);
            (o.grade_c_min, o.grade_b_min, o.grade_a_min) = (lines[0], lines[1], lines[2]);
            policy
        })
}

/// A valid practitioner policy: any termination line up to 12, a ladder below it with no fewer months
/// on higher rungs, and a single-event ban at least as long as the accumulated one.
fn practitioner_policy() -> impl Strategy<Value = Policy> {
    (2u32..=12, 1u32..=6, 1u32..=3, 0u32..=2)
        .prop_flat_map(|(termination, max_months, ban, extra)| {
            let rungs = proptest::collection::btree_set(1..termination, 0..4);
            let months = proptest::collection::vec(1..=max_months, 4);
            (
                Just((termination, max_months, ban, ban + extra)),
                rungs,
                months,
            )
        })
        .prop_map(
            |((termination, max_months, accumulated, single), rungs, mut months)| {
                months.sort_unstable();
                let mut policy = Policy::default();
                let p = &mut policy.practitioner;
                p.termination_points = termination;
                p.max_suspension_months = max_months;
                (p.ban_years_accumulated, p.ban_years_single_event) = (accumulated, single);
                p.suspension_thresholds = rungs
                    .into_iter()
                    .zip(months)
                    .map(|(points, months)| SuspensionStep { points, months })
                    .collect();
                policy
            },
        )
}

/// Deductions each followed by at most one give-back (or bonus) no larger than itself: a ledger that
/// neither floors at zero nor hits the base, so its parts must add up exactly.
fn unclamped_part() -> impl Strategy<Value = Vec<LedgerEntry>> {
    let back = prop_oneof![
        Just(None),
        select(&[EntryKind::Reversal, EntryKind::Repair, EntryKind::Bonus][..]).prop_map(Some),
    ];
    proptest::collection::vec((1u32..=10, back, 0u32..=100), 0..5).prop_map(|pairs| {
        let mut out = Vec::new();
        for (deducted, back, share) in pairs {
            out.push(entry(EntryKind::Deduction, deducted, CYCLE));
            if let Some(kind) = back {
                out.push(entry(kind, deducted * share / 100, CYCLE));
            }
        }
        out
    })
}

/// Severity rank of a grade: A best (0) to D worst (3).
fn rank(g: Grade) -> usize {
    Grade::ALL
        .iter()
        .position(|x| *x == g)
        .expect("every grade is listed")
}

/// The outcome the service ends with: after each approval it folds the ledger, asks for the threshold,
/// and keeps the strongest sanction (suspensions are only ever extended, a termination is never undone).
fn strongest_outcome(approvals: &[u32], policy: &Policy) -> ThresholdOutcome {
    let mut ledger = Vec::new();
    let mut strongest = ThresholdOutcome::None;
    for &points in approvals {
        ledger.push(entry(EntryKind::Deduction, points, CYCLE));
        let after = practitioner_points(&ledger, CYCLE);
        strongest = strongest.max(practitioner_threshold(after, points, policy));
    }
    strongest
}

/// Check character of an unified social credit code, from the weights published in DESIGN §2.
fn uscc_check(first17: &[u8]) -> u8 {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let value = |c: &u8| CHARSET.iter().position(|x| x == c).expect("in charset") as u32;
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(c, w)| value(c) * w).sum();
    CHARSET[((31 - sum % 31) % 31) as usize]
}

/// Check character of a resident ID number, from the weights published in DESIGN §2.
fn id_check(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

/// Every string that differs from `s` in exactly one position, the new character drawn from `alphabet`.
fn single_changes(s: &str, alphabet: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..s.len() {
        for &c in alphabet.iter().filter(|&&c| c != s.as_bytes()[i]) {
            let mut bytes = s.as_bytes().to_vec();
            bytes[i] = c;
            out.push(String::from_utf8(bytes).expect("ASCII"));
        }
    }
    out
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date")
}

fn date_between(from: NaiveDate, to: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    let span = (to - from).num_days() as u64;
    (0..=span).prop_map(move |days| from + Days::new(days))
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

proptest! {
    #[test]
    fn standing_stays_within_its_scale(entries in ledger(), policy in organisation_policy()) {
        prop_assert!(policy.validate().is_ok(), "{:?}", policy.validate());
        let base = policy.organisation.base_score;
        let score = organisation_score(&entries, CYCLE, &policy);
        prop_assert!(score <= base);
        // No give-back can take a practitioner below zero: points never exceed what was deducted.
        let deducted: Vec<_> =
            entries.iter().copied().filter(|e| e.kind == EntryKind::Deduction).collect();
        prop_assert!(practitioner_points(&entries, CYCLE) <= practitioner_points(&deducted, CYCLE));
    }

    #[test]
    fn every_entry_moves_standing_its_own_way(
        entries in ledger(), extra in any_entry(), policy in organisation_policy(),
    ) {
        let (points, score) =
            (practitioner_points(&entries, CYCLE), organisation_score(&entries, CYCLE, &policy));
        let mut after = entries.clone();
        after.push(extra);
        let (points2, score2) =
            (practitioner_points(&after, CYCLE), organisation_score(&after, CYCLE, &policy));
        match extra.kind {
            _ if extra.cycle != CYCLE => prop_assert_eq!((points2, score2), (points, score)),
            EntryKind::Deduction => prop_assert!(points2 >= points && score2 <= score),
            EntryKind::Reversal | EntryKind::Repair => {
                prop_assert!(points2 <= points && score2 >= score)
            }
            // Bonuses are for organisations only.
            EntryKind::Bonus => prop_assert!(points2 == points && score2 >= score),
        }
    }

    #[test]
    fn grade_worsens_as_score_falls_and_the_black_list_forces_d(
        policy in organisation_policy(), a in 0u32..=220, b in 0u32..=220,
    ) {
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(rank(grade(low, false, &policy)) >= rank(grade(high, false, &policy)));
        prop_assert_eq!(grade(a, true, &policy), Grade::D);
    }

    #[test]
    fn a_cycle_ignores_other_cycles_and_the_order_of_its_entries(
        entries in ledger(), cycle in CYCLE - 1..=CYCLE + 1,
    ) {
        let policy = Policy::default();
        let own: Vec<_> = entries.iter().copied().filter(|e| e.cycle == cycle).collect();
        prop_assert_eq!(practitioner_points(&entries, cycle), practitioner_points(&own, cycle));
        prop_assert_eq!(
            organisation_score(&entries, cycle, &policy),
            organisation_score(&own, cycle, &policy)
        );
        let mut reversed = entries.clone();
        reversed.reverse();
        prop_assert_eq!(practitioner_points(&reversed, cycle), practitioner_points(&entries, cycle));
        prop_assert_eq!(
            organisation_score(&reversed, cycle, &policy),
            organisation_score(&entries, cycle, &policy)
        );
    }

    #[test]
    fn unclamped_ledgers_add_up_part_by_part(a in unclamped_part(), b in unclamped_part()) {
        // A cap as large as the base keeps the bonus cap from clamping either.
        let mut policy = Policy::default();
        policy.organisation.bonus_cap = policy.organisation.base_score;
        let base = policy.organisation.base_score;
        let both: Vec<_> = a.iter().chain(&b).copied().collect();
        prop_assert_eq!(
            practitioner_points(&both, CYCLE),
            practitioner_points(&a, CYCLE) + practitioner_points(&b, CYCLE)
        );
        let lost = |part: &[LedgerEntry]| base - organisation_score(part, CYCLE, &policy);
        prop_assert_eq!(lost(&both), lost(&a) + lost(&b));
    }

    #[test]
    fn a_reversal_restores_the_exact_prior_standing(
        before in ledger(), later in ledger(), points in points(), policy in organisation_policy(),
    ) {
        // Deduct, let anything else happen, then reverse: as if the deduction had never been made,
        // even when the ledger was clamped at zero or at the base in between.
        let mut with = before.clone();
        with.push(entry(EntryKind::Deduction, points, CYCLE));
        with.extend(&later);
        with.push(entry(EntryKind::Reversal, points, CYCLE));
        let without: Vec<_> = before.iter().chain(&later).copied().collect();
        prop_assert_eq!(practitioner_points(&with, CYCLE), practitioner_points(&without, CYCLE));
        prop_assert_eq!(
            organisation_score(&with, CYCLE, &policy),
            organisation_score(&without, CYCLE, &policy)
        );
    }

    #[test]
    fn threshold_outcome_does_not_depend_on_approval_order(
        (approvals, shuffled) in proptest::collection::vec(1u32..=12, 1..8)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        policy in practitioner_policy(),
    ) {
        prop_assert!(policy.validate().is_ok(), "{:?}", policy.validate());
        let outcome = strongest_outcome(&approvals, &policy);
        prop_assert_eq!(outcome, strongest_outcome(&shuffled, &policy));
        // Hence one sanction per cycle, extended in place, is enough: the end state is what the total
        // and the gravest single event call for.
        let total: u32 = approvals.iter().sum();
        let gravest = approvals.iter().copied().max().unwrap_or(0);
        prop_assert_eq!(outcome, practitioner_threshold(total, gravest, &policy));
    }

    #[test]
    fn generated_usccs_pass_and_every_single_change_fails(
        first17 in proptest::collection::vec(select(&b"0123456789ABCDEFGHJKLMNPQRTUWXY"[..]), 17),
    ) {
        let mut code = first17.clone();
        code.push(uscc_check(&first17));
        let code = String::from_utf8(code).expect("ASCII");
        prop_assert_eq!(validate_uscc(&code), Ok(()));
        // The full printable alphabet: a changed letter outside the charset must fail as well.
        let alphabet: Vec<u8> = (b'0'..=b'Z').chain(b'a'..=b'z').collect();
        for bad in single_changes(&code, &alphabet) {
            prop_assert!(validate_uscc(&bad).is_err(), "{} passed", bad);
        }
    }

    #[test]
    fn generated_id_numbers_pass_and_every_single_change_fails(
        region in 110_000u32..=820_000,
        birth in date_between(ymd(1900, 1, 1), today()),
        sequence in 0u32..=999,
    ) {
        let first17 = format!("{region:06}{}{sequence:03}", birth.format("%Y%m%d"));
        let id = format!("{first17}{}", id_check(&first17));
        prop_assert_eq!(validate_id_number(&id, today()), Ok(birth));
        for bad in single_changes(&id, b"0123456789Xx") {
            prop_assert!(validate_id_number(&bad, today()).is_err(), "{} passed", bad);
        }
    }

    #[test]
    fn working_days_land_on_weekdays_in_order(
        from in date_between(ymd(1900, 1, 1), ymd(2200, 12, 31)),
        later_by in 0u64..=30,
        n in 1u32..=400,
        more in 0u32..=30,
    ) {
        let due = add_working_days(from, n);
        prop_assert!(!matches!(due.weekday(), Weekday::Sat | Weekday::Sun), "{} is a weekend", due);
        prop_assert!(due > from);
        // Exactly n working days lie in (from, due].
        let counted = from.iter_days().skip(1).take_while(|d| *d <= due).filter(|d| is_working_day(*d));
        prop_assert_eq!(counted.count(), n as usize);
        prop_assert!(add_working_days(from, n + more) >= due);
        prop_assert!(add_working_days(from + Days::new(later_by), n) >= due);
    }

    #[test]
    fn working_days_never_panic_or_go_back(
        days in NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce(),
        n in any::<u32>(),
    ) {
        let from = NaiveDate::from_num_days_from_ce_opt(days).expect("inside chrono's range");
        prop_assert!(add_working_days(from, n) >= from);
    }

    #[test]
    fn the_cycle_is_the_year_of_the_legal_date_in_utc_plus_8(
        secs in -2_208_988_800i64..=7_258_118_400, // 1900 to 2200
    ) {
        let at: DateTime<Utc> = DateTime::from_timestamp(secs, 0).expect("in range");
        let day = legal_date(at);
        prop_assert_eq!(day, (at + Duration::hours(8)).date_naive());
        prop_assert_eq!(cycle_of_instant(at), day.year());
        let start = start_of_legal_day_utc(day);
        prop_assert!(start <= at && at < start + Duration::days(1));
        let (first, end) = cycle_bounds_utc(cycle_of_instant(at));
        prop_assert!(first <= at && at < end);
    }
}
