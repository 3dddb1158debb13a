//! The credit ledger (DESIGN §5): appending entries and reading them as recorded. The credit answer built on
//! them is `read::credit`, from the same computation as the standing.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::start_of_legal_day_utc;
use crate::domain::scoring::{EntryKind, LedgerEntry};
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::column;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::subjects::{ensure_visible, find_by_code};
use crate::service::writer::Writer;
use entity::credit_entry;
use sea_orm::{ActiveModelTrait, Set};

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryView {
    pub id: i64,
    pub kind: EntryKind,
    /// Magnitude; `kind` says which way it counts.
    pub points: i32,
    pub cycle: i32,
    pub violation_id: Option<i64>,
    pub reason: String,
    pub created_by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Page size, 1–500 (default 50).
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A stored entry as the scoring rules take it; a kind that does not parse is an error naming the row.
pub fn entry_of(row: &credit_entry::Model) -> ServiceResult<LedgerEntry> {
    Ok(LedgerEntry {
        kind: column("credit_entries", row.id, &row.kind)?,
        points: u32::try_from(row.points)
            .map_err(|_| ServiceError::corrupt("credit_entries", row.id, "negative points"))?,
        cycle: row.cycle,
    })
}

/// Appends a ledger entry of `cycle` at the writer's instant, with its change row. Entries are never changed;
/// a reversal counts in the cycle of the deduction it undoes.
pub async fn append_entry(
    w: &Writer,
    subject: (i64, &str),
    (kind, cycle): (EntryKind, i32),
    points: u32,
    violation_id: Option<i64>,
    reason: String,
) -> ServiceResult<credit_entry::Model> {
    let points =
        i32::try_from(points).map_err(|_| ServiceError::validation("points", "is too large"))?;
    let row = credit_entry::ActiveModel {
        subject_id: Set(subject.0),
        kind: Set(kind.as_str().to_string()),
        points: Set(points),
        cycle: Set(cycle),
        violation_id: Set(violation_id),
        reason: Set(reason),
        created_by: Set(w.actor.sub.clone()),
        at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let view = LedgerEntryView::try_from(row.clone())?;
    w.change(
        ChangeEntity::LedgerEntry,
        row.id,
        subject,
        ChangeOp::Added,
        &view,
    )
    .await?;
    Ok(row)
}

impl TryFrom<credit_entry::Model> for LedgerEntryView {
    type Error = ServiceError;

    fn try_from(r: credit_entry::Model) -> ServiceResult<Self> {
        Ok(LedgerEntryView {
            id: r.id,
            kind: column("credit_entries", r.id, &r.kind)?,
            points: r.points,
            cycle: r.cycle,
            violation_id: r.violation_id,
            reason: r.reason,
            created_by: r.created_by,
            at: r.at,
        })
    }
}

pub async fn ledger<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: LedgerQuery,
) -> ServiceResult<Page<LedgerEntryView>> {
    let subject = find_by_code(db, code).await?;
    ensure_visible(db, cx.today(), reader, &subject).await?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let rows = credit_entry::Entity::find()
        .filter(credit_entry::Column::SubjectId.eq(subject.id))
        .filter(credit_entry::Column::Id.gt(page.after))
        .order_by_asc(credit_entry::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let page = page.page(rows, |r| r.id, |r| r);
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(LedgerEntryView::try_from)
            .collect::<ServiceResult<_>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Ledger entries of `cycle` written up to the end of `as_of` (UTC+8).
pub async fn entries_until<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    cycle: i32,
    as_of: NaiveDate,
) -> ServiceResult<Vec<LedgerEntry>> {
    let rows = rows_until(db, subject_id, cycle, as_of).await?;
    rows.iter().map(entry_of).collect()
}

/// The stored rows behind `entries_until`, oldest first: the ledger detail of a credit answer.
pub async fn rows_until<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    cycle: i32,
    as_of: NaiveDate,
) -> ServiceResult<Vec<credit_entry::Model>> {
    let end = start_of_legal_day_utc(as_of + Days::new(1));
    Ok(credit_entry::Entity::find()
        .filter(credit_entry::Column::SubjectId.eq(subject_id))
        .filter(credit_entry::Column::Cycle.eq(cycle))
        .filter(credit_entry::Column::At.lt(end))
        .order_by_asc(credit_entry::Column::Id)
        .all(db)
        .await?)
}
