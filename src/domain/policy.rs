//! The policy table: every tunable number of credit supervision in one versioned value.
//!
//! Regions adapt the national defaults (医保发〔2024〕23号, 《医疗保障基金使用监督管理条例》) by storing
//! partial JSON overrides; [`Policy::from_json_overrides`] lays them over [`Policy::default`] so a stored
//! override survives the addition of new fields. Validation lets a region narrow statutory ranges but never
//! widen them: the six-month cap on practitioner suspensions and the 3–12 months / 2–5× of 条例 art. 41 are
//! law, not preference.

mod commitments;
mod sections;
mod stats;
mod suspicions;
mod tips;

pub use commitments::*;
pub use sections::*;
pub use stats::*;
pub use suspicions::*;
pub use tips::*;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Hard ceiling on a practitioner suspension (暂停医保支付资格), whatever a region configures.
pub const MAX_SUSPENSION_MONTHS_CEILING: u32 = 6;
/// 条例 art. 41: networked settlement of an insured person is suspended for 3 to 12 months…
pub const STATUTORY_SETTLEMENT_SUSPENSION_MIN_MONTHS: u32 = 3;
pub const STATUTORY_SETTLEMENT_SUSPENSION_MAX_MONTHS: u32 = 12;
/// …and fined 2 to 5 times the amount obtained by fraud (arts. 40–41).
pub const STATUTORY_FINE_MULTIPLE_MIN: u32 = 2;
pub const STATUTORY_FINE_MULTIPLE_MAX: u32 = 5;

pub(crate) use super::enums::string_enum;

string_enum! {
    /// Seriousness tier of a violation; it selects the default point range. Ordered from minor up.
    #[derive(PartialOrd, Ord)]
    pub enum Severity as "severity" {
        Minor = "minor",
        General = "general",
        Serious = "serious",
        VerySerious = "very_serious",
    }
}

/// Which point system a subject is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Practitioners: points accumulate upwards towards 12 within a year.
    Twelve,
    /// Institutions and pharmacies: a score counts down from 100.
    Hundred,
}

/// Inclusive point range of one severity tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsRange {
    pub min: u32,
    pub max: u32,
}

const fn range(min: u32, max: u32) -> PointsRange {
    PointsRange { min, max }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityRanges {
    pub minor: PointsRange,
    pub general: PointsRange,
    pub serious: PointsRange,
    pub very_serious: PointsRange,
}

impl SeverityRanges {
    pub fn get(&self, severity: Severity) -> PointsRange {
        match severity {
            Severity::Minor => self.minor,
            Severity::General => self.general,
            Severity::Serious => self.serious,
            Severity::VerySerious => self.very_serious,
        }
    }

    fn validate(&self, field: &str, ceiling: u32) -> Result<(), String> {
        let mut previous: Option<PointsRange> = None;
        for &severity in Severity::ALL {
            let r = self.get(severity);
            if r.min == 0 || r.min > r.max || r.max > ceiling {
                return Err(format!(
                    "{field}.{severity} must satisfy 1 <= min <= max <= {ceiling}"
                ));
            }
            // Tiers may touch or overlap (regions differ); a graver tier worth less may not.
            if previous.is_some_and(|prev| r.min < prev.min || r.max < prev.max) {
                return Err(format!(
                    "{field}.{severity} must not be below the tier before it"
                ));
            }
            previous = Some(r);
        }
        Ok(())
    }
}

/// One rung of the suspension ladder: from `points` accumulated in a year, suspend for `months`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspensionStep {
    pub points: u32,
    pub months: u32,
}

/// Practitioners' 12-point system (医保发〔2024〕23号).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PractitionerPolicy {
    pub annual_points: u32,
    pub suspension_thresholds: Vec<SuspensionStep>,
    pub max_suspension_months: u32,
    pub termination_points: u32,
    pub ban_years_accumulated: u32,
    pub ban_years_single_event: u32,
    pub severity_points: SeverityRanges,
    /// Points in the cycle at which the engine starts an interview (约谈) and key monitoring for the rest of
    /// the cycle (医保发〔2024〕23号: 6); `null` disables it.
    pub interview_at: Option<u32>,
    /// Points one approved repair activity (training, publicity, flight inspection) gives back (Tianjin: 1)…
    pub repair_activity_points: u32,
    /// …and the most activities give back in one cycle (Tianjin: 4).
    pub repair_activity_max_per_cycle: u32,
}

impl Default for PractitionerPolicy {
    fn default() -> Self {
        let step = |points, months| SuspensionStep { points, months };
        PractitionerPolicy {
            annual_points: 12,
            suspension_thresholds: vec![step(9, 1), step(10, 2), step(11, 3)],
            max_suspension_months: MAX_SUSPENSION_MONTHS_CEILING,
            termination_points: 12,
            ban_years_accumulated: 1,
            ban_years_single_event: 3,
            severity_points: SeverityRanges {
                minor: range(1, 3),
                general: range(4, 6),
                serious: range(7, 9),
                very_serious: range(10, 12),
            },
            interview_at: Some(6),
            repair_activity_points: 1,
            repair_activity_max_per_cycle: 4,
        }
    }
}

