//! 处理措施 (DESIGN §6): which measure fits which subject, what terms it needs, and its status on a given day.
//!
//! A sanction's status is never stored: it is derived from its dates and the lift/revoke actions, so a
//! question about any past day (`as_of`) gets the answer that was true then.

use chrono::{Datelike, Days, NaiveDate};

use super::dates::{add_months, add_years};
use super::policy::{Policy, string_enum};
use super::scoring::SubjectKind;

/// Most cases one sanction may cite; a measure resting on more is a batch decision, not one sanction.
pub const MAX_VIOLATIONS: usize = 100;
pub const MAX_REASON_CHARS: usize = 2000;

string_enum! {
    /// Type of measure.
    pub enum SanctionType as "sanction type" {
        /// 约谈
        Interview = "interview",
        /// 限期整改: `ends_on` is the due date.
        Rectification = "rectification",
        /// 追回违约费用 (`amount_fen`)
        Recovery = "recovery",
        /// 违约金 (`amount_fen`)
        Penalty = "penalty",
        /// 暂停结算 / 暂停联网结算, with a `scope`
        SettlementSuspension = "settlement_suspension",
        /// 暂停协议
        AgreementSuspension = "agreement_suspension",
        /// 解除协议: no new agreement before `ban_until`.
        AgreementTermination = "agreement_termination",
        /// 暂停医保支付资格, with a `scope`
        QualificationSuspension = "qualification_suspension",
        /// 终止医保支付资格: no re-registration before `ban_until`.
        QualificationTermination = "qualification_termination",
        /// 行政处罚
        AdministrativePenalty = "administrative_penalty",
        /// 移送司法
        JudicialTransfer = "judicial_transfer",
    }
}

string_enum! {
    /// Which services a suspension covers (seed 003 suspended general outpatient and chronic outpatient).
    pub enum Scope as "scope" {
        OutpatientGeneral = "outpatient_general",
        OutpatientChronic = "outpatient_chronic",
        Inpatient = "inpatient",
        Pharmacy = "pharmacy",
        All = "all",
    }
}

string_enum! {
    /// Status of a sanction on one day.
    pub enum SanctionStatus as "sanction status" {
        /// Starts later.
        Pending = "pending",
        Active = "active",
        /// Its last day has passed.
        Expired = "expired",
        /// Ended early by an approver.
        Lifted = "lifted",
        /// Withdrawn (e.g. its case was voided on appeal): it never counted, on any day.
        Revoked = "revoked",
    }
}

impl SanctionType {
    pub fn applies_to(&self, kind: SubjectKind) -> bool {
        use SubjectKind::*;
        let organisation = matches!(kind, Institution | Pharmacy);
        match self {
            Self::QualificationSuspension | Self::QualificationTermination => kind == Practitioner,
            Self::AgreementSuspension | Self::AgreementTermination | Self::Rectification => {
                organisation
            }
            Self::SettlementSuspension => organisation || kind == Insured,
            Self::Interview => organisation || kind == Practitioner,
            Self::Recovery
            | Self::Penalty
            | Self::AdministrativePenalty
            | Self::JudicialTransfer => true,
        }
    }

    /// Suspensions run for a term and a rectification has a due date: `ends_on` is required.
    pub fn needs_end(&self) -> bool {
        matches!(
            self,
            Self::SettlementSuspension
                | Self::AgreementSuspension
                | Self::QualificationSuspension
                | Self::Rectification
        )
    }

    /// Terminations last until lifted; their time limit is the ban, not an end.
    pub fn open_ended(&self) -> bool {
        matches!(
            self,
            Self::AgreementTermination | Self::QualificationTermination
        )
    }

    pub fn needs_amount(&self) -> bool {
        matches!(self, Self::Recovery | Self::Penalty)
    }

    /// First day a new agreement or registration is possible again, for terminations.
    pub fn ban_until(&self, starts_on: NaiveDate, policy: &Policy) -> Option<NaiveDate> {
        match self {
            Self::AgreementTermination => Some(add_years(
                starts_on,
                policy.lists.agreement_termination_ban_years,
            )),
            Self::QualificationTermination => Some(add_years(
                starts_on,
                policy.practitioner.ban_years_accumulated,
            )),
            _ => None,
        }
    }
}

/// The grounds of imposing, lifting or revoking, already trimmed: 1 to 2000 characters.
pub fn check_reason(reason: &str) -> Result<(), String> {
    match reason.chars().count() {
        0 => Err("is required".into()),
        n if n > MAX_REASON_CHARS => Err(format!("must be at most {MAX_REASON_CHARS} characters")),
        _ => Ok(()),
    }
}

/// Terms of a sanction as requested, before they are checked.
#[derive(Clone, Copy, Debug)]
pub struct Terms {
    pub kind: SubjectKind,
    pub sanction_type: SanctionType,
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
}

