//! The effects engine (DESIGN §5, §13): from a fact (an approval) and the subject's current facts, decide what
//! must be written — ledger entries and sanctions to start or extend. Pure: the writer persists the result.
//!
//! A sanction is never re-used or rewritten. A higher rung of the ladder is an extension: a new row that
//! `extends` the live suspension to a later end, so the earlier end and reason stay as they were. A revoked or
//! lifted suspension is not live, so crossing a threshold after it starts a new one.

use chrono::{Days, NaiveDate};

use crate::i18n::{Msg, msg};

use super::dates::add_years;
use super::policy::Policy;
use super::sanctions::{SanctionType, Scope, last_day_of_term};
use super::scoring::{EntryKind, SubjectKind, ThresholdOutcome, practitioner_threshold};

/// A sanction to write, with the key that makes a retry of the same approval unable to write it twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSanctionTerms {
    pub sanction_type: SanctionType,
    /// None for a measure without scopes (an interview).
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub ban_until: Option<NaiveDate>,
    /// Kept as a message (key and figures), read in each reader's language.
    pub reason: Msg,
    pub threshold_key: String,
    /// The live sanction this one extends.
    pub extends: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Ledger {
        kind: EntryKind,
        points: u32,
        reason: Msg,
    },
    StartSanction(NewSanctionTerms),
    /// An automatic black-list entry resting on the case, once per `cause_key`.
    BlackList {
        cause_key: String,
        reason: Msg,
    },
}

/// An automatic sanction of the subject that has not been revoked or lifted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSanction {
    pub id: i64,
    pub sanction_type: SanctionType,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Credit cycle of the approval that created it.
    pub cycle: i32,
}

/// An approval about to take effect, and the subject's facts just before it.
#[derive(Clone, Debug)]
pub struct Approval<'a> {
    pub case_id: i64,
    pub kind: SubjectKind,
    /// `CODE 名称` of the catalogue entry, for reasons.
    pub type_label: &'a str,
    pub points: u32,
    pub settlement_suspension_months: Option<u32>,
    /// Practitioners: points of the cycle before this approval.
    pub points_before: u32,
    pub cycle: i32,
    pub today: NaiveDate,
    pub live: &'a [LiveSanction],
    pub major: bool,
    pub transferred_to_judiciary: bool,
    pub amount_involved_fen: i64,
    /// Practitioners: an automatic interview of `cycle` was already started and not revoked.
    pub interviewed_in_cycle: bool,
}

pub fn on_approval(a: &Approval<'_>, policy: &Policy) -> Vec<Effect> {
    let mut effects = Vec::new();
    if a.kind.scale().is_some() {
        effects.push(Effect::Ledger {
            kind: EntryKind::Deduction,
            points: a.points,
            // `CODE 名称` of the catalogue entry: data, the same in every language.
            reason: Msg::verbatim(a.type_label),
        });
    }
    // Measures begin the day after the decision (UTC+8), the way notices take effect.
    let starts_on = a.today + Days::new(1);
    match a.kind {
        SubjectKind::Practitioner => {
            let points = a.points_before.saturating_add(a.points);
            let outcome = practitioner_threshold(points, a.points, policy);
            let single_event = a.points >= policy.practitioner.termination_points;
            effects.extend(interview(a, points, starts_on, policy));
            let terminating = threshold(a, outcome, points, starts_on, single_event);
            let newly_terminated = matches!(
                &terminating,
                Some(Effect::StartSanction(t)) if t.sanction_type == SanctionType::QualificationTermination
            );
            effects.extend(terminating);
            if single_event && newly_terminated {
                effects.push(Effect::BlackList {
                    cause_key: format!("single-event-termination:{}", a.case_id),
                    reason: msg!(
                        "reason-black-single-event-termination",
                        label = a.type_label,
                        points = a.points
                    ),
                });
            }
        }
        SubjectKind::Insured => {
            if let Some(months) = a.settlement_suspension_months {
                effects.push(Effect::StartSanction(NewSanctionTerms {
                    sanction_type: SanctionType::SettlementSuspension,
                    scope: Some(Scope::All),
                    starts_on,
                    ends_on: Some(last_day_of_term(starts_on, months)),
                    ban_until: None,
                    reason: msg!(
                        "reason-insured-settlement-suspension",
                        label = a.type_label,
                        months = months
                    ),
                    threshold_key: format!("insured-settlement:{}", a.case_id),
                    extends: None,
                }));
            }
        }
        SubjectKind::Institution | SubjectKind::Pharmacy => {}
    }
    if a.kind == SubjectKind::Insured && policy.insured.is_blacklist_fraud(a.amount_involved_fen) {
        effects.push(Effect::BlackList {
            cause_key: format!("insured-fraud:{}", a.case_id),
            reason: msg!(
                "reason-black-insured-fraud",
                label = a.type_label,
                amount = a.amount_involved_fen,
                threshold = policy.insured.blacklist_fraud_fen
            ),
        });
    }
    if a.major && a.transferred_to_judiciary {
        effects.push(Effect::BlackList {
            cause_key: format!("judicial-transfer:{}", a.case_id),
            reason: msg!("reason-black-judicial-transfer", label = a.type_label),
        });
    }
    effects
}

