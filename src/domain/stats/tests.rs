//! The counting rules on their own: days, moves of an end, periods, small cells.

use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn a_voided_case_counts_where_it_was_voided_and_stays_approved_where_it_was_approved() {
    let case = CaseFigures {
        type_code: "T",
        severity: "minor",
        amount_involved_fen: 10,
        amount_to_recover_fen: 5,
        major: false,
    };
    let approved = case_moved(
        Some(CaseState::Reviewed),
        CaseState::Approved,
        day("2025-12-31"),
        &case,
    );
    assert!(approved.iter().any(|t| t.metric == Metric::CaseApproved));
    let flows = |tallies: Vec<Tally>| -> Vec<Tally> {
        let states: Vec<Metric> = CaseState::ALL
            .iter()
            .map(|s| Metric::in_state(*s))
            .collect();
        tallies
            .into_iter()
            .filter(|t| !states.contains(&t.metric))
            .collect()
    };
    let voided = flows(case_moved(
        Some(CaseState::Appealed),
        CaseState::Voided,
        day("2026-01-02"),
        &case,
    ));
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0].day, day("2026-01-02"));
    // Dismissing an appeal puts the case back without counting it twice.
    let back = flows(case_moved(
        Some(CaseState::Appealed),
        CaseState::Approved,
        day("2026-01-02"),
        &case,
    ));
    assert!(back.is_empty());
}

#[test]
fn an_entry_ended_early_moves_its_end() {
    let added = entry_added(
        ListKind::Black,
        day("2026-01-01"),
        Some(day("2026-12-31")),
        true,
    );
    assert!(added.contains(&Tally::new(Metric::BlackEnded, day("2027-01-01"), 1)));
    let ended = entry_ended(ListKind::Black, Some(day("2026-12-31")), day("2026-06-01"));
    let net: i64 = added
        .iter()
        .chain(&ended)
        .filter(|t| t.metric == Metric::BlackEnded)
        .map(|t| t.value)
        .sum();
    assert_eq!(net, 1);
}

#[test]
fn group_by_takes_one_or_two_distinct_dimensions() {
    assert_eq!(
        parse_dimensions("prefecture,month"),
        Ok(vec![Dimension::Prefecture, Dimension::Month])
    );
    assert!(parse_dimensions("month,month").is_err());
    assert!(parse_dimensions("region,month,year").is_err());
    assert_eq!(parse_dimensions("county"), Err("county".to_string()));
}

#[test]
fn periods_move_across_a_leap_day_and_a_year() {
    assert_eq!(
        previous_year(day("2024-02-29"), day("2024-12-31")),
        (day("2023-02-28"), day("2023-12-31"))
    );
    assert_eq!(period_a_year_later("2025-Q4"), "2026-Q4");
    assert_eq!(quarter_of("2026-03"), "2026-Q1");
    assert_eq!(quarter_of("2026-10"), "2026-Q4");
}

#[test]
fn small_cells_hide_people_and_public_figures() {
    let staff = SmallCells {
        public: false,
        min_subjects: 5,
        min_persons: 2,
    };
    let public = SmallCells {
        public: true,
        ..staff
    };
    assert!(!staff.shows(1, 1));
    assert!(staff.shows(1, 0));
    assert!(staff.shows(2, 2));
    assert!(!public.shows(4, 0));
    assert!(public.shows(5, 0));
    assert!(public.shows(0, 0));
}
