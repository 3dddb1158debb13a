//! `GET /api/v1/tasks` (issue 24): what waits for the caller (cases to review, approve or resubmit; appeals,
//! repairs, commendations, repair activities to decide; major-case reports due; tips to take up), with the ids
//! to act by, the due day in working days (holiday calendar) and whether it has passed. Overdue first.
//!
//! A kind is a variant of [`TaskKind`] and an arm of `source`; smart-monitoring suspects (疑点) to triage,
//! verify and second-review come from `suspicions`. A decision the caller may not take by four eyes (`domain::four_eyes`) is
//! never offered. Partners, hospitals and auditors decide nothing: their answer is 403, like any write of theirs.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::appeals::AppealState;
use crate::domain::cases::{self, CaseAction, CaseState};
use crate::domain::dates::legal_date;
use crate::domain::enums::string_enum;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::roles::Role;
use crate::domain::tips::TipState;
use crate::pagination::{Page, PageRequest};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use entity::{appeal, repair, tip, violation, violation_transition};

string_enum! {
    /// What waits, and so what the caller does about it. The order here breaks ties between items due the same
    /// day.
    pub enum TaskKind as "task kind" {
        /// 稽核股覆核: a recorded or resubmitted case to review (`POST /violations/{id}/review`).
        CaseReview = "case_review",
        /// 分管领导审核: a reviewed case to approve, return or reject (`POST /violations/{id}/approve`).
        CaseApproval = "case_approval",
        /// A case returned to the inspector who recorded it, for more evidence (`POST /violations/{id}/resubmit`).
        CaseResubmission = "case_resubmission",
        /// 申诉 to decide (`POST /appeals/{id}/decision`).
        AppealDecision = "appeal_decision",
        /// 信用修复 application to decide (`POST /repairs/{id}/decision`).
        RepairDecision = "repair_decision",
        /// 重大案件: report the approved case to the authority above by `due_on` (seed 002; outside this service).
        MajorCaseReport = "major_case_report",
        /// 举报 received, to take up or not (`POST /tips/{id}/decision`), by the policy's working days from receipt.
        TipDecision = "tip_decision",
        /// 守信激励: a commendation to approve or reject (`POST /commendations/{id}/decision`), in the working
        /// days an approver has for a case (`cases.approval_due_working_days`).
        CommendationDecision = "commendation_decision",
        /// A practitioner's repair activity to approve or reject (`POST /repair-activities/{id}/decision`), in the
        /// working days a reviewer has for a repair (`lists.repair_decision_working_days`).
        RepairActivityDecision = "repair_activity_decision",
        /// 疑点初审: a pending suspect to triage (`POST /suspicions/{id}/triage`).
        SuspicionTriage = "suspicion_triage",
        /// 疑点核实: a suspect answered, or past its explanation deadline, to verify
        /// (`POST /suspicions/{id}/verification`).
        SuspicionVerification = "suspicion_verification",
        /// 疑点复审: a decision on a suspect to second-review (`POST /suspicions/{id}/second-review`); never one the
        /// caller triaged or verified.
        SuspicionReview = "suspicion_review",
    }
}

impl TaskKind {
    /// The role a task waits for; admins may act on every kind (DESIGN §1).
    fn role(self) -> Role {
        match self {
            TaskKind::CaseReview
            | TaskKind::AppealDecision
            | TaskKind::RepairDecision
            | TaskKind::RepairActivityDecision
            | TaskKind::SuspicionReview => Role::Reviewer,
            TaskKind::CaseApproval | TaskKind::MajorCaseReport | TaskKind::CommendationDecision => {
                Role::Approver
            }
            TaskKind::CaseResubmission
            | TaskKind::TipDecision
            | TaskKind::SuspicionTriage
            | TaskKind::SuspicionVerification => Role::Inspector,
        }
    }

    fn rank(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// Roles with anything to do; the rest are refused.
pub const WORKERS: [Role; 3] = [Role::Inspector, Role::Reviewer, Role::Approver];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// Only tasks of this kind.
    pub kind: Option<TaskKind>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One thing waiting for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub kind: TaskKind,
    /// The subject the task is about.
    pub subject_code: String,
    /// The case: to review, approve, resubmit or report; for an appeal, the case appealed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation_id: Option<i64>,
    /// The appeal to decide (`appeal_decision`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal_id: Option<i64>,
    /// The repair application to decide (`repair_decision`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair_id: Option<i64>,
    /// The tip to take up or not (`tip_decision`); its `subject_code` is the code the reporter gave, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip_id: Option<i64>,
    /// The commendation to decide (`commendation_decision`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commendation_id: Option<i64>,
    /// The repair activity to decide (`repair_activity_decision`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair_activity_id: Option<i64>,
    /// The suspect to triage, verify or second-review (`suspicion_*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspicion_id: Option<i64>,
    /// The day it started waiting (UTC+8): recorded, reviewed, returned, filed or approved.
    pub waiting_since: NaiveDate,
    /// The last day to act (UTC+8), counted in working days with the holiday calendar; the time limits are in
    /// the policy (`cases.*_working_days`, `lists.repair_decision_working_days`).
    pub due_on: NaiveDate,
    /// `due_on` has passed.
    pub overdue: bool,
}

impl Task {
    fn id(&self) -> i64 {
        self.appeal_id
            .or(self.repair_id)
            .or(self.tip_id)
            .or(self.commendation_id)
            .or(self.repair_activity_id)
            .or(self.suspicion_id)
            .or(self.violation_id)
            .unwrap_or_default()
    }

