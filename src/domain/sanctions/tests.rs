//! Unit tests of `domain::sanctions`, kept beside it so the rules file stays readable.
use super::*;
use SanctionStatus::*;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A sanction running 10–20 March 2026, optionally lifted, on `day`.
fn march(lifted_on: Option<&str>, revoked: bool, day: &str) -> SanctionStatus {
    let (start, end) = (d("2026-03-10"), Some(d("2026-03-20")));
    status(start, end, lifted_on.map(d), revoked, d(day))
}

#[test]
fn status_follows_the_dates_with_both_ends_inclusive() {
    assert_eq!(march(None, false, "2026-03-09"), Pending);
    assert_eq!(march(None, false, "2026-03-10"), Active);
    assert_eq!(march(None, false, "2026-03-20"), Active);
    assert_eq!(march(None, false, "2026-03-21"), Expired);
    let open = |day| status(d("2026-03-10"), None, None, false, d(day));
    assert_eq!(open("2026-03-09"), Pending);
    assert_eq!(
        open("2099-12-31"),
        Active,
        "open-ended sanctions never expire"
    );
}

#[test]
fn a_lift_counts_from_its_own_day() {
    assert_eq!(march(Some("2026-03-15"), false, "2026-03-14"), Active);
    assert_eq!(march(Some("2026-03-15"), false, "2026-03-15"), Lifted);
    assert_eq!(march(Some("2026-03-15"), false, "2026-03-25"), Lifted);
    // Lifted on its last day: lifting cut it short, so it stays lifted after the end.
    assert_eq!(march(Some("2026-03-20"), false, "2026-03-20"), Lifted);
    assert_eq!(march(Some("2026-03-20"), false, "2026-04-01"), Lifted);
    // A lift recorded after the end changes nothing: it had already expired.
    assert_eq!(march(Some("2026-03-22"), false, "2026-03-21"), Expired);
    assert_eq!(march(Some("2026-03-22"), false, "2026-03-23"), Expired);
    // Lifted before it began: pending until the lift, then lifted, never active.
    assert_eq!(march(Some("2026-03-05"), false, "2026-03-04"), Pending);
    assert_eq!(march(Some("2026-03-05"), false, "2026-03-05"), Lifted);
    assert_eq!(march(Some("2026-03-05"), false, "2026-03-12"), Lifted);
}

#[test]
fn a_revoked_sanction_never_counted() {
    for day in ["2026-03-01", "2026-03-10", "2026-03-20", "2026-04-01"] {
        assert_eq!(march(None, true, day), Revoked, "{day}");
        assert_eq!(march(Some("2026-03-15"), true, day), Revoked, "{day}");
    }
}

/// One line per type: its wire name and whether it applies to institution, pharmacy, practitioner, insured.
const APPLICABILITY: &str = "
    interview                 I P D -
    rectification             I P - -
    recovery                  I P D N
    penalty                   I P D N
    settlement_suspension     I P - N
    agreement_suspension      I P - -
    agreement_termination     I P - -
    qualification_suspension  - - D -
    qualification_termination - - D -
    administrative_penalty    I P D N
    judicial_transfer         I P D N
";

#[test]
fn applicability_table() {
    let kinds = [
        SubjectKind::Institution,
        SubjectKind::Pharmacy,
        SubjectKind::Practitioner,
        SubjectKind::Insured,
    ];
    let lines: Vec<&str> = APPLICABILITY
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        SanctionType::ALL.len(),
        "every type has a line"
    );
    for line in lines {
        let mut cells = line.split_whitespace();
        let ty: SanctionType = cells.next().unwrap().parse().unwrap();
        for (kind, cell) in kinds.iter().zip(cells) {
            assert_eq!(ty.applies_to(*kind), cell != "-", "{ty} on {kind}");
        }
    }
}

#[test]
fn which_types_need_an_end_an_open_end_or_an_amount() {
    let with = |f: fn(&SanctionType) -> bool| -> Vec<&str> {
        SanctionType::ALL
            .iter()
            .filter(|t| f(t))
            .map(|t| t.as_str())
            .collect()
    };
    let ends = [
        "rectification",
        "settlement_suspension",
        "agreement_suspension",
        "qualification_suspension",
    ];
    assert_eq!(with(SanctionType::needs_end), ends);
    let open = ["agreement_termination", "qualification_termination"];
    assert_eq!(with(SanctionType::open_ended), open);
    assert_eq!(with(SanctionType::needs_amount), ["recovery", "penalty"]);
}

#[test]
fn terminations_ban_by_policy_years() {
    let policy = Policy::default();
    let start = d("2024-02-29");
    let ban = |t: SanctionType| t.ban_until(start, &policy);
    assert_eq!(
        ban(SanctionType::AgreementTermination),
        Some(d("2027-02-28"))
    );
    assert_eq!(
        ban(SanctionType::QualificationTermination),
        Some(d("2025-02-28"))
    );
    assert_eq!(ban(SanctionType::AgreementSuspension), None);
}

