use super::*;

#[test]
fn the_shipped_catalogue_is_valid_and_covers_every_kind() {
    let entries = default_catalogue().expect("catalogue parses and validates");
    for kind in SubjectKind::ALL {
        assert!(
            entries.iter().any(|e| e.applies_to.contains(kind)),
            "no type for {kind}"
        );
    }
    let mut codes: Vec<&str> = entries.iter().map(|e| e.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), entries.len(), "codes are unique");
}

#[test]
fn applies_to_reads_the_comma_separated_column() {
    let kinds = ["institution", "pharmacy"].join(",");
    let mut model = violation_type::Model {
        id: 1,
        code: "X-1".into(),
        version: 1,
        name: "n".into(),
        applies_to: kinds,
        severity: "minor".into(),
        points_min: 1,
        points_max: 5,
        legal_basis: "b".into(),
        effective_from: NaiveDate::MIN,
        effective_to: None,
        insured_settlement_suspension: false,
        created_at: Utc::now(),
    };
    assert_eq!(
        applies_to(&model).unwrap(),
        [SubjectKind::Institution, SubjectKind::Pharmacy]
    );
    model.applies_to = "practitioner".into();
    assert_eq!(applies_to(&model).unwrap(), [SubjectKind::Practitioner]);
    model.applies_to = "practitioner,nobody".into();
    assert!(
        applies_to(&model).is_err(),
        "an unknown kind is an error, not skipped"
    );
}