    fn key(&self) -> (NaiveDate, usize, i64) {
        (self.due_on, self.kind.rank(), self.id())
    }
}

/// The caller's tasks, one page: earliest due first, so every overdue task comes before the rest.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: TaskQuery,
) -> ServiceResult<Page<Task>> {
    reader.require(&WORKERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let (limit, after) = (page.limit, (page.after > 0).then(|| unpack(page.after)));
    let mut tasks = Vec::new();
    for kind in TaskKind::ALL.iter().copied() {
        let mine = reader.role == Role::Admin || reader.role == kind.role();
        if mine && query.kind.is_none_or(|k| k == kind) {
            tasks.extend(source(db, cx, reader, kind).await?);
        }
    }
    tasks.retain(|t| after.is_none_or(|a| t.key() > a));
    tasks.sort_by_key(Task::key);
    let more = tasks.len() as u64 > limit;
    tasks.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let last = tasks.last().map(|t| pack(t.key()));
    Ok(page.page_of_views(tasks, more, last))
}

/// Where each kind comes from. A new kind is a variant above and an arm here.
async fn source<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    kind: TaskKind,
) -> ServiceResult<Vec<Task>> {
    let policy = &cx.policy().cases;
    let (state, days) = match kind {
        TaskKind::CaseReview => (CaseState::Recorded, policy.review_due_working_days),
        TaskKind::CaseApproval => (CaseState::Reviewed, policy.approval_due_working_days),
        TaskKind::CaseResubmission => (CaseState::Returned, policy.resubmission_due_working_days),
        TaskKind::AppealDecision => return appeals(db, cx, reader).await,
        TaskKind::RepairDecision => return repairs(db, cx, reader).await,
        TaskKind::MajorCaseReport => return reports(db, cx).await,
        TaskKind::TipDecision => return tips(db, cx).await,
        TaskKind::CommendationDecision => return awards::commendations(db, cx, reader).await,
        TaskKind::RepairActivityDecision => return awards::activities(db, cx, reader).await,
        TaskKind::SuspicionTriage | TaskKind::SuspicionVerification | TaskKind::SuspicionReview => {
            return suspicions::tasks(db, cx, reader, kind).await;
        }
    };
    cases_in(db, cx, reader, kind, state, days).await
}

pub(super) fn task(
    cx: &Ctx,
    kind: TaskKind,
    subject_code: String,
    since: NaiveDate,
    due_on: NaiveDate,
) -> Task {
    Task {
        kind,
        subject_code,
        violation_id: None,
        appeal_id: None,
        repair_id: None,
        tip_id: None,
        commendation_id: None,
        repair_activity_id: None,
        suspicion_id: None,
        waiting_since: since,
        due_on,
        overdue: due_on < cx.today(),
    }
}

/// Cases in `state`, due `days` working days after they entered it; review and approval leave out the cases
/// the caller took part in (four eyes), resubmission offers only the caller's own.
async fn cases_in<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    kind: TaskKind,
    state: CaseState,
    days: u32,
) -> ServiceResult<Vec<Task>> {
    let rows = violation::Entity::find()
        .filter(violation::Column::State.eq(state.as_str()))
        .all(db)
        .await?;
    let rows: Vec<violation::Model> = rows
        .into_iter()
        .filter(|case| {
            // The workflow's own check, so the queue never offers what the decision would refuse.
            let may = |action| {
                let reviewed_by = case.reviewed_by.as_deref();
                cases::four_eyes(action, &reader.sub, &case.recorded_by, reviewed_by).is_ok()
            };
            match kind {
                TaskKind::CaseReview => may(CaseAction::Review),
                TaskKind::CaseApproval => may(CaseAction::Approve),
                _ => case.recorded_by == reader.sub,
            }
        })
        .collect();
    let entered = entered(db, rows.iter().map(|c| c.id), state).await?;
    Ok(rows
        .into_iter()
        .map(|case| {
            let since = legal_date(entered.get(&case.id).copied().unwrap_or(case.updated_at));
            let due = cx.config.calendar.add_working_days(since, days);
            Task {
                violation_id: Some(case.id),
                ..task(cx, kind, case.subject_code, since, due)
            }
        })
        .collect())
}