#[test]
fn terms_of_n_months() {
    assert_eq!(last_day_of_term(d("2026-03-01"), 3), d("2026-05-31"));
    assert_eq!(last_day_of_term(d("2026-01-28"), 1), d("2026-02-27"));
    assert_eq!(last_day_of_term(d("2026-01-31"), 1), d("2026-02-28"));
    assert_eq!(last_day_of_term(d("2026-03-15"), 12), d("2027-03-14"));
}

/// One case per line: subject kind, type, scope, ends_on, amount_fen (`-` for none) => the fields refused,
/// in order (`-` when the terms pass). Every case starts on 2026-03-01.
const TERMS: &str = "
    practitioner qualification_suspension  outpatient_general 2026-05-31 -   => -
    practitioner qualification_suspension  -   2026-05-31 -   => scope
    practitioner qualification_suspension  all -          -   => ends_on
    practitioner qualification_suspension  all 2026-02-28 -   => ends_on
    practitioner qualification_suspension  all 2026-08-31 -   => -
    practitioner qualification_suspension  all 2026-09-01 -   => ends_on
    institution  qualification_suspension  all 2026-05-31 -   => type
    insured      settlement_suspension     -   2026-05-31 -   => -
    insured      settlement_suspension     -   2026-05-30 -   => ends_on
    insured      settlement_suspension     -   2027-02-28 -   => -
    insured      settlement_suspension     -   2027-03-01 -   => ends_on
    pharmacy     settlement_suspension     inpatient 2026-03-02 - => -
    insured      recovery                  -   -          -   => amount_fen
    insured      recovery                  -   -          0   => amount_fen
    insured      recovery                  -   -          1   => -
    insured      recovery                  all -          5   => scope
    institution  interview                 -   -          100 => amount_fen
    institution  administrative_penalty    -   -          100 => amount_fen
    institution  agreement_termination     -   -          -   => -
    institution  agreement_termination     -   2027-01-01 -   => ends_on
    institution  rectification             -   -          -   => ends_on
    institution  interview                 -   2026-02-01 -   => ends_on
    institution  interview                 -   2026-03-01 -   => -
    insured      agreement_termination     -   2027-01-01 -1  => type ends_on amount_fen
";

fn terms(line: &str) -> (Terms, Vec<&str>) {
    let (given, refused) = line.split_once(" => ").unwrap();
    let cells: Vec<&str> = given.split_whitespace().collect();
    let cell = |i: usize| Some(cells[i]).filter(|c| *c != "-");
    let terms = Terms {
        kind: cells[0].parse().unwrap(),
        sanction_type: cells[1].parse().unwrap(),
        scope: cell(2).map(|s| s.parse().unwrap()),
        starts_on: d("2026-03-01"),
        ends_on: cell(3).map(d),
        amount_fen: cell(4).map(|a| a.parse().unwrap()),
    };
    let refused = refused.split_whitespace().filter(|f| *f != "-").collect();
    (terms, refused)
}

#[test]
fn terms_are_checked_field_by_field() {
    let policy = Policy::default();
    for line in TERMS.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (terms, expected) = terms(line);
        let refused: Vec<&str> = match check_terms(&terms, &policy) {
            Ok(_) => vec![],
            Err(errors) => errors.into_iter().map(|(field, _)| field).collect(),
        };
        assert_eq!(refused, expected, "{line}");
    }
    let scope = |line| check_terms(&terms(line).0, &policy).unwrap();
    let insured = "insured settlement_suspension - 2026-05-31 - => -";
    assert_eq!(
        scope(insured),
        Some(Scope::All),
        "settlement suspensions default to all"
    );
    let pharmacy = "pharmacy settlement_suspension inpatient 2026-05-31 - => -";
    assert_eq!(scope(pharmacy), Some(Scope::Inpatient));
    assert_eq!(scope("institution interview - - - => -"), None);
}

#[test]
fn reasons_are_one_to_two_thousand_characters() {
    assert!(check_reason("").is_err());
    assert!(check_reason("整").is_ok());
    assert!(
        check_reason(&"整".repeat(2000)).is_ok(),
        "characters, not bytes"
    );
    assert!(check_reason(&"整".repeat(2001)).is_err());
}

#[test]
fn enums_use_their_wire_names() {
    assert_eq!(SanctionType::ALL.len(), 11);
    for t in SanctionType::ALL {
        assert_eq!(t.as_str().parse::<SanctionType>(), Ok(*t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
    assert_eq!(Scope::OutpatientChronic.as_str(), "outpatient_chronic");
    assert_eq!(
        serde_json::to_value(SanctionStatus::Expired).unwrap(),
        "expired"
    );
    assert!("suspension".parse::<SanctionType>().is_err());
    assert!(serde_json::from_str::<Scope>("\"All\"").is_err());
}
