//! "What is this subject's standing on day D" (DESIGN §8), as a pure function of the subject's facts: its
//! ledger entries of one cycle and its sanctions. The materialised `standings` row stores these facts and the
//! fold over the ledger builds the same facts from the tables, so both answers come from this one function.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dates::cycle_of_date;
use super::enums::string_enum;
use super::lists::{EndKind, EntryStatus, ListKind, status as entry_status};
use super::masking::Audience;
use super::policy::Policy;
use super::registration::{
    Commitment, CommitmentState, Registration, RegistrationFact, SignatureFact, TextFact,
    commitment_on, registrations_on,
};
use super::sanctions::{SanctionStatus, SanctionType, Scope, status};
use super::scoring::{
    EntryKind, Grade, LedgerEntry, Measure, SubjectKind, Supervision, SupervisionLevel,
    counted_bonus, grade, organisation_score, practitioner_points, supervision,
};

/// One ledger entry with the legal date it was written on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedEntry {
    pub on: NaiveDate,
    pub kind: EntryKind,
    pub points: u32,
}

/// A sanction as far as standing needs it: its terms and how it ended, never its prose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionFact {
    pub id: i64,
    #[serde(rename = "type")]
    pub sanction_type: SanctionType,
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub lifted_on: Option<NaiveDate>,
    pub ban_until: Option<NaiveDate>,
}

/// Everything the standing answer depends on, for days in `cycle` and later. Revoked sanctions are left out:
/// they never counted on any day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingFacts {
    pub kind: SubjectKind,
    pub cycle: i32,
    /// Entries of `cycle` only; a later cycle starts from nothing.
    pub entries: Vec<DatedEntry>,
    pub sanctions: Vec<SanctionFact>,
    /// List entries that had not ended before the cycle began.
    #[serde(default)]
    pub lists: Vec<ListFact>,
    /// Cases with an appeal pending (shown as disputed, as NPDB shows disputed reports).
    #[serde(default)]
    pub disputed: Vec<i64>,
    /// Practitioners: every registration (affiliation), past, present and future. Left out of the stored
    /// text when empty, so rows of subjects without any read the same as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registrations: Vec<RegistrationFact>,
    /// The commitment texts of the subject's kind, and the subject's signatures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitment_texts: Vec<TextFact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<SignatureFact>,
}

impl StandingFacts {
    /// The facts as `audience` may know them: unpublished list entries do not exist outside staff, so the
    /// standing an outside reader gets is computed without them.
    pub fn for_audience(&self, audience: Audience) -> std::borrow::Cow<'_, Self> {
        if audience.sees_unpublished() || self.lists.iter().all(|l| l.published) {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut seen = self.clone();
        seen.lists.retain(|l| l.published);
        std::borrow::Cow::Owned(seen)
    }

    /// The facts of a subject with no ledger entries, sanctions, list entries or appeals.
    pub fn empty(kind: SubjectKind, cycle: i32) -> Self {
        Self {
            kind,
            cycle,
            entries: Vec::new(),
            sanctions: Vec::new(),
            lists: Vec::new(),
            disputed: Vec::new(),
            registrations: Vec::new(),
            commitment_texts: Vec::new(),
            signatures: Vec::new(),
        }
    }
}

/// A list entry as far as standing needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFact {
    pub id: i64,
    pub list: ListKind,
    pub listed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub ended: Option<(NaiveDate, EndKind)>,
    /// Unpublished entries exist for staff only (DESIGN §14). Left out of the stored text when true, so rows
    /// written before the flag read the same.
    #[serde(default = "published_by_default", skip_serializing_if = "is_published")]
    pub published: bool,
}

fn published_by_default() -> bool {
    true
}

fn is_published(published: &bool) -> bool {
    *published
}

/// A list the subject is on, on the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Membership {
    pub entry_id: i64,
    pub list: ListKind,
    pub listed_on: NaiveDate,
    /// Last day on the list, unless it ends earlier.
    pub expires_on: Option<NaiveDate>,
}

