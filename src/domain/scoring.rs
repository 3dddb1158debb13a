//! Credit scoring: folds over the append-only ledger, grades, and the practitioner thresholds.
//!
//! A score is never stored as the truth; it is recomputed from ledger entries of one cycle, so any past
//! date can be answered and a voided case is undone by appending a reversal rather than editing history.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::policy::{Policy, Scale, string_enum};

string_enum! {
    /// Kind of credit subject (信用主体).
    pub enum SubjectKind as "subject kind" {
        /// 定点医疗机构
        Institution = "institution",
        /// 定点零售药店
        Pharmacy = "pharmacy",
        /// 医保医师/药师/护士/技师… under the 12-point system
        Practitioner = "practitioner",
        /// 参保人
        Insured = "insured",
    }
}

impl SubjectKind {
    /// Insured persons have no points: their cases act through settlement suspension and lists only.
    pub fn scale(&self) -> Option<Scale> {
        match self {
            SubjectKind::Practitioner => Some(Scale::Twelve),
            SubjectKind::Institution | SubjectKind::Pharmacy => Some(Scale::Hundred),
            SubjectKind::Insured => None,
        }
    }
}

string_enum! {
    /// Ledger entry kinds. Points are always a magnitude; the kind gives the direction.
    pub enum EntryKind as "entry kind" {
        /// On approval of a case.
        Deduction = "deduction",
        /// Appeal upheld or case voided: gives the case's points back.
        Reversal = "reversal",
        /// 信用修复: partial or full give-back after rectification.
        Repair = "repair",
        /// Positive credit (信用承诺, commendation); organisations only, capped per cycle.
        Bonus = "bonus",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerEntry {
    pub kind: EntryKind,
    pub points: u32,
    pub cycle: i32,
}

/// Sums per direction of one cycle. u64 so that no number of u32 entries can overflow.
struct Totals {
    deducted: u64,
    given_back: u64,
    bonus: u64,
}

fn totals(entries: &[LedgerEntry], cycle: i32) -> Totals {
    let mut t = Totals {
        deducted: 0,
        given_back: 0,
        bonus: 0,
    };
    for e in entries.iter().filter(|e| e.cycle == cycle) {
        let sum = match e.kind {
            EntryKind::Deduction => &mut t.deducted,
            EntryKind::Reversal | EntryKind::Repair => &mut t.given_back,
            EntryKind::Bonus => &mut t.bonus,
        };
        *sum = sum.saturating_add(u64::from(e.points));
    }
    t
}

/// Points a practitioner has accumulated in `cycle`. Give-backs are netted against the cycle's total
/// rather than replayed in order, so the answer does not depend on how entries happen to be sorted.
pub fn practitioner_points(entries: &[LedgerEntry], cycle: i32) -> u32 {
    let t = totals(entries, cycle);
    u32::try_from(t.deducted.saturating_sub(t.given_back)).unwrap_or(u32::MAX)
}

/// Score of an institution or pharmacy in `cycle`: base − deductions + give-backs + capped bonus,
/// clamped to `0..=base`. Clamping only at the end keeps a reversal an exact undo of its deduction.
pub fn organisation_score(entries: &[LedgerEntry], cycle: i32, policy: &Policy) -> u32 {
    let t = totals(entries, cycle);
    let base = u64::from(policy.organisation.base_score);
    let bonus = t.bonus.min(u64::from(policy.organisation.bonus_cap));
    let raised = base.saturating_add(t.given_back).saturating_add(bonus);
    let score = raised.saturating_sub(t.deducted).min(base);
    u32::try_from(score).unwrap_or(u32::MAX)
}

string_enum! {
    /// Credit grade of an institution or pharmacy, best first.
    pub enum Grade as "grade" {
        A = "A",
        B = "B",
        C = "C",
        D = "D",
    }
}

/// An active black-list entry (严重失信) overrides any score: a listed organisation cannot look good.
pub fn grade(score: u32, blacklisted: bool, policy: &Policy) -> Grade {
    let o = &policy.organisation;
    match score {
        _ if blacklisted => Grade::D,
        s if s >= o.grade_a_min => Grade::A,
        s if s >= o.grade_b_min => Grade::B,
        s if s >= o.grade_c_min => Grade::C,
        _ => Grade::D,
    }
}

/// 分级分类监管 measures attached to a grade, as stable English codes for API clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Supervision {
    pub level: &'static str,
    pub measures: Vec<&'static str>,
}

pub fn supervision(grade: Grade) -> Supervision {
    let (level, measures): (&'static str, &[&'static str]) = match grade {
        // 守信: 减少检查频次 (fewer routine inspections).
        Grade::A => ("lighter", &["reduced_inspection"]),
        // 常规监管: the ordinary inspection plan.
        Grade::B => ("routine", &["routine_inspection"]),
        // 重点监控: claims and behaviour under key monitoring.
        Grade::C => ("key_monitoring", &["key_monitoring"]),
        // 约谈 + 重点监控 + 协议审查: interview, key monitoring, review of the service agreement.
        Grade::D => (
            "strict",
            &["interview", "key_monitoring", "agreement_review"],
        ),
    };
    Supervision {
        level,
        measures: measures.to_vec(),
    }
}