/// When each case last entered `state`, from its transitions.
async fn entered<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = i64>,
    state: CaseState,
) -> ServiceResult<HashMap<i64, DateTime<Utc>>> {
    let ids: Vec<i64> = ids.collect();
    let mut entered: HashMap<i64, DateTime<Utc>> = HashMap::new();
    // Chunks keep each statement under SQLite's and PostgreSQL's limits on bound values.
    for chunk in ids.chunks(1000) {
        let moves = violation_transition::Entity::find()
            .filter(violation_transition::Column::ViolationId.is_in(chunk.iter().copied()))
            .filter(violation_transition::Column::ToState.eq(state.as_str()))
            .all(db)
            .await?;
        for step in moves {
            let at = entered.entry(step.violation_id).or_insert(step.at);
            *at = (*at).max(step.at);
        }
    }
    Ok(entered)
}

/// Pending appeals the caller may decide: none on a case they recorded, reviewed or approved, or appealed.
async fn appeals<C: ConnectionTrait>(db: &C, cx: &Ctx, reader: &Actor) -> ServiceResult<Vec<Task>> {
    let pending = appeal::Entity::find()
        .filter(appeal::Column::State.eq(AppealState::Pending.as_str()))
        .all(db)
        .await?;
    let mut cases: HashMap<i64, violation::Model> = HashMap::new();
    let ids: Vec<i64> = pending.iter().map(|a| a.violation_id).collect();
    for chunk in ids.chunks(1000) {
        for case in violation::Entity::find()
            .filter(violation::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            cases.insert(case.id, case);
        }
    }
    let days = cx.policy().cases.appeal_decision_working_days;
    Ok(pending
        .into_iter()
        .filter(|a| {
            let case = cases.get(&a.violation_id);
            let parties = [
                (Party::Recorder, case.map(|c| c.recorded_by.as_str())),
                (Party::Reviewer, case.and_then(|c| c.reviewed_by.as_deref())),
                (Party::Approver, case.and_then(|c| c.approved_by.as_deref())),
                (Party::Appellant, Some(a.filed_by.as_str())),
            ];
            four_eyes::check(Decision::Appeal, &reader.sub, &parties).is_ok()
        })
        .map(|a| {
            let since = legal_date(a.filed_at);
            let due = cx.config.calendar.add_working_days(since, days);
            Task {
                violation_id: Some(a.violation_id),
                appeal_id: Some(a.id),
                ..task(cx, TaskKind::AppealDecision, a.subject_code, since, due)
            }
        })
        .collect())
}

/// Pending repair applications the caller did not file, due on the day fixed when they were filed.
async fn repairs<C: ConnectionTrait>(db: &C, cx: &Ctx, reader: &Actor) -> ServiceResult<Vec<Task>> {
    let pending = repair::Entity::find()
        .filter(repair::Column::State.eq("pending"))
        .all(db)
        .await?;
    Ok(pending
        .into_iter()
        .filter(|r| {
            let applicant = [(Party::Applicant, Some(r.filed_by.as_str()))];
            four_eyes::check(Decision::Repair, &reader.sub, &applicant).is_ok()
        })
        .map(|r| {
            let since = legal_date(r.filed_at);
            Task {
                violation_id: r.violation_id,
                repair_id: Some(r.id),
                ..task(
                    cx,
                    TaskKind::RepairDecision,
                    r.subject_code,
                    since,
                    r.decision_due,
                )
            }
        })
        .collect())
}

/// Approved major cases whose report is due, until `cases.report_reminder_days` after the day it was due.
async fn reports<C: ConnectionTrait>(db: &C, cx: &Ctx) -> ServiceResult<Vec<Task>> {
    let reminder = Days::new(u64::from(cx.policy().cases.report_reminder_days));
    let oldest_due = cx
        .today()
        .checked_sub_days(reminder)
        .unwrap_or(NaiveDate::MIN);
    let in_force = [CaseState::Approved.as_str(), CaseState::Appealed.as_str()];
    let cases = violation::Entity::find()
        .filter(violation::Column::Major.eq(true))
        .filter(violation::Column::State.is_in(in_force))
        .filter(violation::Column::ReportDue.gte(oldest_due))
        .all(db)
        .await?;
    Ok(cases
        .into_iter()
        .filter_map(|case| {
            let due = case.report_due?;
            let since = case.approved_at.map_or(due, legal_date);
            Some(Task {
                violation_id: Some(case.id),
                ..task(cx, TaskKind::MajorCaseReport, case.subject_code, since, due)
            })
        })
        .collect())
}

/// Tips received and not yet taken up or turned down, due on their stored `decision_due` (the policy's working
/// days from receipt, counted when the tip arrived). Who reported them is never part of a task.
async fn tips<C: ConnectionTrait>(db: &C, cx: &Ctx) -> ServiceResult<Vec<Task>> {
    let received = tip::Entity::find()
        .filter(tip::Column::State.eq(TipState::Received.as_str()))
        .all(db)
        .await?;
    Ok(received
        .into_iter()
        .map(|t| {
            let code = t.subject_code.or(t.reported_code).unwrap_or_default();
            let since = legal_date(t.received_at);
            Task {
                tip_id: Some(t.id),
                ..task(cx, TaskKind::TipDecision, code, since, t.decision_due)
            }
        })
        .collect())
}

mod awards;
mod cursor;

use cursor::{pack, unpack};

mod suspicions;
#[cfg(test)]
mod tests;
