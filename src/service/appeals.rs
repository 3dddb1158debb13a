//! 申诉 (DESIGN §7): an inspector, or the subject's own hospital, appeals an approved case within the window;
//! a reviewer who did not act on the case decides. Accepted → the case is voided with everything that rested
//! on it (`voiding`); rejected → it stands. An approver may void a case of their own motion the same way.

use crate::i18n::msg;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::appeals::{AppealOutcome, AppealState, last_day};
use crate::domain::cases::CaseAction;
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::legal_date;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::roles::Role;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::affiliations;
use crate::service::cases::workflow::{begin, finish};
use crate::service::cases::{Evidence, ReasonBody, ViolationView, find, read, target, voiding};
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult, column};
use crate::service::subjects::ensure_hospital_owns;
use crate::service::writer::Writer;
use entity::{appeal, violation};

/// Who files: an inspector on the subject's behalf, or the subject's own hospital office.
pub const FILERS: [Role; 2] = [Role::Inspector, Role::Hospital];
/// Who decides: a reviewer who did not act on the case.
pub const DECIDERS: [Role; 1] = [Role::Reviewer];
/// Who voids a case of their own motion (a correction).
pub const VOIDERS: [Role; 1] = [Role::Approver];
/// Who reads appeals: everyone but partners (hospitals: about their own subjects).
pub const READERS: [Role; 6] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Hospital,
    Role::Auditor,
    Role::Admin,
];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppeal {
    /// The grounds of the appeal, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// References to what the appeal rests on (file names, hashes, URIs), as a case's; at most 100.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecision {
    pub outcome: AppealOutcome,
    /// 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    pub id: i64,
    pub violation_id: i64,
    pub subject_code: String,
    pub state: AppealState,
    pub reason: String,
    pub filed_by: String,
    pub filed_role: Role,
    pub filed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// As the reviewer wrote it; when an approver voided the case, a generated text in the reader's language.
    #[schema(value_type = Option<String>)]
    pub decision_reason: Option<crate::i18n::Msg>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AppealQuery {
    pub state: Option<AppealState>,
    pub subject_code: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn view(m: appeal::Model) -> ServiceResult<AppealView> {
    Ok(AppealView {
        state: column("appeals", m.id, &m.state)?,
        filed_role: column("appeals", m.id, &m.filed_role)?,
        id: m.id,
        violation_id: m.violation_id,
        subject_code: m.subject_code,
        reason: m.reason,
        filed_by: m.filed_by,
        filed_at: m.filed_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        decision_reason: m
            .decision_reason
            .as_deref()
            .map(crate::i18n::Msg::from_column),
        evidence: serde_json::from_str(&m.evidence)
            .map_err(|e| ServiceError::corrupt("appeals", m.id, e))?,
    })
}

/// Files an appeal; the case becomes `appealed` (the standing shows it disputed) until it is decided.
pub async fn file(w: &Writer, case_id: i64, body: NewAppeal) -> ServiceResult<AppealView> {
    w.actor.require(&FILERS)?;
    may_file(w.db(), &w.cx, &w.actor, case_id).await?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let mut errors = crate::service::error::FieldErrors::default();
    crate::service::cases::rules::check_evidence(&body.evidence, &mut errors);
    errors.finish()?;
    let evidence = serde_json::to_string(&body.evidence).map_err(|e| {
        ServiceError::Unprocessable(msg!("evidence-is-not-json", e = e.to_string()))
    })?;
    let current = find(w.db(), case_id).await?;
    if let Some(approved_at) = current.approved_at {
        let last = last_day(
            legal_date(approved_at),
            w.cx.policy().cases.appeal_window_days,
        );
        if w.cx.today() > last {
            return Err(ServiceError::Unprocessable(msg!(
                "the-appeal-window-of-case-closed-on",
                case_id = case_id.to_string(),
                last = last.to_string(),
                detail = (w.cx.policy().cases.appeal_window_days).to_string()
            )));
        }
    }
    let (model, from, to) = begin(w, case_id, CaseAction::Appeal).await?;
    let change = serde_json::json!({ "appeal": reason });
    finish(
        w,
        model.clone().into(),
        (case_id, from, to),
        Some(reason.clone()),
        change,
    )
    .await?;
    let filed = appeal::ActiveModel {
        violation_id: Set(case_id),
        subject_id: Set(model.subject_id),
        subject_code: Set(model.subject_code.clone()),
        state: Set(AppealState::Pending.as_str().to_string()),
        reason: Set(reason),
        filed_by: Set(w.actor.sub.clone()),
        filed_role: Set(w.actor.role.as_str().to_string()),
        filed_at: Set(w.cx.now),
        evidence: Set(evidence),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let filed = view(filed)?;
    let subject = (model.subject_id, model.subject_code.as_str());
    w.change(
        ChangeEntity::Appeal,
        filed.id,
        subject,
        ChangeOp::Added,
        &filed,
    )
    .await?;
    Ok(filed)
}

/// Decides a pending appeal: accepted voids the case with all its effects; rejected lets it stand.
pub async fn decide(w: &Writer, id: i64, body: AppealDecision) -> ServiceResult<AppealView> {
    w.actor.require(&DECIDERS)?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let pending = appeal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(w.db())
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("no-appeal", id = id.to_string())))?;
    let state: AppealState = column("appeals", id, &pending.state)?;
    if state != AppealState::Pending {
        return Err(ServiceError::Conflict(msg!(
            "appeal-is-already",
            id = id.to_string(),
            state = state.to_string()
        )));
    }
    let case = find(w.db(), pending.violation_id).await?;
    let parties = [
        (Party::Recorder, Some(case.recorded_by.as_str())),
        (Party::Reviewer, case.reviewed_by.as_deref()),
        (Party::Approver, case.approved_by.as_deref()),
        (Party::Appellant, Some(pending.filed_by.as_str())),
    ];
    four_eyes::check(Decision::Appeal, &w.actor.sub, &parties).map_err(ServiceError::Forbidden)?;
    let case_id = case.id;
    let (action, decided) = match body.outcome {
        AppealOutcome::Accepted => (CaseAction::Void, AppealState::Accepted),
        AppealOutcome::Rejected => (CaseAction::DismissAppeal, AppealState::Rejected),
    };
    let (model, from, to) = begin(w, case_id, action).await?;
    let change = serde_json::json!({ "appeal": id, "outcome": body.outcome, "reason": reason });
    finish(
        w,
        model.into(),
        (case_id, from, to),
        Some(reason.clone()),
        change,
    )
    .await?;
    if decided == AppealState::Accepted {
        let voided = find(w.db(), case_id).await?;
        let why = crate::i18n::msg!("reason-appeal-accepted", id = id, reason = reason.as_str());
        voiding::undo(w, &voided, &why).await?;
        record_voided(w, &voided).await?;
    }
    let mut row: appeal::ActiveModel = pending.into();
    row.state = Set(decided.as_str().to_string());
    row.decided_by = Set(Some(w.actor.sub.clone()));
    row.decided_at = Set(Some(w.cx.now));
    row.decision_reason = Set(Some(crate::i18n::Msg::verbatim(reason).to_column()));
    let updated = view(row.update(w.db()).await?)?;
    w.audit("appeal.decide", &target(case_id), &updated).await?;
    let subject = (case.subject_id, case.subject_code.as_str());
    w.change(ChangeEntity::Appeal, id, subject, ChangeOp::Ended, &updated)
        .await?;
    Ok(updated)
}

/// An approver voids an approved (or appealed) case of their own motion, through the same path.
pub async fn void(w: &Writer, case_id: i64, body: ReasonBody) -> ServiceResult<ViolationView> {
    w.actor.require(&VOIDERS)?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let (model, from, to) = begin(w, case_id, CaseAction::Void).await?;
    let change = serde_json::json!({ "reason": reason });
    finish(
        w,
        model.into(),
        (case_id, from, to),
        Some(reason.clone()),
        change,
    )
    .await?;
    let voided = find(w.db(), case_id).await?;
    voiding::undo(w, &voided, &crate::i18n::Msg::verbatim(reason.as_str())).await?;
    record_voided(w, &voided).await?;
    // An appeal still pending on it has got what it asked for.
    for pending in appeal::Entity::find()
        .filter(appeal::Column::ViolationId.eq(case_id))
        .filter(appeal::Column::State.eq(AppealState::Pending.as_str()))
        .all(w.db())
        .await?
    {
        let mut row: appeal::ActiveModel = pending.into();
        row.state = Set(AppealState::Accepted.as_str().to_string());
        row.decided_by = Set(Some(w.actor.sub.clone()));
        row.decided_at = Set(Some(w.cx.now));
        let why = crate::i18n::msg!("reason-case-voided-by-approver", reason = reason.as_str());
        row.decision_reason = Set(Some(why.to_column()));
        row.update(w.db()).await?;
    }
    read::view(w.db(), find(w.db(), case_id).await?).await
}

/// The change row of a case leaving force.
async fn record_voided(w: &Writer, case: &violation::Model) -> ServiceResult<()> {
    let value = read::view(w.db(), case.clone()).await?;
    let subject = (case.subject_id, case.subject_code.as_str());
    w.change(
        ChangeEntity::Case,
        case.id,
        subject,
        ChangeOp::Removed,
        &value,
    )
    .await?;
    Ok(())
}

/// The right to appeal case `case_id`, before its body or its state is looked at: a hospital only for its own
/// institution's and practitioners' cases, with one 403 for another's and for none.
pub async fn may_file<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    actor: &Actor,
    case_id: i64,
) -> ServiceResult<()> {
    actor.require(&FILERS)?;
    if actor.role != Role::Hospital {
        return Ok(());
    }
    let subject_id = violation::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .map(|case| case.subject_id);
    ensure_hospital_owns(db, cx.today(), actor, subject_id).await
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: AppealQuery,
) -> ServiceResult<Page<AppealView>> {
    reader.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = appeal::Entity::find()
        .filter(appeal::Column::Id.gt(page.after))
        .order_by_asc(appeal::Column::Id)
        .limit(page.fetch_limit());
    if let Some(state) = query.state {
        select = select.filter(appeal::Column::State.eq(state.as_str()));
    }
    if let Some(code) = query.subject_code.as_deref().map(str::trim) {
        select = select.filter(appeal::Column::SubjectCode.eq(code));
    }
    if let Some(ids) = affiliations::hospital_subject_ids(db, cx.today(), reader).await? {
        select = select.filter(appeal::Column::SubjectId.is_in(ids));
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(view)
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}
