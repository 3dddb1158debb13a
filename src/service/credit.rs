//! The credit ledger (DESIGN §5): appending entries and reading them as recorded. The credit answer built on
//! them is `read::credit`, from the same computation as the standing.

use crate::i18n::msg;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::scoring::EntryKind;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::subjects::find_visible;
pub use crate::service::views::{LedgerEntryView, entry_of};
use crate::service::writer::Writer;
pub use crate::shared::facts::{entries_until, rows_until};
use entity::credit_entry;
use sea_orm::{ActiveModelTrait, Set};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Appends a ledger entry of `cycle` at the writer's instant, with its change row. Entries are never changed;
/// a reversal counts in the cycle of the deduction it undoes.
pub async fn append_entry(
    w: &Writer,
    subject: (i64, &str),
    (kind, cycle): (EntryKind, i32),
    points: u32,
    violation_id: Option<i64>,
    reason: crate::i18n::Msg,
) -> ServiceResult<credit_entry::Model> {
    let entry = (kind, cycle, points);
    insert(w, subject, entry, (violation_id, None), reason).await
}

/// Appends an award's entry (a bonus, a repair by activity) under `award_key`, which the database keeps unique:
/// whatever asks twice, the award is written once.
pub async fn append_award(
    w: &Writer,
    subject: (i64, &str),
    (kind, cycle): (EntryKind, i32),
    points: u32,
    award_key: String,
    reason: crate::i18n::Msg,
) -> ServiceResult<credit_entry::Model> {
    let entry = (kind, cycle, points);
    let written = insert(w, subject, entry, (None, Some(award_key)), reason).await?;
    if kind == EntryKind::Bonus {
        // Counted like the deductions' cases, in the same transaction (the statistics' `bonuses`).
        let tallies = crate::domain::stats::bonus_awarded(w.cx.today(), i64::from(written.points));
        crate::service::stats::add_for(w, subject.0, &tallies).await?;
    }
    Ok(written)
}

async fn insert(
    w: &Writer,
    subject: (i64, &str),
    (kind, cycle, points): (EntryKind, i32, u32),
    (violation_id, award_key): (Option<i64>, Option<String>),
    reason: crate::i18n::Msg,
) -> ServiceResult<credit_entry::Model> {
    let points = i32::try_from(points)
        .map_err(|_| ServiceError::validation("points", msg!("is-too-large")))?;
    let row = credit_entry::ActiveModel {
        subject_id: Set(subject.0),
        kind: Set(kind.as_str().to_string()),
        points: Set(points),
        cycle: Set(cycle),
        violation_id: Set(violation_id),
        award_key: Set(award_key),
        reason: Set(reason.to_column()),
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

pub async fn ledger<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: LedgerQuery,
) -> ServiceResult<Page<LedgerEntryView>> {
    let subject = find_visible(db, cx, reader, code).await?;
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
            .map(|r| Ok(LedgerEntryView::try_from(r)?.for_audience(reader.audience())))
            .collect::<ServiceResult<_>>()?,
        next_cursor: page.next_cursor,
    })
}
