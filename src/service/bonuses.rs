//! 守信激励 (issue 20, point 3): institutions and pharmacies earn `bonus` ledger entries, once a cycle for a valid
//! credit commitment and for commendations an inspector proposes and an approver who did not propose them
//! approves. Bonuses of a cycle count up to the policy's cap and a score never passes its base (the fold in
//! `domain::scoring`); an award writes only what the cap leaves, and a commendation the cap leaves nothing for
//! is refused with 409 rather than approved for nothing.

use crate::i18n::msg;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::awards::{self, AwardDecision, AwardOutcome, AwardQuery, AwardState, RECORDERS};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::cycle_of_date;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::registration::{CommitmentState, commitment_on};
use crate::domain::roles::Role;
use crate::domain::scoring::{EntryKind, SubjectKind, bonus_room};
use crate::pagination::Page;
use crate::service::actor::Actor;
use crate::service::cases::Evidence;
use crate::service::credit::entries_until;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::writer::Writer;
use crate::service::{credit, lookup};
use crate::shared::facts::load_facts;
use entity::{commendation, commitment, credit_entry, subject};

/// Approvers decide commendations (admin too).
pub const DECIDERS: [Role; 1] = [Role::Approver];

const ORGANISATIONS: [SubjectKind; 2] = [SubjectKind::Institution, SubjectKind::Pharmacy];

/// A commendation as an inspector proposes it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommendation {
    /// Bonus points proposed, inside the policy's range (default 1–5).
    #[schema(minimum = 1, maximum = 100)]
    pub points: u32,
    /// What the institution or pharmacy is commended for, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// References to the proof (files, hashes, URIs), 1 to 100.
    #[schema(min_items = 1, max_items = 100)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommendationView {
    pub id: i64,
    pub subject_code: String,
    pub state: AwardState,
    /// Points proposed.
    pub points: u32,
    pub reason: String,
    pub evidence: Vec<Evidence>,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// Approved: the points the bonus entry carries (fewer than proposed when the cycle's cap leaves fewer).
    pub points_awarded: Option<u32>,
    /// Approved: the ledger entry written.
    pub credit_entry_id: Option<i64>,
}

fn view(m: commendation::Model) -> ServiceResult<CommendationView> {
    Ok(CommendationView {
        state: column("commendations", m.id, &m.state)?,
        evidence: awards::evidence_of("commendations", m.id, &m.evidence)?,
        points: u32::try_from(m.points).unwrap_or(0),
        points_awarded: m.points_awarded.map(|p| u32::try_from(p).unwrap_or(0)),
        id: m.id,
        subject_code: m.subject_code,
        reason: m.reason,
        proposed_by: m.proposed_by,
        proposed_at: m.proposed_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        decision_reason: m.decision_reason,
        credit_entry_id: m.credit_entry_id,
    })
}

/// An inspector proposes a commendation of an institution or pharmacy.
pub async fn propose(
    w: &Writer,
    code: &str,
    body: NewCommendation,
) -> ServiceResult<CommendationView> {
    w.actor.require(&RECORDERS)?;
    let refusal = msg!("commendation-for-organisations-only");
    let target = awards::subject_of_kind(w.db(), code, &ORGANISATIONS, refusal).await?;
    let organisation = &w.cx.policy().organisation;
    let (min, max) = (
        organisation.commendation_min_points,
        organisation.commendation_max_points,
    );
    let mut errors = FieldErrors::default();
    if !(min..=max).contains(&body.points) {
        errors.add(
            "points",
            msg!("commendation-points-range", min = min, max = max),
        );
    }
    let (reason, evidence) =
        awards::checked_text_and_evidence(("reason", &body.reason), &body.evidence, &mut errors)?;
    errors.finish()?;
    let row = commendation::ActiveModel {
        subject_id: Set(target.id),
        subject_code: Set(target.code.clone()),
        points: Set(i32::try_from(body.points).unwrap_or(i32::MAX)),
        reason: Set(reason),
        evidence: Set(evidence),
        proposed_by: Set(w.actor.sub.clone()),
        proposed_at: Set(w.cx.now),
        state: Set(AwardState::Pending.as_str().to_string()),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let proposed = view(row)?;
    let subject = (target.id, target.code.as_str());
    let what = (
        "commendation.propose",
        ChangeEntity::Commendation,
        ChangeOp::Added,
    );
    awards::log(w, what, subject, proposed.id, &proposed).await?;
    Ok(proposed)
}

/// An approver who did not propose it approves (writing the bonus, capped) or rejects a commendation.
pub async fn decide(w: &Writer, id: i64, body: AwardDecision) -> ServiceResult<CommendationView> {
    w.actor.require(&DECIDERS)?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let db = w.db();
    let pending = commendation::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("no-commendation", id = id.to_string())))?;
    let proposer = [(Party::Commender, Some(pending.proposed_by.as_str()))];
    four_eyes::check(Decision::Commendation, &w.actor.sub, &proposer)
        .map_err(ServiceError::Forbidden)?;
    awards::ensure_pending("commendations", id, &pending.state)?;
    let mut row: commendation::ActiveModel = pending.clone().into();
    if body.outcome == AwardOutcome::Approved {
        awards::lock_subject(w, pending.subject_id).await?;
        let cycle = w.cx.cycle();
        let entries = entries_until(db, pending.subject_id, cycle, w.cx.today()).await?;
        let wanted = u32::try_from(pending.points).unwrap_or(0);
        let points = bonus_room(&entries, cycle, wanted, w.cx.policy());
        if points == 0 {
            let cap = w.cx.policy().organisation.bonus_cap;
            return Err(ServiceError::Conflict(msg!(
                "bonus-cap-reached",
                cap = cap,
                cycle = cycle.to_string()
            )));
        }
        let why = msg!(
            "reason-commendation-bonus",
            id = id,
            reason = reason.as_str()
        );
        let subject = (pending.subject_id, pending.subject_code.as_str());
        let key = format!("commendation:{id}");
        let entry =
            credit::append_award(w, subject, (EntryKind::Bonus, cycle), points, key, why).await?;
        row.points_awarded = Set(Some(entry.points));
        row.credit_entry_id = Set(Some(entry.id));
    }
    row.state = Set(awards::decided_state(body.outcome).as_str().to_string());
    row.decided_by = Set(Some(w.actor.sub.clone()));
    row.decided_at = Set(Some(w.cx.now));
    row.decision_reason = Set(Some(reason));
    let decided = view(row.update(db).await?)?;
    let subject = (pending.subject_id, pending.subject_code.as_str());
    let what = (
        "commendation.decide",
        ChangeEntity::Commendation,
        ChangeOp::Ended,
    );
    awards::log(w, what, subject, id, &decided).await?;
    Ok(decided)
}