/// Institutions and pharmacies: a yearly score counted down from `base_score`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationPolicy {
    pub base_score: u32,
    pub grade_a_min: u32,
    pub grade_b_min: u32,
    pub grade_c_min: u32,
    /// Bonus points (信用承诺, commendations) counted per cycle. 10 lets good conduct lift an organisation
    /// by one grade band but never hide a very serious deduction (21–40).
    pub bonus_cap: u32,
    /// Bonus once a cycle for a valid credit commitment (信用承诺); 0 awards none. Bonuses of every source
    /// count only up to `bonus_cap`, so a cap of 0 switches them all off.
    pub commitment_bonus: u32,
    /// The range an inspector proposes a commendation's points in.
    pub commendation_min_points: u32,
    pub commendation_max_points: u32,
    pub severity_points: SeverityRanges,
}

impl Default for OrganisationPolicy {
    fn default() -> Self {
        OrganisationPolicy {
            base_score: 100,
            grade_a_min: 90,
            grade_b_min: 80,
            grade_c_min: 65,
            bonus_cap: 10,
            commitment_bonus: 2,
            commendation_min_points: 1,
            commendation_max_points: 5,
            severity_points: SeverityRanges {
                minor: range(1, 5),
                general: range(6, 10),
                serious: range(11, 20),
                very_serious: range(21, 40),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Stored beside each decision so a past sanction can be explained with the numbers then in force.
    pub version: String,
    pub practitioner: PractitionerPolicy,
    pub organisation: OrganisationPolicy,
    pub insured: InsuredPolicy,
    pub cases: CasePolicy,
    pub lists: ListPolicy,
    pub screenings: ScreeningPolicy,
    pub feed: FeedPolicy,
    /// Tip-offs (举报): the reward schedule and handling deadlines.
    pub tips: TipPolicy,
    /// Service commitments (信用承诺): the grace for re-signing a replaced text.
    pub commitments: CommitmentPolicy,
    /// Statistics: small cells and points bands.
    pub stats: StatsPolicy,
    /// Smart-monitoring suspects (疑点): second review and the deadlines of each step.
    pub suspicions: SuspicionPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            version: "2024-default".to_owned(),
            practitioner: PractitionerPolicy::default(),
            organisation: OrganisationPolicy::default(),
            insured: InsuredPolicy::default(),
            cases: CasePolicy::default(),
            lists: ListPolicy::default(),
            screenings: ScreeningPolicy::default(),
            feed: FeedPolicy::default(),
            tips: TipPolicy::default(),
            commitments: CommitmentPolicy::default(),
            stats: StatsPolicy::default(),
            suspicions: SuspicionPolicy::default(),
        }
    }
}

/// Names in messages come from the expressions themselves, minus `self.`, so they are the JSON paths.
macro_rules! check {
    (positive: $($v:expr),+ $(,)?) => {$(
        if $v == 0 {
            return Err(format!("{} must be at least 1", stringify!($v).trim_start_matches("self.")));
        }
    )+};
    (ordered: $($low:expr => $high:expr),+ $(,)?) => {$(
        if $low > $high {
            let (low, high) = (stringify!($low), stringify!($high));
            return Err(format!("{} ({}) must not exceed {} ({})",
                low.trim_start_matches("self."), $low, high.trim_start_matches("self."), $high));
        }
    )+};
}

impl Policy {
    /// Default point range of a severity on a scale: the range the approver must pick inside.
    pub fn default_points_range(&self, severity: Severity, scale: Scale) -> (u32, u32) {
        let r = match scale {
            Scale::Twelve => self.practitioner.severity_points.get(severity),
            Scale::Hundred => self.organisation.severity_points.get(severity),
        };
        (r.min, r.max)
    }

