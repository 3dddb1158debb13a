//! Unit tests of `domain::policy`, kept beside it so the rules file stays readable.
use super::*;

/// The versioned defaults as an administrator sees them; changing one is a policy decision, so it
/// must show up here too.
const DEFAULT_JSON: &str = r#"{"version": "2024-default",
    "practitioner": {"annual_points": 12, "max_suspension_months": 6, "termination_points": 12,
        "ban_years_accumulated": 1, "ban_years_single_event": 3,
        "suspension_thresholds": [{"points": 9, "months": 1}, {"points": 10, "months": 2}, {"points": 11, "months": 3}],
        "severity_points": {"minor": {"min": 1, "max": 3}, "general": {"min": 4, "max": 6},
            "serious": {"min": 7, "max": 9}, "very_serious": {"min": 10, "max": 12}},
        "interview_at": 6, "repair_activity_points": 1, "repair_activity_max_per_cycle": 4},
    "organisation": {"base_score": 100, "grade_a_min": 90, "grade_b_min": 80, "grade_c_min": 65, "bonus_cap": 10,
        "commitment_bonus": 2, "commendation_min_points": 1, "commendation_max_points": 5,
        "severity_points": {"minor": {"min": 1, "max": 5}, "general": {"min": 6, "max": 10},
            "serious": {"min": 11, "max": 20}, "very_serious": {"min": 21, "max": 40}}},
    "insured": {"settlement_suspension_min_months": 3, "settlement_suspension_max_months": 12,
        "fine_multiple_min": 2, "fine_multiple_max": 5, "blacklist_fraud_fen": 1000000},
    "cases": {"major_case_fen": 5000000, "report_due_working_days": 2, "appeal_window_days": 15,
        "review_due_working_days": 5, "approval_due_working_days": 5, "resubmission_due_working_days": 10,
        "appeal_decision_working_days": 15, "report_reminder_days": 30},
    "lists": {"blacklist_years": 3, "agreement_termination_ban_years": 3, "red_list_years": 2,
        "repair_min_months_minor": 3, "repair_min_months_general": 6, "repair_max_months_general": 12,
        "repair_min_months_serious": 12, "repair_max_months_serious": 36, "repair_decision_working_days": 15,
        "max_days_listed_ahead": 30,
        "fraud_type_codes": ["INST-INDUCED-ADMISSION", "INST-FAKE-SERVICE", "INST-FORGED-DOCUMENTS",
            "INST-BED-HOLDING", "INST-CARD-FRAUD", "PHAR-CARD-RETENTION", "PHAR-CARD-FRAUD", "PHAR-CARD-MISUSE"]},
    "screenings": {"max_codes": 10000, "retention_years": 5, "daily_person_lookups": 20000},
    "feed": {"retention_days": 90},
    "tips": {"reward_bands": [{"up_to_fen": 10000000, "rate_bp": 200}, {"up_to_fen": 100000000, "rate_bp": 150},
            {"up_to_fen": 1000000000, "rate_bp": 100}, {"up_to_fen": null, "rate_bp": 50}],
        "reward_floor_fen": 20000, "reward_cap_fen": 20000000, "insider_share_percent": 0,
        "decision_working_days": 15, "notify_working_days": 5, "per_client_per_hour": 5},
    "commitments": {"resign_within_days": 30, "max_resign_within_days": 365},
    "stats": {"public_min_subjects": 5, "person_min_subjects": 2, "points_band_tops": [0, 5, 8, 11]},
    "suspicions": {"second_review_rate": 0.05, "seed": 20261206, "always_review_cleared_above_fen": 1000000,
        "triage_working_days": 5, "explain_working_days": 10, "verify_working_days": 15,
        "review_working_days": 5}}"#;

