//! Unit tests of `domain::scoring`, kept beside it so the rules file stays readable.
use super::*;
use crate::domain::policy::{Severity, SuspensionStep};

fn e(kind: EntryKind, points: u32, cycle: i32) -> LedgerEntry {
    LedgerEntry {
        kind,
        points,
        cycle,
    }
}

fn ded(points: u32) -> LedgerEntry {
    e(EntryKind::Deduction, points, 2026)
}

fn back(kind: EntryKind, points: u32) -> LedgerEntry {
    e(kind, points, 2026)
}

fn score(entries: &[LedgerEntry]) -> u32 {
    organisation_score(entries, 2026, &Policy::default())
}

fn threshold(points_after: u32, single: u32) -> ThresholdOutcome {
    practitioner_threshold(points_after, single, &Policy::default())
}

#[test]
fn enums_round_trip_through_strings_and_json() {
    fn check<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::str::FromStr + Serialize,
        T: std::fmt::Display + for<'de> Deserialize<'de>,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for &v in all {
            let text = v.to_string();
            assert_eq!(text.parse::<T>().unwrap(), v);
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
        }
    }
    check(SubjectKind::ALL);
    check(EntryKind::ALL);
    check(Grade::ALL);
    check(PractitionerStatus::ALL);
    check(Severity::ALL);
    assert_eq!(SubjectKind::Institution.as_str(), "institution");
    assert_eq!(EntryKind::Reversal.as_str(), "reversal");
    assert_eq!(Grade::A.as_str(), "A");
    assert_eq!(PractitionerStatus::Suspended.as_str(), "suspended");
    let err = "grave".parse::<Severity>().unwrap_err().to_string();
    let expected =
        "unknown severity `grave`, expected one of: minor, general, serious, very_serious";
    assert_eq!(err, expected);
    let err = "hospital".parse::<SubjectKind>().unwrap_err().to_string();
    assert!(err.contains("unknown subject kind `hospital`"), "{err}");
    assert!("a".parse::<Grade>().is_err());
    assert!(serde_json::from_str::<EntryKind>("\"Deduction\"").is_err());
}

#[test]
fn openapi_schemas_use_the_wire_names() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(SubjectKind::schema()).unwrap();
    let names = ["institution", "pharmacy", "practitioner", "insured"];
    assert_eq!(schema["enum"], serde_json::json!(names));
    let schema = serde_json::to_value(Grade::schema()).unwrap();
    assert_eq!(schema["enum"], serde_json::json!(["A", "B", "C", "D"]));
}

#[test]
fn subject_scales() {
    assert_eq!(SubjectKind::Practitioner.scale(), Some(Scale::Twelve));
    assert_eq!(SubjectKind::Institution.scale(), Some(Scale::Hundred));
    assert_eq!(SubjectKind::Pharmacy.scale(), Some(Scale::Hundred));
    assert_eq!(SubjectKind::Insured.scale(), None);
}

#[test]
fn ledger_entry_json_shape() {
    let json = serde_json::to_value(ded(3)).unwrap();
    let expected = serde_json::json!({"kind": "deduction", "points": 3, "cycle": 2026});
    assert_eq!(json, expected);
}

#[test]
fn practitioner_points_accumulate_within_the_cycle_only() {
    let entries = [ded(3), ded(4), e(EntryKind::Deduction, 6, 2025)];
    assert_eq!(practitioner_points(&entries, 2026), 7);
    assert_eq!(practitioner_points(&entries, 2025), 6);
    assert_eq!(practitioner_points(&entries, 2027), 0);
    assert_eq!(practitioner_points(&[], 2026), 0);
}

#[test]
fn practitioner_give_backs_and_bonus() {
    let entries = [
        ded(6),
        ded(4),
        back(EntryKind::Repair, 2),
        back(EntryKind::Bonus, 5),
    ];
    assert_eq!(practitioner_points(&entries, 2026), 8);
    // Bonuses are for organisations; they never lower a practitioner's points.
    assert_eq!(practitioner_points(&entries[..3], 2026), 8);
}