/// 约谈 (医保发〔2024〕23号: 6 points in a year): once a cycle, and key monitoring from its start to the end of
/// the cycle, which is the term the standing reads it by.
fn interview(
    a: &Approval<'_>,
    points: u32,
    starts_on: NaiveDate,
    policy: &Policy,
) -> Option<Effect> {
    let at = policy.practitioner.interview_at?;
    if points < at || a.interviewed_in_cycle {
        return None;
    }
    // Approved on 31 December, it starts in the next year: it then runs that one day.
    let last_of_cycle = NaiveDate::from_ymd_opt(a.cycle, 12, 31)?.max(starts_on);
    Some(Effect::StartSanction(NewSanctionTerms {
        sanction_type: SanctionType::Interview,
        scope: None,
        starts_on,
        ends_on: Some(last_of_cycle),
        ban_until: None,
        reason: msg!(
            "reason-practitioner-interview",
            points = points,
            cycle = a.cycle.to_string(),
            at = at
        ),
        threshold_key: format!("practitioner-interview:{}", a.case_id),
        extends: None,
    }))
}

fn threshold(
    a: &Approval<'_>,
    outcome: ThresholdOutcome,
    points: u32,
    starts_on: NaiveDate,
    single_event: bool,
) -> Option<Effect> {
    let cycle = a.cycle;
    match outcome {
        ThresholdOutcome::None => None,
        ThresholdOutcome::Suspend { months } => {
            let reason = msg!(
                "reason-practitioner-suspension",
                points = points,
                cycle = cycle.to_string(),
                months = months
            );
            let threshold_key = format!("practitioner-suspension:{}", a.case_id);
            // One suspension per cycle, running to the longest rung reached: extend the live one from its start.
            let live = a
                .live
                .iter()
                .filter(|s| {
                    s.sanction_type == SanctionType::QualificationSuspension && s.cycle == cycle
                })
                .max_by_key(|s| (s.ends_on, s.id));
            let terms = match live {
                Some(current) => {
                    let ends_on = last_day_of_term(current.starts_on, months);
                    if current.ends_on.is_none_or(|end| end >= ends_on) {
                        return None;
                    }
                    NewSanctionTerms {
                        sanction_type: SanctionType::QualificationSuspension,
                        scope: Some(Scope::All),
                        starts_on: current.starts_on,
                        ends_on: Some(ends_on),
                        ban_until: None,
                        reason,
                        threshold_key,
                        extends: Some(current.id),
                    }
                }
                None => NewSanctionTerms {
                    sanction_type: SanctionType::QualificationSuspension,
                    scope: Some(Scope::All),
                    starts_on,
                    ends_on: Some(last_day_of_term(starts_on, months)),
                    ban_until: None,
                    reason,
                    threshold_key,
                    extends: None,
                },
            };
            Some(Effect::StartSanction(terms))
        }
        ThresholdOutcome::Terminate { ban_years } => {
            let terminated = a
                .live
                .iter()
                .any(|s| s.sanction_type == SanctionType::QualificationTermination);
            if terminated {
                return None;
            }
            let reason = if single_event {
                Msg::new("reason-practitioner-termination-single-event")
            } else {
                Msg::new("reason-practitioner-termination")
            };
            let reason = reason
                .arg("points", points)
                .arg("cycle", cycle.to_string())
                .arg("ban_years", ban_years);
            Some(Effect::StartSanction(NewSanctionTerms {
                sanction_type: SanctionType::QualificationTermination,
                scope: Some(Scope::All),
                starts_on,
                ends_on: None,
                ban_until: Some(add_years(starts_on, ban_years)),
                reason,
                threshold_key: format!("practitioner-termination:{}", a.case_id),
                extends: None,
            }))
        }
    }
}

