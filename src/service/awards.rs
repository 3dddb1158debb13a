//! What commendations (守信激励) and practitioners' repair activities share. Both are two-step awards: an
//! inspector proposes or records one with evidence, someone else decides it (the four-eyes table names who may
//! not), and approval writes one ledger entry under a unique award key, so neither a retry nor a race can write
//! it twice.

use crate::i18n::{Msg, msg};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::Db;
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::enums::string_enum;
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::domain::text::check_no_controls;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::cases::Evidence;
use crate::service::cases::rules::check_evidence;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::lookup::{find_by_code, kind_of};
use crate::service::writer::Writer;
use entity::subject;

string_enum! {
    /// Where a proposed or recorded award stands.
    pub enum AwardState as "award state" {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

string_enum! {
    /// What the decider decides.
    pub enum AwardOutcome as "award outcome" {
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// Staff read awards; hospitals and partners do not (admin too).
pub const READERS: [Role; 4] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
];
/// Inspectors propose commendations and record activities (admin too).
pub const RECORDERS: [Role; 1] = [Role::Inspector];

/// The decision on a commendation or a repair activity.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardDecision {
    pub outcome: AwardOutcome,
    /// Why, whichever the outcome: 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Filters of the lists of awards.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AwardQuery {
    pub state: Option<AwardState>,
    /// Only this subject's.
    #[param(min_length = 1, max_length = 64)]
    pub subject_code: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Checks a proposal's text (field `field`, 1–2000 characters, no control characters) and its evidence (1 to
/// 100 references); returns the trimmed text and the evidence as stored.
pub fn checked_text_and_evidence(
    (field, text): (&str, &str),
    evidence: &[Evidence],
    errors: &mut FieldErrors,
) -> ServiceResult<(String, String)> {
    let text = text.trim().to_string();
    errors.check(field, crate::domain::sanctions::check_reason(&text));
    errors.check(field, check_no_controls(&text));
    if evidence.is_empty() {
        errors.add("evidence", msg!("give-1-to-100-references-to-the"));
    }
    check_evidence(evidence, errors);
    let stored = serde_json::to_string(evidence).map_err(|e| {
        ServiceError::Unprocessable(msg!("evidence-is-not-json", e = e.to_string()))
    })?;
    Ok((text, stored))
}

/// The evidence of a stored award.
pub fn evidence_of(table: &'static str, id: i64, text: &str) -> ServiceResult<Vec<Evidence>> {
    serde_json::from_str(text).map_err(|e| ServiceError::corrupt(table, id, e))
}

/// The subject an award is for, which must be of one of `kinds` (else 422 with `refusal`).
pub async fn subject_of_kind<C: ConnectionTrait>(
    db: &C,
    code: &str,
    kinds: &[SubjectKind],
    refusal: Msg,
) -> ServiceResult<subject::Model> {
    let subject = find_by_code(db, code.trim()).await?;
    if !kinds.contains(&kind_of(&subject)?) {
        return Err(ServiceError::Unprocessable(refusal));
    }
    Ok(subject)
}

/// Refuses with 409 to decide again what was decided.
pub fn ensure_pending(table: &'static str, id: i64, state: &str) -> ServiceResult<()> {
    let state: AwardState = column(table, id, state)?;
    if state != AwardState::Pending {
        return Err(ServiceError::Conflict(msg!(
            "award-already-decided",
            id = id.to_string(),
            state = state.to_string()
        )));
    }
    Ok(())
}

/// The state a decision moves a pending award to.
pub fn decided_state(outcome: AwardOutcome) -> AwardState {
    match outcome {
        AwardOutcome::Approved => AwardState::Approved,
        AwardOutcome::Rejected => AwardState::Rejected,
    }
}

/// Serialises the decisions that count against one subject's cycle allowance (PostgreSQL; SQLite writers are
/// serialised already), so two approvals at once cannot both take the last points of a cap.
pub async fn lock_subject(w: &Writer, subject_id: i64) -> ServiceResult<()> {
    Ok(Db::lock_subject(w.txn(), subject_id).await?)
}

/// An award's audit row and change-log row, written together whenever one is proposed, recorded or decided.
pub async fn log<V: Serialize>(
    w: &Writer,
    (action, entity, op): (&str, ChangeEntity, ChangeOp),
    (subject_id, subject_code): (i64, &str),
    id: i64,
    view: &V,
) -> ServiceResult<()> {
    w.audit(action, subject_code, view).await?;
    w.change(entity, id, (subject_id, subject_code), op, view)
        .await?;
    Ok(())
}

/// One award for staff, or 404 with `missing`.
pub async fn get<C, E, V>(
    (db, reader): (&C, &Actor),
    id: i64,
    view: fn(E::Model) -> ServiceResult<V>,
    missing: Msg,
) -> ServiceResult<V>
where
    C: ConnectionTrait,
    E: EntityTrait,
    i64: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    reader.require(&READERS)?;
    let row = E::find_by_id(id).one(db).await?;
    view(row.ok_or(ServiceError::NotFound(missing))?)
}

/// The columns of an award table that its lists filter and page by.
pub struct ListColumns<E: EntityTrait> {
    pub id: E::Column,
    pub subject_id: E::Column,
    pub subject_code: E::Column,
    pub state: E::Column,
    /// A row's id, for the cursor.
    pub id_of: fn(&E::Model) -> i64,
}

/// One page of an award table for staff, oldest first; `subject` (a path's code) narrows it like
/// `subject_code`.
pub async fn list<C, E, V>(
    (db, reader): (&C, &Actor),
    columns: ListColumns<E>,
    subject: Option<&str>,
    query: AwardQuery,
    view: fn(E::Model) -> ServiceResult<V>,
) -> ServiceResult<Page<V>>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    reader.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = E::find()
        .filter(columns.id.gt(page.after))
        .order_by_asc(columns.id)
        .limit(page.fetch_limit());
    if let Some(code) = subject {
        let id = find_by_code(db, code).await?.id;
        select = select.filter(columns.subject_id.eq(id));
    }
    if let Some(state) = query.state {
        select = select.filter(columns.state.eq(state.as_str()));
    }
    if let Some(code) = query.subject_code.as_deref().map(str::trim) {
        select = select.filter(columns.subject_code.eq(code));
    }
    let rows = page.page(select.all(db).await?, columns.id_of, |m| m);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(view)
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}
