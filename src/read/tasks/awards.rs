//! Commendations and repair activities waiting for a decision, leaving out those the caller proposed or
//! recorded (four eyes). Neither has a time limit of its own in the rules, so the queue gives a commendation
//! the working days an approver has for a case and an activity those a reviewer has for a repair.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{Task, TaskKind, task};
use crate::domain::dates::legal_date;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use entity::{commendation, repair_activity};

const PENDING: &str = "pending";

pub(super) async fn commendations<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
) -> ServiceResult<Vec<Task>> {
    let days = cx.policy().cases.approval_due_working_days;
    let pending = commendation::Entity::find()
        .filter(commendation::Column::State.eq(PENDING))
        .all(db)
        .await?;
    Ok(pending
        .into_iter()
        .filter(|c| {
            let proposer = [(Party::Commender, Some(c.proposed_by.as_str()))];
            four_eyes::check(Decision::Commendation, &reader.sub, &proposer).is_ok()
        })
        .map(|c| {
            let since = legal_date(c.proposed_at);
            let due = cx.config.calendar.add_working_days(since, days);
            let kind = TaskKind::CommendationDecision;
            Task {
                commendation_id: Some(c.id),
                ..task(cx, kind, c.subject_code, since, due)
            }
        })
        .collect())
}

pub(super) async fn activities<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
) -> ServiceResult<Vec<Task>> {
    let days = cx.policy().lists.repair_decision_working_days;
    let pending = repair_activity::Entity::find()
        .filter(repair_activity::Column::State.eq(PENDING))
        .all(db)
        .await?;
    Ok(pending
        .into_iter()
        .filter(|a| {
            let recorder = [(Party::ActivityRecorder, Some(a.recorded_by.as_str()))];
            four_eyes::check(Decision::RepairActivity, &reader.sub, &recorder).is_ok()
        })
        .map(|a| {
            let since = legal_date(a.recorded_at);
            let due = cx.config.calendar.add_working_days(since, days);
            let kind = TaskKind::RepairActivityDecision;
            Task {
                repair_activity_id: Some(a.id),
                ..task(cx, kind, a.subject_code, since, due)
            }
        })
        .collect())
}
