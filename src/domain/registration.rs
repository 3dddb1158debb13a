//! Payment qualification's registration (登记备案) and service commitment (服务承诺), issue 20: whether a
//! subject's commitment is valid on a day, and the state of a practitioner's registration at an institution.
//! Both are derived from facts (the texts, the signatures, the affiliation's dates and the running sanctions)
//! and never stored, so they can never disagree with those facts.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enums::string_enum;
use super::sanctions::{SanctionStatus, SanctionType, status};
use super::standing::SanctionFact;

string_enum! {
    /// A registration's state on a day.
    pub enum RegistrationState as "registration state" {
        /// Recorded (or not begun yet), without a valid service commitment.
        Filed = "filed",
        /// Begun, and the person's commitment is valid.
        Active = "active",
        /// A qualification suspension (中止) runs.
        Suspended = "suspended",
        /// A qualification termination (终止) runs.
        Terminated = "terminated",
        /// After its last day.
        Ended = "ended",
    }
}

string_enum! {
    /// Whether a subject's commitment is valid on a day.
    pub enum CommitmentState as "commitment state" {
        /// A signature of the text in force (or of a later one), or of the one before within the grace.
        Signed = "signed",
        /// Only signatures of texts replaced longer ago than their successor's `resign_within_days`.
        Outdated = "outdated",
        /// No signature at all.
        Missing = "missing",
    }
}

/// A published text as far as validity needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFact {
    pub version: String,
    pub effective_from: NaiveDate,
    pub resign_within_days: u32,
}

/// A signature as far as validity needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureFact {
    pub version: String,
    pub signed_on: NaiveDate,
}

/// A practitioner's affiliation with an organisation, as standing needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationFact {
    pub institution_code: String,
    pub institution_name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A subject's commitment on a day: its state and the signature it rests on (the newest one when outdated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Commitment {
    pub state: CommitmentState,
    /// Version of the text signed; absent when `missing`.
    pub version: Option<String>,
    /// Day it was signed; absent when `missing`.
    pub signed_on: Option<NaiveDate>,
}

/// A registration on a day (DESIGN §15).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Registration {
    pub institution_code: String,
    pub institution_name: String,
    pub state: RegistrationState,
    pub valid_from: NaiveDate,
    /// Last day, inclusive; absent while open.
    pub valid_to: Option<NaiveDate>,
}

/// Whether the signature of `version` counts on `day`: its text is in force or not replaced yet, or the text
/// that replaced it took effect less than that text's `resign_within_days` ago. `texts` are of the subject's
/// kind, oldest first.
fn counts(texts: &[TextFact], version: &str, day: NaiveDate) -> bool {
    let Some(at) = texts.iter().position(|t| t.version == version) else {
        return false;
    };
    match texts.get(at + 1) {
        Some(next) if next.effective_from <= day => {
            let grace = Days::new(u64::from(next.resign_within_days));
            next.effective_from
                .checked_add_days(grace)
                .is_none_or(|until| day < until)
        }
        _ => true,
    }
}

/// The subject's commitment on `day` from the texts of its kind (any order) and its signatures: signatures
/// made after `day` do not count yet, and a signature of a text of another kind never counts.
pub fn commitment_on(
    texts: &[TextFact],
    signatures: &[SignatureFact],
    day: NaiveDate,
) -> Commitment {
    let mut texts = texts.to_vec();
    texts.sort_by_key(|t| t.effective_from);
    let order = |s: &SignatureFact| texts.iter().position(|t| t.version == s.version);
    // The newest text signed, then the latest signature of it.
    let newest = |valid: bool| {
        signatures
            .iter()
            .filter(|s| s.signed_on <= day && order(s).is_some())
            .filter(|s| !valid || counts(&texts, &s.version, day))
            .max_by_key(|s| (order(s), s.signed_on))
    };
    let (state, signature) = match (newest(true), newest(false)) {
        (Some(valid), _) => (CommitmentState::Signed, Some(valid)),
        (None, Some(old)) => (CommitmentState::Outdated, Some(old)),
        (None, None) => (CommitmentState::Missing, None),
    };
    Commitment {
        state,
        version: signature.map(|s| s.version.clone()),
        signed_on: signature.map(|s| s.signed_on),
    }
}

/// The state of one registration on `day`: ended after its last day (or ended before it began); otherwise a running qualification
/// termination or suspension of the person decides; otherwise it is active once begun with a valid commitment.
pub fn registration_state(
    registration: &RegistrationFact,
    sanctions: &[SanctionFact],
    commitment: CommitmentState,
    day: NaiveDate,
) -> RegistrationState {
    let running = |kind: SanctionType| {
        sanctions.iter().any(|s| {
            s.sanction_type == kind
                && status(s.starts_on, s.ends_on, s.lifted_on, false, day) == SanctionStatus::Active
        })
    };
    // One ended before it began (`valid_to` the day before `valid_from`) never took effect: ended too.
    if registration
        .valid_to
        .is_some_and(|to| to < day || to < registration.valid_from)
    {
        RegistrationState::Ended
    } else if running(SanctionType::QualificationTermination) {
        RegistrationState::Terminated
    } else if running(SanctionType::QualificationSuspension) {
        RegistrationState::Suspended
    } else if registration.valid_from <= day && commitment == CommitmentState::Signed {
        RegistrationState::Active
    } else {
        RegistrationState::Filed
    }
}

/// Every registration of a practitioner on `day`, in the order given.
pub fn registrations_on(
    registrations: &[RegistrationFact],
    sanctions: &[SanctionFact],
    commitment: CommitmentState,
    day: NaiveDate,
) -> Vec<Registration> {
    registrations
        .iter()
        .map(|r| Registration {
            institution_code: r.institution_code.clone(),
            institution_name: r.institution_name.clone(),
            state: registration_state(r, sanctions, commitment, day),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        })
        .collect()
}

/// Whether one of `registrations` with `institution_code` covers `day` (begun and not ended).
pub fn registered_at(
    registrations: &[RegistrationFact],
    institution_code: &str,
    day: NaiveDate,
) -> bool {
    registrations.iter().any(|r| {
        r.institution_code == institution_code
            && r.valid_from <= day
            && r.valid_to.is_none_or(|to| to >= day)
    })
}

#[cfg(test)]
mod tests;
