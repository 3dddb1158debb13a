//! 信用修复 (DESIGN §7): after the minimum publication period for the case's severity, the subject (through an
//! inspector, or its own hospital) applies with proof of rectification; a reviewer decides within N working
//! days (holiday calendar). Approval ends the list entry as `repaired` and/or gives points back in the ledger.

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::{add_months, legal_date};
use crate::domain::enums::string_enum;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::lists::EndKind;
use crate::domain::policy::Severity;
use crate::domain::roles::Role;
use crate::domain::sanctions::check_reason;
use crate::domain::scoring::EntryKind;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::affiliations;
use crate::service::appeals::{FILERS, READERS};
use crate::service::cases::{Evidence, kind_of_case};
use crate::service::context::Ctx;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::subjects::{ensure_hospital_owns, ensure_visible};
use crate::service::writer::Writer;
use crate::service::{credit, lists};
use entity::{list_entry, repair, subject, violation, violation_type};

string_enum! {
    pub enum RepairState as "repair state" {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

string_enum! {
    pub enum RepairOutcome as "repair outcome" {
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// Who decides a repair (admin too).
pub const DECIDERS: [Role; 1] = [Role::Reviewer];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepair {
    /// The list entry to end early.
    pub list_entry_id: Option<i64>,
    /// The case whose points are to be given back.
    pub violation_id: Option<i64>,
    /// What was rectified, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// Proof of rectification (references, not files), 1 to 100.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairDecision {
    pub outcome: RepairOutcome,
    /// 1–2000 characters; a rejection must say why.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// Points (or score) to give back for the case; default all of them, at most the case's.
    pub points: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepairView {
    pub id: i64,
    pub list_entry_id: Option<i64>,
    pub violation_id: Option<i64>,
    pub subject_code: String,
    pub state: RepairState,
    pub reason: String,
    pub evidence: Vec<Evidence>,
    /// First day an application was possible (minimum publication period).
    pub eligible_from: NaiveDate,
    /// The reviewer decides by this day (working days, holiday calendar).
    pub decision_due: NaiveDate,
    /// Pending past `decision_due`.
    pub overdue: bool,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub points_restored: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RepairQuery {
    pub state: Option<RepairState>,
    /// Only undecided applications past their due date.
    pub overdue: Option<bool>,
    pub subject_code: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn view(m: repair::Model, today: NaiveDate) -> ServiceResult<RepairView> {
    let state: RepairState = column("repairs", m.id, &m.state)?;
    Ok(RepairView {
        overdue: state == RepairState::Pending && m.decision_due < today,
        evidence: serde_json::from_str(&m.evidence)
            .map_err(|e| ServiceError::corrupt("repairs", m.id, e))?,
        state,
        id: m.id,
        list_entry_id: m.list_entry_id,
        violation_id: m.violation_id,
        subject_code: m.subject_code,
        reason: m.reason,
        eligible_from: m.eligible_from,
        decision_due: m.decision_due,
        filed_by: m.filed_by,
        filed_at: m.filed_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        decision_reason: m.decision_reason,
        points_restored: m.points_restored,
    })
}

/// When a repair of what was published on `from` with `severity` may first be applied for.
fn eligible(cx: &Ctx, severity: Severity, from: NaiveDate) -> NaiveDate {
    let (months, _) = cx.policy().lists.repair_publication_months(severity);
    add_months(from, months)
}

/// The right to apply for the repair of these targets, before anything about them is judged: a hospital only
/// for its own institution's and practitioners' published entries and cases, with one 403 for another's, for
/// an unpublished entry and for none.
async fn may_apply<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    actor: &Actor,
    body: &NewRepair,
) -> ServiceResult<()> {
    if actor.role != Role::Hospital {
        return Ok(());
    }
    if let Some(id) = body.list_entry_id {
        let owner = list_entry::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|e| e.published)
            .map(|e| e.subject_id);
        ensure_hospital_owns(db, cx.today(), actor, owner).await?;
    }
    if let Some(id) = body.violation_id {
        let owner = violation::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.subject_id);
        ensure_hospital_owns(db, cx.today(), actor, owner).await?;
    }
    Ok(())
}

pub async fn apply(w: &Writer, body: NewRepair) -> ServiceResult<RepairView> {
    w.actor.require(&FILERS)?;
    may_apply(w.db(), &w.cx, &w.actor, &body).await?;
    let reason = body.reason.trim().to_string();
    let mut errors = FieldErrors::default();
    errors.check("reason", check_reason(&reason));
    if body.list_entry_id.is_none() && body.violation_id.is_none() {
        errors.add("list_entry_id", msg!("give-list-entry-id-violation-id-or"));
    }
    if !(1..=100).contains(&body.evidence.len()) {
        errors.add("evidence", msg!("give-1-to-100-references-to-the"));
    }
    errors.finish()?;
    let db = w.db();
    let mut subject_id = None;
    let mut eligible_from = NaiveDate::MIN;
    if let Some(id) = body.list_entry_id {
        let entry = list_entry::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| {
                ServiceError::validation(
                    "list_entry_id",
                    msg!("no-list-entry-3", id = id.to_string()),
                )
            })?;
        if entry.end_kind.is_some() || entry.expires_on.is_some_and(|e| e < w.cx.today()) {
            return Err(ServiceError::Conflict(msg!(
                "list-entry-has-already-ended-2",
                id = id.to_string()
            )));
        }
        // A black-list entry is a serious finding: the serious period applies.
        eligible_from = eligible_from.max(eligible(&w.cx, Severity::Serious, entry.listed_on));
        subject_id = Some(entry.subject_id);
    }
    if let Some(id) = body.violation_id {
        let case = violation::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| {
                ServiceError::validation(
                    "violation_id",
                    msg!("no-violation-case", id = id.to_string()),
                )
            })?;
        let approved = case
            .approved_at
            .filter(|_| case.state == "approved")
            .ok_or_else(|| {
                ServiceError::validation(
                    "violation_id",
                    msg!("case-is-not-an-approved-case", id = id.to_string()),
                )
            })?;
        if subject_id.is_some_and(|s| s != case.subject_id) {
            return Err(ServiceError::validation(
                "violation_id",
                msg!("is-a-case-of-another-subject-than"),
            ));
        }
        let case_type = violation_type::Entity::find_by_id(case.type_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                ServiceError::corrupt("violations", id, "names a missing catalogue entry")
            })?;
        let severity: Severity = column("violation_types", case_type.id, &case_type.severity)?;
        eligible_from = eligible_from.max(eligible(&w.cx, severity, legal_date(approved)));
        subject_id = Some(case.subject_id);
    }
    let subject_id = subject_id.unwrap_or_default();
    let owner = subject::Entity::find_by_id(subject_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!(
                "no-subject-with-id",
                subject_id = subject_id.to_string()
            ))
        })?;
    if w.actor.role == Role::Hospital {
        ensure_visible(db, w.cx.today(), &w.actor, &owner).await?;
    }
    let today = w.cx.today();
    if today < eligible_from {
        return Err(ServiceError::Unprocessable(msg!(
            "not-yet-eligible-for-credit-repair-the",
            eligible_from = eligible_from.to_string()
        )));
    }
    let days = w.cx.policy().lists.repair_decision_working_days;
    let decision_due = w.cx.config.calendar.add_working_days(today, days);
    let evidence = serde_json::to_string(&body.evidence).map_err(|e| {
        ServiceError::Unprocessable(msg!("evidence-is-not-json", e = e.to_string()))
    })?;
    let filed = repair::ActiveModel {
        list_entry_id: Set(body.list_entry_id),
        violation_id: Set(body.violation_id),
        subject_id: Set(owner.id),
        subject_code: Set(owner.code.clone()),
        state: Set(RepairState::Pending.as_str().to_string()),
        reason: Set(reason),
        evidence: Set(evidence),
        eligible_from: Set(eligible_from),
        decision_due: Set(decision_due),
        filed_by: Set(w.actor.sub.clone()),
        filed_role: Set(w.actor.role.as_str().to_string()),
        filed_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let filed = view(filed, today)?;
    w.audit("repair.apply", &owner.code, &filed).await?;
    let subject = (owner.id, owner.code.as_str());
    w.change(
        ChangeEntity::Repair,
        filed.id,
        subject,
        ChangeOp::Added,
        &filed,
    )
    .await?;
    Ok(filed)
}

