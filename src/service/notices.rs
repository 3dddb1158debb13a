//! Printable notices (行政处理告知书, issue 24): what an approved case, a sanction or a black-list entry tells its
//! subject — who, the facts, the legal basis, the decision and its dates, and how and by when to appeal, to seek
//! administrative review or litigation, and to apply for credit repair. This builds the notice's facts for the
//! reader's audience; `pages::notice` renders them in the reader's language.
//!
//! Staff read every notice; a hospital office reads its own institution's and its practitioners', with the same
//! 403 for another's and for none, before anything else about it is told (DESIGN §14). Partners and the public
//! have the lists and the feed, not notices. No staff identity is printed: a notice speaks for the authority.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::cases::CaseState;
use crate::domain::dates::legal_date;
use crate::domain::lists::{ListKind, ListMeasure, Remedy};
use crate::domain::notices::decision_remedies;
use crate::domain::policy::Severity;
use crate::domain::roles::Role;
use crate::i18n::msg;
use crate::service::cases;
use crate::service::lists;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult, column};
use crate::shared::lookup::ensure_hospital_owns;
use crate::shared::views::{SanctionView, SubjectView, view_of};
use entity::{sanction, subject, violation, violation_type};

/// Who reads notices.
const READERS: [Role; 5] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
    Role::Hospital,
];

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeOf {
    Case,
    Sanction,
    BlackListEntry,
}

/// One case a notice rests on: the facts as found.
#[derive(Clone, Debug)]
pub struct CaseFacts {
    pub id: i64,
    pub type_code: String,
    pub type_name: String,
    pub legal_basis: String,
    pub occurred_on: NaiveDate,
    pub description: String,
    pub amount_involved_fen: i64,
    pub amount_to_recover_fen: i64,
    pub points: Option<i32>,
    pub approved_on: Option<NaiveDate>,
}

/// What was decided.
#[derive(Debug)]
pub enum Decision {
    /// Points and the sanctions the case brought.
    Case {
        points: Option<i32>,
        sanctions: Vec<SanctionView>,
    },
    Sanction(SanctionView),
    BlackListEntry {
        listed_on: NaiveDate,
        expires_on: Option<NaiveDate>,
        measures: Vec<ListMeasure>,
        reason: crate::i18n::Msg,
        legal_basis: String,
        exit_conditions: crate::i18n::Msg,
    },
}

/// A notice's facts, for the reader's audience.
#[derive(Debug)]
pub struct Notice {
    pub of: NoticeOf,
    pub id: i64,
    pub subject: SubjectView,
    /// The day of the decision the remedies run from.
    pub decided_on: NaiveDate,
    pub cases: Vec<CaseFacts>,
    pub decision: Decision,
    pub remedies: Vec<Remedy>,
}

pub async fn of_case<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    id: i64,
) -> ServiceResult<Notice> {
    reader.require(&READERS)?;
    let model = violation::Entity::find_by_id(id).one(db).await?;
    ensure_hospital_owns(db, cx.today(), reader, model.as_ref().map(|m| m.subject_id)).await?;
    let model = model
        .ok_or_else(|| ServiceError::NotFound(msg!("no-violation-case", id = id.to_string())))?;
    let state: CaseState = column("violations", id, &model.state)?;
    let approved_at = model.approved_at.filter(|_| state == CaseState::Approved);
    let Some(approved_at) = approved_at else {
        return Err(ServiceError::Conflict(msg!(
            "notice-case-not-approved",
            id = id.to_string(),
            state = state.to_string()
        )));
    };
    let decided_on = legal_date(approved_at);
    let subject = subject_of(db, reader, model.subject_id).await?;
    let (facts, severity) = case_facts(db, model.clone()).await?;
    let sanction_rows = sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(model.subject_id))
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await?;
    let case = cases::read::view(db, model).await?;
    let mut sanctions = Vec::new();
    for row in sanction_rows
        .into_iter()
        .filter(|s| case.sanction_ids.contains(&s.id))
    {
        sanctions.push(view_of(db, row, cx.today(), reader).await?);
    }
    Ok(Notice {
        of: NoticeOf::Case,
        id,
        subject,
        decided_on,
        remedies: decision_remedies(cx.policy(), decided_on, severity, None),
        decision: Decision::Case {
            points: facts.points,
            sanctions,
        },
        cases: vec![facts],
    })
}