#[test]
fn practitioner_reversal_restores_exact_prior_points() {
    let mut entries = vec![ded(5), ded(2)];
    let before = practitioner_points(&entries, 2026);
    entries.push(ded(4));
    assert_eq!(practitioner_points(&entries, 2026), before + 4);
    entries.push(back(EntryKind::Reversal, 4));
    assert_eq!(practitioner_points(&entries, 2026), before);
}

#[test]
fn practitioner_points_never_go_below_zero() {
    let entries = [ded(2), back(EntryKind::Repair, 5)];
    assert_eq!(practitioner_points(&entries, 2026), 0);
    assert_eq!(
        practitioner_points(&[back(EntryKind::Reversal, 1)], 2026),
        0
    );
}

#[test]
fn practitioner_points_saturate() {
    let entries = [ded(u32::MAX), ded(u32::MAX)];
    assert_eq!(practitioner_points(&entries, 2026), u32::MAX);
}

#[test]
fn organisation_score_counts_down_from_base() {
    assert_eq!(score(&[]), 100);
    assert_eq!(score(&[ded(5), ded(6)]), 89);
    assert_eq!(score(&[ded(5), e(EntryKind::Deduction, 30, 2025)]), 95);
    assert_eq!(score(&[ded(30), back(EntryKind::Repair, 10)]), 80);
}

#[test]
fn organisation_reversal_restores_exact_prior_score() {
    let mut entries = vec![ded(12), back(EntryKind::Bonus, 4)];
    let before = score(&entries);
    assert_eq!(before, 92);
    entries.push(ded(21));
    assert_eq!(score(&entries), 71);
    entries.push(back(EntryKind::Reversal, 21));
    assert_eq!(score(&entries), before);
}

#[test]
fn organisation_bonus_is_capped_per_cycle() {
    let bonus = |p| back(EntryKind::Bonus, p);
    assert_eq!(score(&[ded(30), bonus(8)]), 78);
    assert_eq!(score(&[ded(30), bonus(8), bonus(7)]), 80);
    assert_eq!(score(&[ded(30), bonus(25)]), 80);
    // Another cycle's bonus does not count.
    assert_eq!(score(&[ded(30), e(EntryKind::Bonus, 10, 2025)]), 70);
    let mut policy = Policy::default();
    policy.organisation.bonus_cap = 3;
    assert_eq!(organisation_score(&[ded(30), bonus(8)], 2026, &policy), 73);
}

#[test]
fn organisation_score_is_clamped_to_0_and_base() {
    assert_eq!(score(&[ded(60), ded(41)]), 0);
    assert_eq!(score(&[ded(u32::MAX), ded(u32::MAX)]), 0);
    assert_eq!(score(&[back(EntryKind::Bonus, 10)]), 100);
    assert_eq!(score(&[back(EntryKind::Repair, 20)]), 100);
    assert_eq!(score(&[ded(5), back(EntryKind::Bonus, 10)]), 100);
    assert_eq!(score(&[back(EntryKind::Repair, u32::MAX)]), 100);
}

#[test]
fn grade_band_edges() {
    let p = Policy::default();
    let cases = [
        (100, Grade::A),
        (90, Grade::A),
        (89, Grade::B),
        (80, Grade::B),
        (79, Grade::C),
        (65, Grade::C),
        (64, Grade::D),
        (0, Grade::D),
    ];
    for (score, expected) in cases {
        assert_eq!(grade(score, false, &p), expected, "score {score}");
    }
}

#[test]
fn black_list_forces_grade_d() {
    let p = Policy::default();
    assert_eq!(grade(100, true, &p), Grade::D);
    assert_eq!(grade(64, true, &p), Grade::D);
}