string_enum! {
    /// A practitioner's medical-insurance payment qualification (医保支付资格).
    pub enum PractitionerStatus as "practitioner status" {
        Normal = "normal",
        /// 暂停: emergency and rescue services stay payable.
        Suspended = "suspended",
        /// 终止: with a re-registration ban.
        Terminated = "terminated",
    }
}

/// What a practitioner's points call for after an approval. Ordered by strength (none < any suspension
/// < any termination, then by months or ban years) so the engine can tell whether an approval made
/// things worse and a sanction must be created or extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ThresholdOutcome {
    None,
    Suspend { months: u32 },
    Terminate { ban_years: u32 },
}

impl ThresholdOutcome {
    fn rank(&self) -> (u8, u32) {
        match *self {
            ThresholdOutcome::None => (0, 0),
            ThresholdOutcome::Suspend { months } => (1, months),
            ThresholdOutcome::Terminate { ban_years } => (2, ban_years),
        }
    }

    pub fn is_stronger(&self, other: &ThresholdOutcome) -> bool {
        self > other
    }

    /// Status the practitioner is in while this outcome runs.
    pub fn status(&self) -> PractitionerStatus {
        match self {
            ThresholdOutcome::None => PractitionerStatus::Normal,
            ThresholdOutcome::Suspend { .. } => PractitionerStatus::Suspended,
            ThresholdOutcome::Terminate { .. } => PractitionerStatus::Terminated,
        }
    }
}

impl Ord for ThresholdOutcome {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for ThresholdOutcome {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Outcome for `points_after` accumulated in the cycle, where the approval that got there was worth
/// `single_event_points`. One event reaching the termination line is the gravest case (3-year ban);
/// reaching it by accumulation bans for 1 year; below it the highest rung of the ladder reached applies.
pub fn practitioner_threshold(
    points_after: u32,
    single_event_points: u32,
    policy: &Policy,
) -> ThresholdOutcome {
    let p = &policy.practitioner;
    if single_event_points >= p.termination_points {
        return ThresholdOutcome::Terminate {
            ban_years: p.ban_years_single_event,
        };
    }
    if points_after >= p.termination_points {
        return ThresholdOutcome::Terminate {
            ban_years: p.ban_years_accumulated,
        };
    }
    // The ladder need not be sorted here: validation sorts it, but a stale stored policy may not be.
    let reached = p
        .suspension_thresholds
        .iter()
        .filter(|s| s.points <= points_after);
    match reached.max_by_key(|s| s.points) {
        Some(step) => ThresholdOutcome::Suspend {
            months: step.months.min(p.max_suspension_months),
        },
        None => ThresholdOutcome::None,
    }
}

/// Whether an approver's chosen value lies inside a catalogue entry's range (else the API answers 422).
pub fn points_in_range(points: u32, min: u32, max: u32) -> bool {
    (min..=max).contains(&points)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(supervision(Grade::A).level, "lighter");
        assert_eq!(supervision(Grade::A).measures, ["reduced_inspection"]);
        assert_eq!(supervision(Grade::B).level, "routine");
        assert_eq!(supervision(Grade::C).level, "key_monitoring");
        assert_eq!(supervision(Grade::C).measures, ["key_monitoring"]);
        let d = supervision(Grade::D);
        assert_eq!(d.level, "strict");
        assert_eq!(
            d.measures,
            ["interview", "key_monitoring", "agreement_review"]
        );
        let json = serde_json::to_value(&d).unwrap();
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
}