pub async fn decide(w: &Writer, id: i64, body: RepairDecision) -> ServiceResult<RepairView> {
    w.actor.require(&DECIDERS)?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let db = w.db();
    let pending = repair::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!("no-repair-application", id = id.to_string()))
        })?;
    let state: RepairState = column("repairs", id, &pending.state)?;
    if state != RepairState::Pending {
        return Err(ServiceError::Conflict(msg!(
            "repair-is-already",
            id = id.to_string(),
            state = state.to_string()
        )));
    }
    let applicant = [(Party::Applicant, Some(pending.filed_by.as_str()))];
    four_eyes::check(Decision::Repair, &w.actor.sub, &applicant)
        .map_err(ServiceError::Forbidden)?;
    let mut restored = None;
    if body.outcome == RepairOutcome::Approved {
        if let Some(entry_id) = pending.list_entry_id {
            let entry = list_entry::Entity::find_by_id(entry_id)
                .one(db)
                .await?
                .ok_or_else(|| {
                    ServiceError::corrupt("repairs", id, "names a missing list entry")
                })?;
            lists::end_entry(
                w,
                entry,
                EndKind::Repaired,
                crate::i18n::msg!("reason-credit-repair", id = id, reason = reason.as_str()),
            )
            .await?;
        }
        if let Some(case_id) = pending.violation_id {
            let case = violation::Entity::find_by_id(case_id)
                .one(db)
                .await?
                .ok_or_else(|| ServiceError::corrupt("repairs", id, "names a missing case"))?;
            let most = u32::try_from(case.points.unwrap_or(0)).unwrap_or(0);
            let points = body.points.unwrap_or(most);
            if points > most {
                return Err(ServiceError::validation(
                    "points",
                    msg!("at-most-the-case-s", most = most.to_string()),
                ));
            }
            if points > 0 && kind_of_case(&case)?.scale().is_some() {
                let cycle = case.cycle.unwrap_or_else(|| w.cx.cycle());
                let subject = (case.subject_id, case.subject_code.as_str());
                let why = crate::i18n::msg!(
                    "reason-credit-repair-of-case",
                    id = id,
                    case = case_id,
                    reason = reason.as_str()
                );
                credit::append_entry(
                    w,
                    subject,
                    (EntryKind::Repair, cycle),
                    points,
                    Some(case_id),
                    why,
                )
                .await?;
                restored = Some(points as i32);
            }
        }
    } else if body.points.is_some() {
        return Err(ServiceError::validation(
            "points",
            msg!("applies-only-to-an-approval"),
        ));
    }
    let decided = match body.outcome {
        RepairOutcome::Approved => RepairState::Approved,
        RepairOutcome::Rejected => RepairState::Rejected,
    };
    let mut row: repair::ActiveModel = pending.clone().into();
    row.state = Set(decided.as_str().to_string());
    row.decided_by = Set(Some(w.actor.sub.clone()));
    row.decided_at = Set(Some(w.cx.now));
    row.decision_reason = Set(Some(reason));
    row.points_restored = Set(restored);
    let updated = view(row.update(db).await?, w.cx.today())?;
    w.audit("repair.decide", &pending.subject_code, &updated)
        .await?;
    let subject = (pending.subject_id, pending.subject_code.as_str());
    w.change(ChangeEntity::Repair, id, subject, ChangeOp::Ended, &updated)
        .await?;
    Ok(updated)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: RepairQuery,
) -> ServiceResult<Page<RepairView>> {
    reader.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = repair::Entity::find()
        .filter(repair::Column::Id.gt(page.after))
        .order_by_asc(repair::Column::Id)
        .limit(page.fetch_limit());
    if let Some(state) = query.state {
        select = select.filter(repair::Column::State.eq(state.as_str()));
    }
    if query.overdue == Some(true) {
        select = select
            .filter(repair::Column::State.eq(RepairState::Pending.as_str()))
            .filter(repair::Column::DecisionDue.lt(cx.today()));
    }
    if let Some(code) = query.subject_code.as_deref().map(str::trim) {
        select = select.filter(repair::Column::SubjectCode.eq(code));
    }
    if let Some(ids) = affiliations::hospital_subject_ids(db, cx.today(), reader).await? {
        select = select.filter(repair::Column::SubjectId.is_in(ids));
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    let today = cx.today();
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|m| view(m, today))
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}