    /// Checks internal consistency; the message names the first offending field.
    pub fn validate(&self) -> Result<(), String> {
        let version = self.version.as_str();
        if version.is_empty() || version.len() > 64 || version.trim() != version {
            return Err("version must be 1-64 characters without surrounding spaces".into());
        }
        check!(positive:
            self.practitioner.annual_points, self.practitioner.termination_points,
            self.practitioner.max_suspension_months, self.practitioner.ban_years_accumulated,
            self.organisation.base_score, self.organisation.grade_c_min,
            self.cases.report_due_working_days, self.cases.appeal_window_days,
            self.cases.review_due_working_days, self.cases.approval_due_working_days,
            self.cases.resubmission_due_working_days, self.cases.appeal_decision_working_days,
            self.lists.blacklist_years, self.lists.agreement_termination_ban_years,
            self.lists.red_list_years, self.lists.repair_decision_working_days,
            self.practitioner.repair_activity_points, self.organisation.commendation_min_points,
        );
        check!(ordered:
            self.practitioner.termination_points => self.practitioner.annual_points,
            self.practitioner.max_suspension_months => MAX_SUSPENSION_MONTHS_CEILING,
            self.practitioner.ban_years_accumulated => self.practitioner.ban_years_single_event,
            self.organisation.bonus_cap => self.organisation.base_score,
            self.organisation.commitment_bonus => self.organisation.base_score,
            self.organisation.commendation_min_points => self.organisation.commendation_max_points,
            self.organisation.commendation_max_points => self.organisation.base_score,
            self.practitioner.repair_activity_points => self.practitioner.repair_activity_max_per_cycle,
            self.practitioner.repair_activity_max_per_cycle => self.practitioner.annual_points,
            self.organisation.grade_a_min => self.organisation.base_score,
            STATUTORY_SETTLEMENT_SUSPENSION_MIN_MONTHS => self.insured.settlement_suspension_min_months,
            self.insured.settlement_suspension_min_months => self.insured.settlement_suspension_max_months,
            self.insured.settlement_suspension_max_months => STATUTORY_SETTLEMENT_SUSPENSION_MAX_MONTHS,
            STATUTORY_FINE_MULTIPLE_MIN => self.insured.fine_multiple_min,
            self.insured.fine_multiple_min => self.insured.fine_multiple_max,
            self.insured.fine_multiple_max => STATUTORY_FINE_MULTIPLE_MAX,
            self.lists.repair_min_months_minor => self.lists.repair_min_months_general,
            self.lists.repair_min_months_general => self.lists.repair_max_months_general,
            self.lists.repair_min_months_general => self.lists.repair_min_months_serious,
            self.lists.repair_max_months_general => self.lists.repair_max_months_serious,
            self.lists.repair_min_months_serious => self.lists.repair_max_months_serious,
        );
        let (o, p) = (&self.organisation, &self.practitioner);
        if !(o.grade_c_min < o.grade_b_min && o.grade_b_min < o.grade_a_min) {
            return Err("organisation grades need grade_c_min < grade_b_min < grade_a_min".into());
        }
        if p.interview_at
            .is_some_and(|at| at == 0 || at > p.annual_points)
        {
            return Err(
                "practitioner.interview_at must be null or between 1 and annual_points".into(),
            );
        }
        for (i, step) in p.suspension_thresholds.iter().enumerate() {
            let bad = |what: &str| Err(format!("practitioner.suspension_thresholds[{i}] {what}"));
            if step.points == 0 || step.points >= p.termination_points {
                return bad("points must be at least 1 and below termination_points");
            }
            if step.months == 0 || step.months > p.max_suspension_months {
                return bad("months must be between 1 and max_suspension_months");
            }
            let previous = i.checked_sub(1).map(|j| &p.suspension_thresholds[j]);
            if previous.is_some_and(|prev| step.points <= prev.points || step.months < prev.months)
            {
                return bad("must have more points and no fewer months than the step before");
            }
        }
        p.severity_points
            .validate("practitioner.severity_points", p.annual_points)?;
        o.severity_points
            .validate("organisation.severity_points", o.base_score)?;
        if self.insured.blacklist_fraud_fen <= 0 || self.cases.major_case_fen <= 0 {
            return Err(
                "insured.blacklist_fraud_fen and cases.major_case_fen must be positive".into(),
            );
        }
        self.tips.validate()?;
        self.commitments.validate()?;
        self.stats.validate()?;
        self.suspicions.validate()
    }

    /// The default policy with the fields present in `json` replaced, then validated. Objects merge key by
    /// key; arrays (the suspension ladder) and scalars replace the default wholesale.
    pub fn from_json_overrides(json: &str) -> Result<Policy, String> {
        let patch: Value =
            serde_json::from_str(json).map_err(|e| format!("policy is not valid JSON: {e}"))?;
        if !patch.is_object() {
            return Err("policy overrides must be a JSON object".into());
        }
        let mut merged = serde_json::to_value(Policy::default()).map_err(|e| e.to_string())?;
        merge(&mut merged, patch, "")?;
        let policy: Policy =
            serde_json::from_value(merged).map_err(|e| format!("invalid policy: {e}"))?;
        policy.validate()?;
        Ok(policy)
    }
}

/// Optional rules a region may switch off with `null`.
const SWITCHES: &[&str] = &["practitioner.interview_at"];

/// Overlays `patch` onto `base`. The default serialises every field, so a key missing from `base` is an
/// unknown field; catching it and type mismatches here keeps the field's path in the message, which
/// serde's error on the merged value would have lost.
fn merge(base: &mut Value, patch: Value, path: &str) -> Result<(), String> {
    // `null` switches an optional rule off; every other field keeps its kind.
    if patch.is_null() && SWITCHES.contains(&path) {
        *base = patch;
        return Ok(());
    }
    // A share (a float by default) may be written as a whole number: `1` is a rate of 100%.
    let share = base.is_f64() && patch.is_number();
    if kind(base) != kind(&patch) && !share {
        return Err(format!("{path} must be {}", kind(base)));
    }
    match (base, patch) {
        (Value::Object(fields), Value::Object(patch)) => {
            for (key, value) in patch {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let Some(slot) = fields.get_mut(&key) else {
                    return Err(format!("unknown policy field `{child}`"));
                };
                merge(slot, value, &child)?;
            }
        }
        (base, patch) => *base = patch,
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Number(n) if n.is_u64() => "a non-negative integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "something else",
    }
}

#[cfg(test)]
mod tests;