/// The once-a-cycle bonus for a valid credit commitment (信用承诺), called by the use case that records the
/// signature. Idempotent per subject and cycle (the award key), respects the cap (writes what it leaves, and
/// nothing once it is reached), and does nothing for a subject that earns no bonuses (people).
pub async fn award_commitment_bonus(w: &Writer, subject_id: i64) -> ServiceResult<()> {
    let db = w.db();
    let target = entity::subject::Entity::find_by_id(subject_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!(
                "no-subject-with-id",
                subject_id = subject_id.to_string()
            ))
        })?;
    if !ORGANISATIONS.contains(&lookup::kind_of(&target)?) {
        return Ok(());
    }
    awards::lock_subject(w, subject_id).await?;
    let cycle = w.cx.cycle();
    let key = format!("commitment:{subject_id}:{cycle}");
    let awarded = credit_entry::Entity::find()
        .filter(credit_entry::Column::AwardKey.eq(key.as_str()))
        .one(db)
        .await?;
    if awarded.is_some() {
        return Ok(());
    }
    let entries = entries_until(db, subject_id, cycle, w.cx.today()).await?;
    let wanted = w.cx.policy().organisation.commitment_bonus;
    let points = bonus_room(&entries, cycle, wanted, w.cx.policy());
    if points == 0 {
        return Ok(());
    }
    let why = msg!("reason-commitment-bonus", cycle = cycle.to_string());
    let subject = (target.id, target.code.as_str());
    credit::append_award(w, subject, (EntryKind::Bonus, cycle), points, key, why).await?;
    Ok(())
}

/// The first day of a cycle: every institution and pharmacy whose commitment is still valid that day earns the
/// new cycle's bonus. A signature carries over the new year (only a new text asks for a new one), so without
/// this the bonus "once a cycle" would be paid only in the year of signing. Run by the date scheduler, in the
/// day's transaction; a day replayed in a later cycle awards nothing (its cycle is over).
pub async fn award_new_cycle_bonuses(w: &Writer, day: NaiveDate) -> ServiceResult<()> {
    let cycle = w.cx.cycle();
    if day.ordinal() != 1 || cycle_of_date(day) != cycle {
        return Ok(());
    }
    let db = w.db();
    let signers: Vec<i64> = commitment::Entity::find()
        .select_only()
        .column(commitment::Column::SubjectId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for chunk in signers.chunks(500) {
        let organisations = subject::Entity::find()
            .filter(subject::Column::Id.is_in(chunk.to_vec()))
            .filter(subject::Column::Kind.is_in(ORGANISATIONS.map(|k| k.as_str())))
            .all(db)
            .await?;
        for organisation in organisations {
            let kind = lookup::kind_of(&organisation)?;
            let facts = load_facts(db, organisation.id, kind, cycle).await?;
            let valid = commitment_on(&facts.commitment_texts, &facts.signatures, day).state;
            if valid == CommitmentState::Signed {
                award_commitment_bonus(w, organisation.id).await?;
            }
        }
    }
    Ok(())
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    id: i64,
) -> ServiceResult<CommendationView> {
    let missing = msg!("no-commendation", id = id.to_string());
    awards::get::<_, commendation::Entity, _>((db, reader), id, view, missing).await
}

/// Commendations, oldest first; `subject` (a path's code) narrows them like `subject_code`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    subject: Option<&str>,
    query: AwardQuery,
) -> ServiceResult<Page<CommendationView>> {
    let columns = awards::ListColumns::<commendation::Entity> {
        id: commendation::Column::Id,
        subject_id: commendation::Column::SubjectId,
        subject_code: commendation::Column::SubjectCode,
        state: commendation::Column::State,
        id_of: |m| m.id,
    };
    awards::list((db, reader), columns, subject, query, view).await
}
