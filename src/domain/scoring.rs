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

/// Bonus points that count in `cycle`: what was awarded, up to the policy's cap.
pub fn counted_bonus(entries: &[LedgerEntry], cycle: i32, policy: &Policy) -> u32 {
    let awarded = totals(entries, cycle).bonus;
    u32::try_from(awarded.min(u64::from(policy.organisation.bonus_cap))).unwrap_or(u32::MAX)
}

/// How many of `wanted` bonus points a new award may carry in `cycle`: what the cap leaves.
pub fn bonus_room(entries: &[LedgerEntry], cycle: i32, wanted: u32, policy: &Policy) -> u32 {
    let left = policy
        .organisation
        .bonus_cap
        .saturating_sub(counted_bonus(entries, cycle, policy));
    wanted.min(left)
}

/// How many of `wanted` points a repair activity may give a practitioner back in `cycle`: never more than
/// the points they have (points do not fall below 0), nor more than the cycle's allowance for activities
/// leaves after the `repaired` points activities already gave back.
pub fn repair_room(
    entries: &[LedgerEntry],
    cycle: i32,
    wanted: u32,
    repaired: u32,
    policy: &Policy,
) -> u32 {
    let allowance = policy
        .practitioner
        .repair_activity_max_per_cycle
        .saturating_sub(repaired);
    wanted
        .min(allowance)
        .min(practitioner_points(entries, cycle))
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

string_enum! {
    /// 分级分类监管: how closely a graded organisation is supervised.
    pub enum SupervisionLevel as "supervision level" {
        /// Grade A, 守信: fewer routine inspections.
        Lighter = "lighter",
        /// Grade B: the ordinary inspection plan.
        Routine = "routine",
        /// Grade C, 重点监控: claims and behaviour under key monitoring.
        KeyMonitoring = "key_monitoring",
        /// Grade D: interview, key monitoring and review of the service agreement.
        Strict = "strict",
    }
}

string_enum! {
    /// A supervision measure, as a stable code for API clients.
    pub enum Measure as "supervision measure" {
        /// 减少检查频次
        ReducedInspection = "reduced_inspection",
        /// 常规检查
        RoutineInspection = "routine_inspection",
        /// 重点监控
        KeyMonitoring = "key_monitoring",
        /// 约谈
        Interview = "interview",
        /// 协议审查
        AgreementReview = "agreement_review",
    }
}

/// 分级分类监管 measures attached to a grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Supervision {
    pub level: SupervisionLevel,
    pub measures: Vec<Measure>,
}

pub fn supervision(grade: Grade) -> Supervision {
    use Measure::*;
    let (level, measures): (SupervisionLevel, &[Measure]) = match grade {
        Grade::A => (SupervisionLevel::Lighter, &[ReducedInspection]),
        Grade::B => (SupervisionLevel::Routine, &[RoutineInspection]),
        Grade::C => (SupervisionLevel::KeyMonitoring, &[KeyMonitoring]),
        Grade::D => (
            SupervisionLevel::Strict,
            &[Interview, KeyMonitoring, AgreementReview],
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
mod tests;

#[cfg(test)]
mod room_tests;
