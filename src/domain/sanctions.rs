//! 处理措施 (DESIGN §6): which measure fits which subject, what terms it needs, and its status on a given day.
//!
//! A sanction's status is never stored: it is derived from its dates and the lift/revoke actions, so a
//! question about any past day (`as_of`) gets the answer that was true then.

use crate::i18n::msg;
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
pub fn check_reason(reason: &str) -> Result<(), crate::i18n::Msg> {
    match reason.chars().count() {
        0 => Err(msg!("is-required")),
        n if n > MAX_REASON_CHARS => Err(msg!(
            "must-be-at-most-characters",
            MAX_REASON_CHARS = MAX_REASON_CHARS.to_string()
        )),
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
) -> Result<Option<Scope>, Vec<(&'static str, crate::i18n::Msg)>> {
    let mut errors = Vec::new();
    let ty = t.sanction_type;
    if !ty.applies_to(t.kind) {
        let message = msg!(
            "sanction-type-not-for-kind",
            ty = ty.to_string(),
            kind = t.kind.to_string()
        );
        errors.push(("type", message));
    }
    match t.ends_on {
        Some(_) if ty.open_ended() => {
            errors.push((
                "ends_on",
                msg!("must-be-absent-is-open-ended", ty = ty.to_string()),
            ));
        }
        Some(end) if end < t.starts_on => {
            errors.push(("ends_on", msg!("must-not-be-before-starts-on")));
        }
        Some(end) => {
            if let Err(message) = check_statutory_term(t, end, policy) {
                errors.push(("ends_on", message));
            }
        }
        None if ty.needs_end() => {
            errors.push(("ends_on", msg!("is-required-for", ty = ty.to_string())))
        }
        None => {}
    }
    match t.amount_fen {
        Some(_) if !ty.needs_amount() => {
            errors.push(("amount_fen", msg!("applies-only-to-recovery-and-penalty")));
        }
        Some(amount) if amount <= 0 => {
            errors.push(("amount_fen", msg!("must-be-a-positive-number-of-fen")));
        }
        None if ty.needs_amount() => {
            errors.push(("amount_fen", msg!("is-required-for", ty = ty.to_string())))
        }
        _ => {}
    }
    let scope = match (ty, t.scope) {
        (SanctionType::QualificationSuspension, None) => {
            errors.push(("scope", msg!("scope-required-for-suspension")));
            None
        }
        (SanctionType::QualificationSuspension, scope) => scope,
        (SanctionType::SettlementSuspension, scope) => Some(scope.unwrap_or(Scope::All)),
        (_, Some(_)) => {
            errors.push(("scope", msg!("scope-only-for-suspensions")));
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
fn check_statutory_term(
    t: &Terms,
    end: NaiveDate,
    policy: &Policy,
) -> Result<(), crate::i18n::Msg> {
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
        return Err(msg!(
            "lasts-at-most-months-for-a-the",
            max = max.to_string(),
            kind = t.kind.to_string(),
            longest = longest.to_string()
        ));
    }
    match min.map(|min| (min, last_day_of_term(t.starts_on, min))) {
        Some((min, shortest)) if end < shortest => Err(msg!(
            "lasts-at-least-months-for-a-the",
            min = min.to_string(),
            kind = t.kind.to_string(),
            shortest = shortest.to_string()
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
mod tests;