#[test]
fn supervision_by_grade() {
    let words = |grade| {
        let s = supervision(grade);
        let measures: Vec<&str> = s.measures.iter().map(|m| m.as_str()).collect();
        (s.level.as_str(), measures)
    };
    assert_eq!(words(Grade::A), ("lighter", vec!["reduced_inspection"]));
    assert_eq!(words(Grade::B).0, "routine");
    assert_eq!(words(Grade::C), ("key_monitoring", vec!["key_monitoring"]));
    assert_eq!(
        words(Grade::D),
        (
            "strict",
            vec!["interview", "key_monitoring", "agreement_review"]
        )
    );
    let json = serde_json::to_value(supervision(Grade::D)).unwrap();
    assert_eq!(json["measures"][0], "interview");
}

#[test]
fn threshold_band_edges() {
    use ThresholdOutcome::*;
    assert_eq!(threshold(0, 0), None);
    assert_eq!(threshold(8, 3), None);
    assert_eq!(threshold(9, 3), Suspend { months: 1 });
    assert_eq!(threshold(10, 1), Suspend { months: 2 });
    assert_eq!(threshold(11, 2), Suspend { months: 3 });
    assert_eq!(threshold(12, 1), Terminate { ban_years: 1 });
    assert_eq!(threshold(15, 6), Terminate { ban_years: 1 });
    assert_eq!(threshold(11, 11), Suspend { months: 3 });
}

#[test]
fn twelve_points_in_one_event_bans_for_three_years() {
    let outcome = threshold(12, 12);
    assert_eq!(outcome, ThresholdOutcome::Terminate { ban_years: 3 });
    assert_eq!(threshold(20, 12), outcome);
    assert_eq!(outcome.status(), PractitionerStatus::Terminated);
}

#[test]
fn threshold_uses_the_highest_rung_and_caps_months() {
    let mut policy = Policy::default();
    let step = |points, months| SuspensionStep { points, months };
    // Unsorted and over the cap, as a stale stored policy might be.
    policy.practitioner.suspension_thresholds = vec![step(10, 9), step(6, 1), step(8, 4)];
    policy.practitioner.max_suspension_months = 6;
    let at = |points| practitioner_threshold(points, 1, &policy);
    assert_eq!(at(5), ThresholdOutcome::None);
    assert_eq!(at(7), ThresholdOutcome::Suspend { months: 1 });
    assert_eq!(at(9), ThresholdOutcome::Suspend { months: 4 });
    assert_eq!(at(11), ThresholdOutcome::Suspend { months: 6 });
    policy.practitioner.suspension_thresholds.clear();
    assert_eq!(
        practitioner_threshold(11, 1, &policy),
        ThresholdOutcome::None
    );
}

#[test]
fn outcomes_are_ordered_by_strength() {
    use ThresholdOutcome::*;
    let ladder = [
        None,
        Suspend { months: 1 },
        Suspend { months: 3 },
        Terminate { ban_years: 1 },
        Terminate { ban_years: 3 },
    ];
    for pair in ladder.windows(2) {
        assert!(pair[1].is_stronger(&pair[0]), "{pair:?}");
        assert!(!pair[0].is_stronger(&pair[1]), "{pair:?}");
    }
    assert!(!Suspend { months: 2 }.is_stronger(&Suspend { months: 2 }));
    assert_eq!(ladder.iter().max(), Some(&Terminate { ban_years: 3 }));
    assert_eq!(None.status(), PractitionerStatus::Normal);
    assert_eq!(
        Suspend { months: 1 }.status(),
        PractitionerStatus::Suspended
    );
}

#[test]
fn outcome_json_shape() {
    let json = serde_json::to_value(ThresholdOutcome::Suspend { months: 2 }).unwrap();
    assert_eq!(json, serde_json::json!({"outcome": "suspend", "months": 2}));
    let none = serde_json::to_value(ThresholdOutcome::None).unwrap();
    assert_eq!(none, serde_json::json!({"outcome": "none"}));
}

#[test]
fn range_check_is_inclusive() {
    assert!(points_in_range(1, 1, 3));
    assert!(points_in_range(3, 1, 3));
    assert!(!points_in_range(0, 1, 3));
    assert!(!points_in_range(4, 1, 3));
}