/// Last day (inclusive) of a term of `months` starting on `starts_on`: the day before the corresponding day
/// (1 March + 3 months → 31 May), or, when that month has no corresponding day, its last day (31 January +
/// 1 month → 28 February).
pub fn last_day_of_term(starts_on: NaiveDate, months: u32) -> NaiveDate {
    let after = add_months(starts_on, months);
    if after.day() != starts_on.day() {
        return after;
    }
    after.checked_sub_days(Days::new(1)).unwrap_or(after)
}

/// Checks every rule on the terms and returns the scope to store, or each broken rule as `(field, message)`.
pub fn check_terms(
    t: &Terms,
    policy: &Policy,
) -> Result<Option<Scope>, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let ty = t.sanction_type;
    if !ty.applies_to(t.kind) {
        let message = format!("{ty} does not apply to a subject of kind {}", t.kind);
        errors.push(("type", message));
    }
    match t.ends_on {
        Some(_) if ty.open_ended() => {
            errors.push(("ends_on", format!("must be absent: {ty} is open-ended")));
        }
        Some(end) if end < t.starts_on => {
            errors.push(("ends_on", "must not be before starts_on".into()));
        }
        Some(end) => {
            if let Err(message) = check_statutory_term(t, end, policy) {
                errors.push(("ends_on", message));
            }
        }
        None if ty.needs_end() => errors.push(("ends_on", format!("is required for {ty}"))),
        None => {}
    }
    match t.amount_fen {
        Some(_) if !ty.needs_amount() => {
            errors.push(("amount_fen", "applies only to recovery and penalty".into()));
        }
        Some(amount) if amount <= 0 => {
            errors.push(("amount_fen", "must be a positive number of fen".into()));
        }
        None if ty.needs_amount() => errors.push(("amount_fen", format!("is required for {ty}"))),
        _ => {}
    }
    let scope = match (ty, t.scope) {
        (SanctionType::QualificationSuspension, None) => {
            let message = "is required for a qualification suspension";
            errors.push(("scope", message.into()));
            None
        }
        (SanctionType::QualificationSuspension, scope) => scope,
        (SanctionType::SettlementSuspension, scope) => Some(scope.unwrap_or(Scope::All)),
        (_, Some(_)) => {
            let message = "applies only to qualification and settlement suspensions";
            errors.push(("scope", message.into()));
            None
        }
        (_, None) => None,
    };
    if errors.is_empty() {
        Ok(scope)
    } else {
        Err(errors)
    }
}

/// The statutory ceilings hold for manual sanctions too, since the policy calls them law rather than
/// preference: a practitioner's suspension lasts at most `practitioner.max_suspension_months`, an insured
/// person's settlement suspension `insured.settlement_suspension_min_months..=max` (条例 art. 41).
fn check_statutory_term(t: &Terms, end: NaiveDate, policy: &Policy) -> Result<(), String> {
    let (min, max) = match (t.sanction_type, t.kind) {
        (SanctionType::QualificationSuspension, SubjectKind::Practitioner) => {
            (None, policy.practitioner.max_suspension_months)
        }
        (SanctionType::SettlementSuspension, SubjectKind::Insured) => (
            Some(policy.insured.settlement_suspension_min_months),
            policy.insured.settlement_suspension_max_months,
        ),
        _ => return Ok(()),
    };
    let longest = last_day_of_term(t.starts_on, max);
    if end > longest {
        return Err(format!(
            "lasts at most {max} months for a {}: the latest end is {longest}",
            t.kind
        ));
    }
    match min.map(|min| (min, last_day_of_term(t.starts_on, min))) {
        Some((min, shortest)) if end < shortest => Err(format!(
            "lasts at least {min} months for a {}: the earliest end is {shortest}",
            t.kind
        )),
        _ => Ok(()),
    }
}

/// Status of a sanction on `as_of`. Edge days:
/// - `starts_on` is the first active day, `ends_on` the last (inclusive): expired from the day after;
/// - lifting takes effect on its day: a sanction lifted on D is no longer active on D;
/// - a revoked sanction is `revoked` on every day, before and after the revocation;
/// - once both lifted and past its end, it is whichever happened first (lifted if lifted on or before `ends_on`).
pub fn status(
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    lifted_on: Option<NaiveDate>,
    revoked: bool,
    as_of: NaiveDate,
) -> SanctionStatus {
    let expired = ends_on.is_some_and(|end| end < as_of);
    let lifted = lifted_on.filter(|day| *day <= as_of);
    match lifted {
        _ if revoked => SanctionStatus::Revoked,
        Some(day) if !expired || ends_on.is_some_and(|end| day <= end) => SanctionStatus::Lifted,
        _ if expired => SanctionStatus::Expired,
        _ if as_of < starts_on => SanctionStatus::Pending,
        _ => SanctionStatus::Active,
    }
}

#[cfg(test)]
mod tests {
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
}