#[cfg(test)]
#[path = "effects/interview_tests.rs"]
mod interview_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn approval<'a>(points: u32, before: u32, live: &'a [LiveSanction]) -> Approval<'a> {
        Approval {
            case_id: 7,
            kind: SubjectKind::Practitioner,
            type_label: "PRAC-X 测试",
            points,
            settlement_suspension_months: None,
            points_before: before,
            cycle: 2026,
            today: day(2026, 3, 1),
            live,
            major: false,
            transferred_to_judiciary: false,
            amount_involved_fen: 0,
            interviewed_in_cycle: false,
        }
    }

    fn started(effects: &[Effect]) -> Vec<&NewSanctionTerms> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::StartSanction(t) => Some(t),
                Effect::Ledger { .. } | Effect::BlackList { .. } => None,
            })
            .collect()
    }

    #[test]
    fn nine_points_start_a_one_month_suspension_tomorrow() {
        let effects = on_approval(&approval(3, 6, &[]), &Policy::default());
        let terms: Vec<_> = started(&effects)
            .into_iter()
            .filter(|t| t.sanction_type != SanctionType::Interview)
            .collect();
        assert_eq!(terms.len(), 1);
        assert_eq!(terms[0].starts_on, day(2026, 3, 2));
        assert_eq!(terms[0].ends_on, Some(day(2026, 4, 1)));
        assert_eq!(terms[0].extends, None);
        assert!(matches!(effects[0], Effect::Ledger { points: 3, .. }));
    }

    #[test]
    fn a_higher_rung_extends_the_live_suspension_with_a_new_row() {
        let live = [LiveSanction {
            id: 41,
            sanction_type: SanctionType::QualificationSuspension,
            starts_on: day(2026, 3, 2),
            ends_on: Some(day(2026, 4, 1)),
            cycle: 2026,
        }];
        let mut crossing = approval(1, 9, &live);
        crossing.interviewed_in_cycle = true;
        let effects = on_approval(&crossing, &Policy::default());
        let terms = started(&effects);
        assert_eq!(terms[0].extends, Some(41));
        assert_eq!(terms[0].starts_on, day(2026, 3, 2));
        assert_eq!(terms[0].ends_on, Some(day(2026, 5, 1)));
    }

    #[test]
    fn without_a_live_suspension_a_crossing_starts_afresh() {
        // The revoked or lifted one is not in `live`: it is never re-used.
        let mut crossing = approval(1, 9, &[]);
        crossing.interviewed_in_cycle = true;
        let effects = on_approval(&crossing, &Policy::default());
        let terms = started(&effects);
        assert_eq!(terms[0].extends, None);
        assert_eq!(terms[0].starts_on, day(2026, 3, 2));
        assert_eq!(terms[0].ends_on, Some(day(2026, 5, 1)));
    }

    #[test]
    fn twelve_from_one_event_terminates_with_the_long_ban() {
        let mut gravest = approval(12, 0, &[]);
        gravest.interviewed_in_cycle = true;
        let effects = on_approval(&gravest, &Policy::default());
        let terms = started(&effects);
        assert_eq!(
            terms[0].sanction_type,
            SanctionType::QualificationTermination
        );
        assert_eq!(terms[0].ban_until, Some(day(2029, 3, 2)));
        assert_eq!(
            terms[0].reason.key(),
            "reason-practitioner-termination-single-event"
        );
        let english = terms[0].reason.render(crate::i18n::Locale::En);
        assert!(english.contains("12 points") && english.contains("single event"));
        assert!(
            terms[0]
                .reason
                .render(crate::i18n::Locale::ZhCn)
                .contains("终止")
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::BlackList { cause_key, .. }
            if cause_key == "single-event-termination:7"))
        );
    }
}