string_enum! {
    /// The strongest state that applies on the day.
    pub enum StandingStatus as "standing status" {
        Normal = "normal",
        /// A suspension (of qualification, settlement or agreement) is in force.
        Suspended = "suspended",
        /// A termination is in force.
        Terminated = "terminated",
        /// On the black list (严重失信名单).
        Blacklisted = "blacklisted",
    }
}

/// Sanctions of one type and scope in force on the day, merged: overlapping terms run to the latest end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct InForce {
    #[serde(rename = "type")]
    pub sanction_type: SanctionType,
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    /// Last day in force; absent while open-ended (terminations).
    pub ends_on: Option<NaiveDate>,
    /// Terminations: no new agreement or re-registration before this date.
    pub ban_until: Option<NaiveDate>,
    pub sanction_ids: Vec<i64>,
}

/// Whether a practitioner's services in each scope may be paid by the fund on the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MayPrescribe {
    pub outpatient_general: bool,
    pub outpatient_chronic: bool,
    pub inpatient: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub as_of: NaiveDate,
    pub cycle: i32,
    pub status: StandingStatus,
    pub points: Option<u32>,
    pub score: Option<u32>,
    pub grade: Option<Grade>,
    pub supervision: Option<Supervision>,
    /// Institutions and pharmacies: bonus points counted in the cycle up to the day (capped).
    pub bonus_points: Option<u32>,
    pub sanctions: Vec<InForce>,
    pub may_be_paid: bool,
    pub may_prescribe: Option<MayPrescribe>,
    pub emergency_payable: Option<bool>,
    pub lists: Vec<Membership>,
    pub disputed: bool,
    pub disputed_cases: Vec<i64>,
    /// Practitioners: their registrations on the day.
    pub registrations: Vec<Registration>,
    /// Practitioners, institutions and pharmacies: the service commitment on the day.
    pub commitment: Option<Commitment>,
}

impl StandingFacts {
    /// Whether these facts can answer for `as_of`: days of an earlier cycle need the ledger of that cycle.
    pub fn covers(&self, as_of: NaiveDate) -> bool {
        cycle_of_date(as_of) >= self.cycle
    }
}

