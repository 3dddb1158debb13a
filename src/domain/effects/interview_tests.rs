//! The 6-point interview (约谈): started when an approval brings the cycle's points to the policy's line, once a
//! cycle, running to the cycle's last day; never when the policy switches it off.

use proptest::prelude::*;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn approval(points: u32, before: u32, today: NaiveDate, interviewed: bool) -> Approval<'static> {
    Approval {
        case_id: 9,
        kind: SubjectKind::Practitioner,
        type_label: "PRAC-X 测试",
        points,
        settlement_suspension_months: None,
        points_before: before,
        cycle: 2026,
        today,
        live: &[],
        major: false,
        transferred_to_judiciary: false,
        amount_involved_fen: 0,
        interviewed_in_cycle: interviewed,
    }
}

fn interviews(effects: &[Effect]) -> Vec<&NewSanctionTerms> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartSanction(t) if t.sanction_type == SanctionType::Interview => Some(t),
            _ => None,
        })
        .collect()
}

#[test]
fn six_points_start_an_interview_to_the_end_of_the_cycle() {
    let effects = on_approval(&approval(2, 4, day(2026, 3, 1), false), &Policy::default());
    let started = interviews(&effects);
    assert_eq!(started.len(), 1);
    let interview = started[0];
    assert_eq!(interview.starts_on, day(2026, 3, 2));
    assert_eq!(interview.ends_on, Some(day(2026, 12, 31)));
    assert_eq!(interview.scope, None);
    assert_eq!(interview.threshold_key, "practitioner-interview:9");
    let english = interview.reason.render(crate::i18n::Locale::En);
    assert!(english.contains("6 points"), "{english}");
    // Five points are not enough; the next approval of the cycle does not start a second one.
    let five = on_approval(&approval(1, 4, day(2026, 3, 1), false), &Policy::default());
    assert!(interviews(&five).is_empty());
    let again = on_approval(&approval(1, 6, day(2026, 3, 1), true), &Policy::default());
    assert!(interviews(&again).is_empty());
}

#[test]
fn on_the_last_day_of_the_year_it_runs_one_day_and_null_switches_it_off() {
    let effects = on_approval(
        &approval(6, 0, day(2026, 12, 31), false),
        &Policy::default(),
    );
    let started = interviews(&effects);
    assert_eq!(started[0].starts_on, day(2027, 1, 1));
    assert_eq!(started[0].ends_on, Some(day(2027, 1, 1)));
    let mut off = Policy::default();
    off.practitioner.interview_at = None;
    assert!(interviews(&on_approval(&approval(12, 0, day(2026, 3, 1), false), &off)).is_empty());
}

proptest! {
    /// Exactly when the points after the approval reach the line and none was started this cycle.
    #[test]
    fn an_interview_starts_exactly_when_the_line_is_reached_once(
        points in 1u32..=12, before in 0u32..=11, at in 1u32..=12, interviewed in any::<bool>(),
        ordinal in 1u32..=365,
    ) {
        let mut policy = Policy::default();
        policy.practitioner.interview_at = Some(at);
        let today = NaiveDate::from_yo_opt(2026, ordinal).unwrap();
        let effects = on_approval(&approval(points, before, today, interviewed), &policy);
        let started = interviews(&effects);
        let expected = before + points >= at && !interviewed;
        prop_assert_eq!(started.len(), usize::from(expected));
        for interview in started {
            prop_assert!(interview.ends_on.is_some_and(|end| end >= interview.starts_on));
            prop_assert!(interview.starts_on > today);
        }
    }
}