#[test]
fn the_second_review_rate_never_goes_below_five_per_cent() {
    let p = Policy::from_json_overrides(r#"{"suspicions": {"second_review_rate": 0.2}}"#).unwrap();
    assert_eq!(p.suspicions.second_review_rate, 0.2);
    let all = Policy::from_json_overrides(r#"{"suspicions": {"second_review_rate": 1}}"#).unwrap();
    assert_eq!(all.suspicions.second_review_rate, 1.0);
    for bad in [
        r#"{"suspicions": {"second_review_rate": 0.049}}"#,
        r#"{"suspicions": {"second_review_rate": 1.5}}"#,
        r#"{"suspicions": {"explain_working_days": 0}}"#,
        r#"{"suspicions": {"always_review_cleared_above_fen": -1}}"#,
    ] {
        assert!(Policy::from_json_overrides(bad).is_err(), "{bad}");
    }
}

#[test]
fn defaults_are_the_documented_numbers_and_valid() {
    let expected: Value = serde_json::from_str(DEFAULT_JSON).unwrap();
    assert_eq!(serde_json::to_value(Policy::default()).unwrap(), expected);
    assert_eq!(Policy::default().validate(), Ok(()));
}

#[test]
fn a_published_cell_needs_at_least_one_subject() {
    let p = Policy::from_json_overrides(r#"{"stats": {"public_min_subjects": 10}}"#).unwrap();
    assert_eq!(p.stats.public_min_subjects, 10);
    let zero = Policy::from_json_overrides(r#"{"stats": {"public_min_subjects": 0}}"#);
    assert!(zero.unwrap_err().contains("stats.public_min_subjects"));
}

#[test]
fn tip_overrides_are_checked() {
    let p = Policy::from_json_overrides(r#"{"tips": {"insider_share_percent": 20}}"#).unwrap();
    assert_eq!(p.tips.insider_share_percent, 20);
    assert_eq!(p.tips.reward_cap_fen, 20_000_000);
    for bad in [
        r#"{"tips": {"reward_floor_fen": 30000000}}"#,
        r#"{"tips": {"reward_bands": [{"up_to_fen": 100, "rate_bp": 200}]}}"#,
        r#"{"tips": {"reward_bands": [{"up_to_fen": 100, "rate_bp": 200}, {"up_to_fen": 50, "rate_bp": 1}, {"up_to_fen": null, "rate_bp": 1}]}}"#,
        r#"{"tips": {"per_client_per_hour": 0}}"#,
    ] {
        assert!(Policy::from_json_overrides(bad).is_err(), "{bad}");
    }
}

#[test]
fn commitment_overrides_are_checked() {
    let p = Policy::from_json_overrides(r#"{"commitments": {"resign_within_days": 60}}"#).unwrap();
    assert_eq!(p.commitments.resign_within_days, 60);
    for bad in [
        r#"{"commitments": {"resign_within_days": 400}}"#,
        r#"{"commitments": {"max_resign_within_days": 0}}"#,
        r#"{"commitments": {"max_resign_within_days": 20}}"#,
    ] {
        assert!(Policy::from_json_overrides(bad).is_err(), "{bad}");
    }
}

#[test]
fn default_point_ranges_follow_the_tiers() {
    let p = &Policy::default();
    let on = |scale| {
        Severity::ALL
            .iter()
            .map(move |&s| p.default_points_range(s, scale))
    };
    let twelve: Vec<_> = on(Scale::Twelve).collect();
    assert_eq!(twelve, [(1, 3), (4, 6), (7, 9), (10, 12)]);
    let hundred: Vec<_> = on(Scale::Hundred).collect();
    assert_eq!(hundred, [(1, 5), (6, 10), (11, 20), (21, 40)]);
    assert!(Severity::Minor < Severity::VerySerious);
}

#[test]
fn statutory_line_helpers_are_strict() {
    let p = Policy::default();
    assert!(!p.cases.is_major_amount(5_000_000));
    assert!(p.cases.is_major_amount(5_000_001));
    assert!(!p.insured.is_blacklist_fraud(1_000_000));
    assert!(p.insured.is_blacklist_fraud(1_000_001));
}

#[test]
fn repair_periods_by_severity() {
    let l = ListPolicy::default();
    assert_eq!(l.repair_publication_months(Severity::Minor), (3, 3));
    assert_eq!(l.repair_publication_months(Severity::General), (6, 12));
    assert_eq!(l.repair_publication_months(Severity::Serious), (12, 36));
    assert_eq!(l.repair_publication_months(Severity::VerySerious), (12, 36));
}

#[test]
fn full_policy_round_trips_through_json() {
    let p = Policy::default();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p);
    assert_eq!(Policy::from_json_overrides(&json).unwrap(), p);
}

#[test]
fn empty_override_is_the_default() {
    assert_eq!(
        Policy::from_json_overrides("{}").unwrap(),
        Policy::default()
    );
}

#[test]
fn partial_override_keeps_sibling_fields() {
    let p = Policy::from_json_overrides(
        r#"{"version": "2026-sd", "organisation": {"bonus_cap": 5, "severity_points": {"minor": {"min": 2, "max": 4}}},
            "practitioner": {"suspension_thresholds": [{"points": 9, "months": 2}, {"points": 11, "months": 6}]}}"#,
    )
    .unwrap();
    let d = Policy::default();
    assert_eq!(p.version, "2026-sd");
    assert_eq!(p.organisation.bonus_cap, 5);
    assert_eq!(p.organisation.grade_a_min, d.organisation.grade_a_min);
    assert_eq!(
        p.organisation.severity_points.minor,
        PointsRange { min: 2, max: 4 }
    );
    assert_eq!(
        p.organisation.severity_points.general,
        d.organisation.severity_points.general
    );
    // Arrays replace rather than merge: the ladder is one rule, not independent rungs.
    assert_eq!(p.practitioner.suspension_thresholds.len(), 2);
    assert_eq!(
        p.practitioner.suspension_thresholds[1],
        SuspensionStep {
            points: 11,
            months: 6
        }
    );
    assert_eq!(p.insured, d.insured);
    assert_eq!(p.lists, d.lists);
}

#[test]
fn direct_deserialisation_of_partial_json_uses_defaults() {
    let p: Policy = serde_json::from_str(r#"{"cases": {"appeal_window_days": 30}}"#).unwrap();
    assert_eq!(p.cases.appeal_window_days, 30);
    assert_eq!(p.cases.major_case_fen, 5_000_000);
    assert!(serde_json::from_str::<Policy>(r#"{"cases": {"nope": 1}}"#).is_err());
}

/// One case per line: `override JSON => expected part of the error`. A text table because rustfmt
/// would spread an array of long tuples over five times as many lines.
const REJECTED: &str = r#"
    []                                                   => must be a JSON object
    {                                                    => not valid JSON
    {"colour": 1}                                        => unknown policy field `colour`
    {"practitioner": {"annual_pints": 1}}                => unknown policy field `practitioner.annual_pints`
    {"practitioner": {"annual_points": "12"}}            => practitioner.annual_points must be a non-negative integer
    {"cases": {"major_case_fen": -1}}                    => cases.major_case_fen must be a non-negative integer
    {"insured": {"fine_multiple_max": 2.5}}              => insured.fine_multiple_max must be a non-negative integer
    {"cases": {"appeal_window_days": null}}              => cases.appeal_window_days must be a non-negative integer
    {"version": 2}                                       => version must be a string
    {"lists": 3}                                         => lists must be an object
    {"practitioner": {"suspension_thresholds": {}}}      => practitioner.suspension_thresholds must be an array
    {"practitioner": {"suspension_thresholds": [{"points": 9}]}} => missing field `months`
    {"practitioner": {"annual_points": 5000000000}}      => invalid policy
    {"version": ""}                                      => version must be 1-64
    {"version": " v1"}                                   => version must be 1-64
    {"practitioner": {"max_suspension_months": 7}}       => practitioner.max_suspension_months (7) must not exceed MAX_SUSPENSION_MONTHS_CEILING (6)
    {"practitioner": {"max_suspension_months": 0}}       => practitioner.max_suspension_months must be at least 1
    {"practitioner": {"max_suspension_months": 2}}       => suspension_thresholds[2] months must be between 1 and max_suspension_months
    {"practitioner": {"termination_points": 13}}         => practitioner.termination_points (13) must not exceed practitioner.annual_points (12)
    {"practitioner": {"suspension_thresholds": [{"points": 12, "months": 3}]}} => suspension_thresholds[0] points
    {"practitioner": {"suspension_thresholds": [{"points": 0, "months": 3}]}}  => suspension_thresholds[0] points
    {"practitioner": {"suspension_thresholds": [{"points": 9, "months": 0}]}}  => suspension_thresholds[0] months
    {"practitioner": {"suspension_thresholds": [{"points": 10, "months": 1}, {"points": 9, "months": 2}]}} => [1] must have more points
    {"practitioner": {"suspension_thresholds": [{"points": 9, "months": 3}, {"points": 10, "months": 2}]}} => no fewer months
    {"practitioner": {"ban_years_single_event": 0}}      => practitioner.ban_years_accumulated (1) must not exceed practitioner.ban_years_single_event (0)
    {"practitioner": {"severity_points": {"minor": {"min": 4, "max": 3}}}}        => practitioner.severity_points.minor must satisfy
    {"practitioner": {"severity_points": {"very_serious": {"min": 10, "max": 13}}}} => <= 12
    {"practitioner": {"severity_points": {"serious": {"min": 1, "max": 9}}}}      => practitioner.severity_points.serious must not be below
    {"organisation": {"grade_b_min": 90}}                => grade_c_min < grade_b_min < grade_a_min
    {"organisation": {"grade_c_min": 85}}                => grade_c_min < grade_b_min < grade_a_min
    {"organisation": {"grade_c_min": 0}}                 => organisation.grade_c_min must be at least 1
    {"organisation": {"grade_a_min": 101}}               => organisation.grade_a_min (101) must not exceed organisation.base_score (100)
    {"organisation": {"bonus_cap": 101}}                 => organisation.bonus_cap (101) must not exceed
    {"organisation": {"severity_points": {"minor": {"min": 0, "max": 5}}}} => organisation.severity_points.minor must satisfy
    {"insured": {"settlement_suspension_min_months": 2}} => STATUTORY_SETTLEMENT_SUSPENSION_MIN_MONTHS (3) must not exceed
    {"insured": {"settlement_suspension_max_months": 13}} => insured.settlement_suspension_max_months (13) must not exceed
    {"insured": {"fine_multiple_min": 6}}                => insured.fine_multiple_min (6) must not exceed insured.fine_multiple_max (5)
    {"insured": {"blacklist_fraud_fen": 0}}              => must be positive
    {"cases": {"major_case_fen": 0}}                     => must be positive
    {"cases": {"report_due_working_days": 0}}            => cases.report_due_working_days must be at least 1
    {"lists": {"repair_max_months_general": 2}}          => lists.repair_min_months_general (6) must not exceed lists.repair_max_months_general (2)
    {"lists": {"repair_min_months_serious": 40}}         => lists.repair_min_months_serious (40) must not exceed
    {"practitioner": {"interview_at": 0}}                => practitioner.interview_at must be null or between 1
    {"practitioner": {"interview_at": 13}}               => practitioner.interview_at must be null or between 1
    {"practitioner": {"interview_at": "6"}}              => practitioner.interview_at must be a non-negative integer
    {"practitioner": {"repair_activity_points": 0}}      => practitioner.repair_activity_points must be at least 1
    {"practitioner": {"repair_activity_points": 5}}      => practitioner.repair_activity_points (5) must not exceed practitioner.repair_activity_max_per_cycle (4)
    {"practitioner": {"repair_activity_max_per_cycle": 13}} => practitioner.repair_activity_max_per_cycle (13) must not exceed practitioner.annual_points
    {"organisation": {"commitment_bonus": 101}}          => organisation.commitment_bonus (101) must not exceed organisation.base_score (100)
    {"organisation": {"commendation_min_points": 0}}     => organisation.commendation_min_points must be at least 1
    {"organisation": {"commendation_min_points": 6}}     => organisation.commendation_min_points (6) must not exceed organisation.commendation_max_points (5)
    {"organisation": {"commendation_max_points": 101}}   => organisation.commendation_max_points (101) must not exceed organisation.base_score (100)
    {"organisation": {"bonus_cap": null}}                => organisation.bonus_cap must be a non-negative integer
"#;

#[test]
fn bad_overrides_are_rejected_naming_the_field() {
    for line in REJECTED.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (json, expected) = line.rsplit_once(" => ").unwrap();
        let err = Policy::from_json_overrides(json.trim()).expect_err(json);
        assert!(
            err.contains(expected),
            "{json}: got `{err}`, want `{expected}`"
        );
    }
}

#[test]
fn the_interview_is_switched_off_with_null_and_back_on_with_a_number() {
    let off = Policy::from_json_overrides(r#"{"practitioner": {"interview_at": null}}"#).unwrap();
    assert_eq!(off.practitioner.interview_at, None);
    assert_eq!(off.practitioner.annual_points, 12);
    let on = Policy::from_json_overrides(r#"{"practitioner": {"interview_at": 5}}"#).unwrap();
    assert_eq!(on.practitioner.interview_at, Some(5));
    assert_eq!(Policy::default().practitioner.interview_at, Some(6));
}

#[test]
fn narrower_statutory_ranges_are_accepted() {
    let p = Policy::from_json_overrides(
        r#"{"insured": {"settlement_suspension_min_months": 6, "fine_multiple_min": 3},
            "practitioner": {"max_suspension_months": 3}}"#,
    )
    .unwrap();
    assert_eq!(p.insured.settlement_suspension_min_months, 6);
    assert_eq!(p.practitioner.max_suspension_months, 3);
}