/// The answer for `as_of`. `facts.cycle` must be `as_of`'s cycle or an earlier one (a later cycle starts
/// from nothing: points reset on 1 January while running sanctions go on).
pub fn standing_on(facts: &StandingFacts, as_of: NaiveDate, policy: &Policy) -> Standing {
    let cycle = cycle_of_date(as_of);
    let entries: Vec<LedgerEntry> = facts
        .entries
        .iter()
        .filter(|e| facts.cycle == cycle && e.on <= as_of)
        .map(|e| LedgerEntry {
            kind: e.kind,
            points: e.points,
            cycle,
        })
        .collect();
    let running: Vec<&SanctionFact> = facts
        .sanctions
        .iter()
        .filter(|s| {
            status(s.starts_on, s.ends_on, s.lifted_on, false, as_of) == SanctionStatus::Active
        })
        .collect();
    let has = |ty: SanctionType| running.iter().any(|s| s.sanction_type == ty);
    // A sanction without a scope covers everything, as does `all`.
    let blocks = |ty: SanctionType, scope: Scope| {
        running
            .iter()
            .any(|s| s.sanction_type == ty && s.scope.is_none_or(|x| x == Scope::All || x == scope))
    };
    let lists: Vec<Membership> = facts
        .lists
        .iter()
        .filter(|e| entry_status(e.listed_on, e.expires_on, e.ended, as_of) == EntryStatus::Active)
        .map(|e| Membership {
            entry_id: e.id,
            list: e.list,
            listed_on: e.listed_on,
            expires_on: e.expires_on,
        })
        .collect();
    let blacklisted = lists.iter().any(|m| m.list == ListKind::Black);
    let mut answer = Standing {
        as_of,
        cycle,
        status: StandingStatus::Normal,
        points: None,
        score: None,
        grade: None,
        supervision: None,
        bonus_points: None,
        sanctions: merge(&running),
        may_be_paid: true,
        may_prescribe: None,
        emergency_payable: None,
        lists,
        disputed: !facts.disputed.is_empty(),
        disputed_cases: facts.disputed.clone(),
        registrations: Vec::new(),
        commitment: (facts.kind != SubjectKind::Insured)
            .then(|| commitment_on(&facts.commitment_texts, &facts.signatures, as_of)),
    };
    match facts.kind {
        SubjectKind::Practitioner => {
            answer.points = Some(practitioner_points(&entries, cycle));
            let terminated = has(SanctionType::QualificationTermination);
            let suspended = has(SanctionType::QualificationSuspension);
            let open = |scope| !terminated && !blocks(SanctionType::QualificationSuspension, scope);
            answer.may_prescribe = Some(MayPrescribe {
                outpatient_general: open(Scope::OutpatientGeneral),
                outpatient_chronic: open(Scope::OutpatientChronic),
                inpatient: open(Scope::Inpatient),
            });
            answer.may_be_paid =
                !terminated && !blocks(SanctionType::QualificationSuspension, Scope::All);
            // A suspension leaves emergency and rescue services payable (DESIGN §5); a termination does not.
            answer.emergency_payable = Some(!terminated);
            answer.status = strongest(terminated, suspended);
            // An interview (the engine's at 6 points, or one imposed) keeps the practitioner under key
            // monitoring for the rest of the cycle it started in.
            let interviewed = running.iter().any(|s| {
                s.sanction_type == SanctionType::Interview && cycle_of_date(s.starts_on) == cycle
            });
            if interviewed {
                answer.supervision = Some(Supervision {
                    level: SupervisionLevel::KeyMonitoring,
                    measures: vec![Measure::Interview, Measure::KeyMonitoring],
                });
            }
            let commitment = answer
                .commitment
                .as_ref()
                .map_or(CommitmentState::Missing, |c| c.state);
            answer.registrations =
                registrations_on(&facts.registrations, &facts.sanctions, commitment, as_of);
        }
        SubjectKind::Institution | SubjectKind::Pharmacy => {
            let score = organisation_score(&entries, cycle, policy);
            answer.bonus_points = Some(counted_bonus(&entries, cycle, policy));
            let graded = grade(score, blacklisted, policy);
            answer.score = Some(score);
            answer.grade = Some(graded);
            answer.supervision = Some(supervision(graded));
            let terminated = has(SanctionType::AgreementTermination);
            let suspended =
                has(SanctionType::AgreementSuspension) || has(SanctionType::SettlementSuspension);
            answer.may_be_paid = !terminated
                && !has(SanctionType::AgreementSuspension)
                && !blocks(SanctionType::SettlementSuspension, Scope::All);
            answer.status = strongest(terminated, suspended);
        }
        SubjectKind::Insured => {
            let suspended = has(SanctionType::SettlementSuspension);
            answer.may_be_paid = !blocks(SanctionType::SettlementSuspension, Scope::All);
            answer.status = strongest(false, suspended);
        }
    }
    if blacklisted {
        answer.status = StandingStatus::Blacklisted;
    }
    answer
}

fn strongest(terminated: bool, suspended: bool) -> StandingStatus {
    match (terminated, suspended) {
        (true, _) => StandingStatus::Terminated,
        (false, true) => StandingStatus::Suspended,
        (false, false) => StandingStatus::Normal,
    }
}

/// Groups running sanctions by type and scope; within a group the earliest start and the latest end hold.
fn merge(running: &[&SanctionFact]) -> Vec<InForce> {
    let mut out: Vec<InForce> = Vec::new();
    for s in running {
        match out
            .iter_mut()
            .find(|g| g.sanction_type == s.sanction_type && g.scope == s.scope)
        {
            Some(group) => {
                group.starts_on = group.starts_on.min(s.starts_on);
                group.ends_on = match (group.ends_on, s.ends_on) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                group.ban_until = group.ban_until.max(s.ban_until);
                group.sanction_ids.push(s.id);
            }
            None => out.push(InForce {
                sanction_type: s.sanction_type,
                scope: s.scope,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                ban_until: s.ban_until,
                sanction_ids: vec![s.id],
            }),
        }
    }
    out
}
