//! Point repair by activities (issue 20, point 5; Tianjin's rule): a practitioner earns points back by taking
//! part in training, publicity or a flight inspection. An inspector records the activity with its date and
//! evidence; a reviewer who did not record it approves it, which writes a `repair` ledger entry of the policy's
//! points in the activity's cycle, never more than the points the practitioner has (points do not fall below 0)
//! nor past the cycle's allowance for activities. Sanctions already started run their course; the engine's later
//! thresholds count the repaired total, as its fold nets repairs against deductions.

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::awards::{self, AwardDecision, AwardOutcome, AwardQuery, AwardState, RECORDERS};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::cycle_of_date;
use crate::domain::enums::string_enum;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::roles::Role;
use crate::domain::scoring::{EntryKind, SubjectKind, repair_room};
use crate::pagination::Page;
use crate::service::actor::Actor;
use crate::service::cases::Evidence;
use crate::service::credit::{self, entries_until};
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::writer::Writer;
use entity::repair_activity;

/// Reviewers decide repair activities (admin too).
pub const DECIDERS: [Role; 1] = [Role::Reviewer];

string_enum! {
    /// What the practitioner took part in.
    pub enum ActivityKind as "activity kind" {
        /// 培训
        Training = "training",
        /// 宣传
        Publicity = "publicity",
        /// 飞行检查
        FlightInspection = "flight_inspection",
    }
}

/// An activity as an inspector records it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepairActivity {
    pub kind: ActivityKind,
    /// The day it took place (UTC+8): in the current cycle, not after today.
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub held_on: NaiveDate,
    /// What it was, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// References to the proof of taking part (attendance sheet, certificate), 1 to 100.
    #[schema(min_items = 1, max_items = 100)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepairActivityView {
    pub id: i64,
    pub subject_code: String,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    /// The credit cycle whose points it repairs: that of `held_on`.
    pub cycle: i32,
    pub description: String,
    pub evidence: Vec<Evidence>,
    pub state: AwardState,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// Approved: the points given back (fewer than the policy's when the points held or the cycle's allowance
    /// leave fewer).
    pub points_awarded: Option<u32>,
    /// Approved: the ledger entry written.
    pub credit_entry_id: Option<i64>,
}

fn view(m: repair_activity::Model) -> ServiceResult<RepairActivityView> {
    Ok(RepairActivityView {
        kind: column("repair_activities", m.id, &m.kind)?,
        state: column("repair_activities", m.id, &m.state)?,
        evidence: awards::evidence_of("repair_activities", m.id, &m.evidence)?,
        points_awarded: m.points_awarded.map(|p| u32::try_from(p).unwrap_or(0)),
        id: m.id,
        subject_code: m.subject_code,
        held_on: m.held_on,
        cycle: m.cycle,
        description: m.description,
        recorded_by: m.recorded_by,
        recorded_at: m.recorded_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        decision_reason: m.decision_reason,
        credit_entry_id: m.credit_entry_id,
    })
}