pub async fn of_sanction<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    id: i64,
) -> ServiceResult<Notice> {
    reader.require(&READERS)?;
    let model = sanction::Entity::find_by_id(id).one(db).await?;
    ensure_hospital_owns(db, cx.today(), reader, model.as_ref().map(|m| m.subject_id)).await?;
    let model = model
        .ok_or_else(|| ServiceError::NotFound(msg!("no-sanction-with-id", id = id.to_string())))?;
    let subject = subject_of(db, reader, model.subject_id).await?;
    let view = view_of(db, model, cx.today(), reader).await?;
    let (cases, severity) = cases_of(db, &view.violation_ids).await?;
    let decided_on = view.starts_on;
    Ok(Notice {
        of: NoticeOf::Sanction,
        id,
        subject,
        decided_on,
        remedies: decision_remedies(cx.policy(), decided_on, severity, view.ends_on),
        decision: Decision::Sanction(view),
        cases,
    })
}

pub async fn of_black_entry<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    id: i64,
) -> ServiceResult<Notice> {
    reader.require(&READERS)?;
    // The list read applies the entry's own rules first: a hospital's 403 for another's subject, and an
    // unpublished entry that does not exist for it.
    let detail = lists::get(db, cx, reader, ListKind::Black, id).await?;
    let entry = detail.entry;
    let owner = crate::shared::lookup::find_by_code(db, &entry.subject_code).await?;
    let subject = SubjectView::for_reader(owner, reader)?;
    let (cases, _) = cases_of(db, &entry.violation_ids).await?;
    Ok(Notice {
        of: NoticeOf::BlackListEntry,
        id,
        subject,
        decided_on: entry.listed_on,
        remedies: entry.remedies.clone(),
        decision: Decision::BlackListEntry {
            listed_on: entry.listed_on,
            expires_on: entry.expires_on,
            measures: entry.measures.clone(),
            reason: entry.reason.clone(),
            legal_basis: entry.legal_basis.clone(),
            exit_conditions: entry.exit_conditions.clone(),
        },
        cases,
    })
}

async fn subject_of<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    subject_id: i64,
) -> ServiceResult<SubjectView> {
    let model = subject::Entity::find_by_id(subject_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            ServiceError::corrupt("subjects", subject_id, "named by a decision, missing")
        })?;
    SubjectView::for_reader(model, reader)
}

/// The facts of the cases a sanction or an entry rests on, and the gravest severity among them (a decision
/// on no case, as a manual sanction may be, is treated as serious for the repair window).
async fn cases_of<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ServiceResult<(Vec<CaseFacts>, Severity)> {
    let models = violation::Entity::find()
        .filter(violation::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(violation::Column::Id)
        .all(db)
        .await?;
    let mut facts = Vec::with_capacity(models.len());
    let mut gravest: Option<Severity> = None;
    for model in models {
        let (fact, severity) = case_facts(db, model).await?;
        facts.push(fact);
        gravest = Some(gravest.map_or(severity, |g| g.max(severity)));
    }
    Ok((facts, gravest.unwrap_or(Severity::Serious)))
}

async fn case_facts<C: ConnectionTrait>(
    db: &C,
    model: violation::Model,
) -> ServiceResult<(CaseFacts, Severity)> {
    let case_type = violation_type::Entity::find_by_id(model.type_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::corrupt("violations", model.id, "names no violation type"))?;
    let severity: Severity = column("violation_types", case_type.id, &case_type.severity)?;
    Ok((
        CaseFacts {
            id: model.id,
            type_code: model.type_code,
            type_name: case_type.name,
            legal_basis: case_type.legal_basis,
            occurred_on: model.occurred_on,
            description: model.description,
            amount_involved_fen: model.amount_involved_fen,
            amount_to_recover_fen: model.amount_to_recover_fen,
            points: model.points,
            approved_on: model.approved_at.map(legal_date),
        },
        severity,
    ))
}
