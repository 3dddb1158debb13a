use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn text(version: &str, from: &str, grace: u32) -> TextFact {
    TextFact {
        version: version.into(),
        effective_from: day(from),
        resign_within_days: grace,
    }
}

fn signed(version: &str, on: &str) -> SignatureFact {
    SignatureFact {
        version: version.into(),
        signed_on: day(on),
    }
}

fn sanction(kind: SanctionType, from: &str, to: Option<&str>) -> SanctionFact {
    SanctionFact {
        id: 1,
        sanction_type: kind,
        scope: None,
        starts_on: day(from),
        ends_on: to.map(day),
        lifted_on: None,
        ban_until: None,
    }
}

fn registration(from: &str, to: Option<&str>) -> RegistrationFact {
    RegistrationFact {
        institution_code: "H37010200001".into(),
        institution_name: "医院".into(),
        valid_from: day(from),
        valid_to: to.map(day),
    }
}

#[test]
fn no_signature_is_missing_and_a_current_one_is_signed() {
    let texts = [text("v1", "2026-01-01", 30)];
    let none = commitment_on(&texts, &[], day("2026-03-01"));
    assert_eq!(none.state, CommitmentState::Missing);
    assert_eq!((none.version, none.signed_on), (None, None));
    let sigs = [signed("v1", "2026-02-01")];
    let one = commitment_on(&texts, &sigs, day("2026-03-01"));
    assert_eq!(one.state, CommitmentState::Signed);
    assert_eq!(one.version.as_deref(), Some("v1"));
    // Not yet signed on an earlier day.
    assert_eq!(
        commitment_on(&texts, &sigs, day("2026-01-31")).state,
        CommitmentState::Missing
    );
}

#[test]
fn an_old_version_stays_valid_for_the_grace_then_is_outdated() {
    let texts = [text("v2", "2026-06-01", 30), text("v1", "2026-01-01", 30)];
    let sigs = [signed("v1", "2026-02-01")];
    assert_eq!(
        commitment_on(&texts, &sigs, day("2026-06-30")).state,
        CommitmentState::Signed
    );
    let late = commitment_on(&texts, &sigs, day("2026-07-01"));
    assert_eq!(late.state, CommitmentState::Outdated);
    assert_eq!(late.version.as_deref(), Some("v1"));
    // Signing the new version makes it valid again, and a signature ahead of its date counts too.
    let both = [signed("v1", "2026-02-01"), signed("v2", "2026-05-20")];
    let renewed = commitment_on(&texts, &both, day("2026-09-01"));
    assert_eq!(renewed.state, CommitmentState::Signed);
    assert_eq!(renewed.version.as_deref(), Some("v2"));
    // A grace of 0 days outdates on the day the new text takes effect.
    let strict = [text("v1", "2026-01-01", 0), text("v2", "2026-06-01", 0)];
    assert_eq!(
        commitment_on(&strict, &sigs, day("2026-06-01")).state,
        CommitmentState::Outdated
    );
}

#[test]
fn a_signature_of_a_text_of_another_kind_never_counts() {
    let texts = [text("v1", "2026-01-01", 30)];
    let sigs = [signed("other", "2026-02-01")];
    assert_eq!(
        commitment_on(&texts, &sigs, day("2026-03-01")).state,
        CommitmentState::Missing
    );
    assert_eq!(
        commitment_on(&[], &sigs, day("2026-03-01")).state,
        CommitmentState::Missing
    );
}

#[test]
fn a_registration_s_state_follows_dates_commitment_and_sanctions() {
    let open = registration("2026-01-01", None);
    let on = day("2026-03-01");
    let state = |r: &RegistrationFact, s: &[SanctionFact], c| registration_state(r, s, c, on);
    assert_eq!(
        state(&open, &[], CommitmentState::Missing),
        RegistrationState::Filed
    );
    assert_eq!(
        state(&open, &[], CommitmentState::Outdated),
        RegistrationState::Filed
    );
    assert_eq!(
        state(&open, &[], CommitmentState::Signed),
        RegistrationState::Active
    );
    let future = registration("2026-04-01", None);
    assert_eq!(
        state(&future, &[], CommitmentState::Signed),
        RegistrationState::Filed
    );
    let ended = registration("2025-01-01", Some("2026-02-28"));
    assert_eq!(
        state(&ended, &[], CommitmentState::Signed),
        RegistrationState::Ended
    );
    let suspension = [sanction(
        SanctionType::QualificationSuspension,
        "2026-02-01",
        Some("2026-03-31"),
    )];
    assert_eq!(
        state(&open, &suspension, CommitmentState::Signed),
        RegistrationState::Suspended
    );
    let over = [sanction(
        SanctionType::QualificationSuspension,
        "2026-01-01",
        Some("2026-01-31"),
    )];
    assert_eq!(
        state(&open, &over, CommitmentState::Signed),
        RegistrationState::Active
    );
    let termination = [sanction(
        SanctionType::QualificationTermination,
        "2026-02-01",
        None,
    )];
    assert_eq!(
        state(&open, &termination, CommitmentState::Signed),
        RegistrationState::Terminated
    );
    let withdrawn = registration("2026-04-01", Some("2026-03-31"));
    assert_eq!(
        state(&withdrawn, &[], CommitmentState::Signed),
        RegistrationState::Ended
    );
    // An ended registration stays ended whatever runs against the person.
    assert_eq!(
        state(&ended, &termination, CommitmentState::Signed),
        RegistrationState::Ended
    );
}

#[test]
fn registered_here_means_a_registration_covering_the_day() {
    let regs = [registration("2026-01-01", Some("2026-06-30"))];
    assert!(registered_at(&regs, "H37010200001", day("2026-01-01")));
    assert!(registered_at(&regs, "H37010200001", day("2026-06-30")));
    assert!(!registered_at(&regs, "H37010200001", day("2026-07-01")));
    assert!(!registered_at(&regs, "H37010200001", day("2025-12-31")));
    assert!(!registered_at(&regs, "H37010200002", day("2026-03-01")));
}