/// An inspector records a practitioner's activity.
pub async fn record(
    w: &Writer,
    code: &str,
    body: NewRepairActivity,
) -> ServiceResult<RepairActivityView> {
    w.actor.require(&RECORDERS)?;
    let refusal = msg!("repair-activity-for-practitioners-only");
    let kinds = [SubjectKind::Practitioner];
    let target = awards::subject_of_kind(w.db(), code, &kinds, refusal).await?;
    let today = w.cx.today();
    let mut errors = FieldErrors::default();
    if body.held_on > today {
        errors.add("held_on", msg!("repair-activity-in-the-future"));
    } else if cycle_of_date(body.held_on) != w.cx.cycle() {
        // Points reset on 1 January: an activity of an earlier year has nothing left to repair.
        errors.add(
            "held_on",
            msg!(
                "repair-activity-of-another-cycle",
                cycle = w.cx.cycle().to_string()
            ),
        );
    }
    let text = ("description", body.description.as_str());
    let (description, evidence) =
        awards::checked_text_and_evidence(text, &body.evidence, &mut errors)?;
    errors.finish()?;
    let row = repair_activity::ActiveModel {
        subject_id: Set(target.id),
        subject_code: Set(target.code.clone()),
        kind: Set(body.kind.as_str().to_string()),
        held_on: Set(body.held_on),
        cycle: Set(cycle_of_date(body.held_on)),
        description: Set(description),
        evidence: Set(evidence),
        recorded_by: Set(w.actor.sub.clone()),
        recorded_at: Set(w.cx.now),
        state: Set(AwardState::Pending.as_str().to_string()),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let recorded = view(row)?;
    let subject = (target.id, target.code.as_str());
    let what = (
        "repair_activity.record",
        ChangeEntity::RepairActivity,
        ChangeOp::Added,
    );
    awards::log(w, what, subject, recorded.id, &recorded).await?;
    Ok(recorded)
}

/// Points activities already gave the subject back in `cycle`.
async fn repaired_in<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    cycle: i32,
) -> ServiceResult<u32> {
    let rows = repair_activity::Entity::find()
        .filter(repair_activity::Column::SubjectId.eq(subject_id))
        .filter(repair_activity::Column::Cycle.eq(cycle))
        .filter(repair_activity::Column::State.eq(AwardState::Approved.as_str()))
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.points_awarded)
        .map(|p| u32::try_from(p).unwrap_or(0))
        .sum())
}

/// A reviewer who did not record it approves (giving points back) or rejects an activity.
pub async fn decide(w: &Writer, id: i64, body: AwardDecision) -> ServiceResult<RepairActivityView> {
    w.actor.require(&DECIDERS)?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let db = w.db();
    let pending = repair_activity::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("no-repair-activity", id = id.to_string())))?;
    let recorder = [(Party::ActivityRecorder, Some(pending.recorded_by.as_str()))];
    four_eyes::check(Decision::RepairActivity, &w.actor.sub, &recorder)
        .map_err(ServiceError::Forbidden)?;
    awards::ensure_pending("repair_activities", id, &pending.state)?;
    let mut row: repair_activity::ActiveModel = pending.clone().into();
    if body.outcome == AwardOutcome::Approved {
        awards::lock_subject(w, pending.subject_id).await?;
        let (policy, cycle) = (w.cx.policy(), pending.cycle);
        let entries = entries_until(db, pending.subject_id, cycle, w.cx.today()).await?;
        let repaired = repaired_in(db, pending.subject_id, cycle).await?;
        let wanted = policy.practitioner.repair_activity_points;
        let points = repair_room(&entries, cycle, wanted, repaired, policy);
        if points == 0 {
            let most = policy.practitioner.repair_activity_max_per_cycle;
            let refusal = if repaired >= most {
                msg!(
                    "repair-activity-allowance-used",
                    most = most,
                    cycle = cycle.to_string()
                )
            } else {
                msg!("repair-activity-no-points", cycle = cycle.to_string())
            };
            return Err(ServiceError::Conflict(refusal));
        }
        let why = msg!("reason-repair-activity", id = id, reason = reason.as_str());
        let subject = (pending.subject_id, pending.subject_code.as_str());
        let key = format!("repair-activity:{id}");
        let entry =
            credit::append_award(w, subject, (EntryKind::Repair, cycle), points, key, why).await?;
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
        "repair_activity.decide",
        ChangeEntity::RepairActivity,
        ChangeOp::Ended,
    );
    awards::log(w, what, subject, id, &decided).await?;
    Ok(decided)
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    id: i64,
) -> ServiceResult<RepairActivityView> {
    let missing = msg!("no-repair-activity", id = id.to_string());
    awards::get::<_, repair_activity::Entity, _>((db, reader), id, view, missing).await
}

/// Repair activities, oldest first; `subject` (a path's code) narrows them like `subject_code`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    subject: Option<&str>,
    query: AwardQuery,
) -> ServiceResult<Page<RepairActivityView>> {
    let columns = awards::ListColumns::<repair_activity::Entity> {
        id: repair_activity::Column::Id,
        subject_id: repair_activity::Column::SubjectId,
        subject_code: repair_activity::Column::SubjectCode,
        state: repair_activity::Column::State,
        id_of: |m| m.id,
    };
    awards::list((db, reader), columns, subject, query, view).await
}
