//! Rewriting standings rows: for the subjects a transaction touched (at the writer's commit) or for all of them
//! (start-up, `rebuild-standings`), in a handful of queries per batch rather than per subject.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::Serialize;

use super::{last_seq, load_facts_many, missing};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::masking::Audience;
use crate::domain::scoring::SubjectKind;
use crate::domain::standing::StandingFacts;
use crate::service::actor::Actor;
use crate::service::announce;
use crate::service::audit::lock_chain;
use crate::service::bulk;
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::lookup::kind_of;
use crate::service::writer::{Writer, change_row};
use entity::{change, list_entry, standing, subject};

/// Rewrites the rows of `ids` from their facts as of the writer's instant. A `standing` change row is appended
/// for each row whose answer changes; an unchanged row only moves its `seq` up to the transaction's last change.
/// Says whether any webhook delivery was written.
pub async fn refresh_many(db: &DatabaseTransaction, cx: &Ctx, ids: &[i64]) -> ServiceResult<bool> {
    let mut deliveries = false;
    // A bulk import touches up to 100,000 subjects; each statement below binds one chunk's ids.
    for chunk in ids.chunks(2000) {
        deliveries |= refresh_chunk(db, cx, chunk).await?;
    }
    Ok(deliveries)
}

async fn refresh_chunk(db: &DatabaseTransaction, cx: &Ctx, ids: &[i64]) -> ServiceResult<bool> {
    let subjects = subject::Entity::find()
        .filter(subject::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(subject::Column::Id)
        .all(db)
        .await?;
    let kinds = subjects
        .iter()
        .map(|s| Ok((s.id, kind_of(s)?)))
        .collect::<ServiceResult<Vec<_>>>()?;
    let mut facts = load_facts_many(db, &kinds, cx.cycle()).await?;
    let mut existing: HashMap<i64, standing::Model> = standing::Entity::find()
        .filter(standing::Column::SubjectId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.subject_id, row))
        .collect();
    let computed = subjects
        .into_iter()
        .zip(kinds)
        .map(|(subject, (_, kind))| {
            let facts = facts
                .remove(&subject.id)
                .ok_or_else(|| ServiceError::corrupt("subjects", subject.id, "no facts loaded"))?;
            let before = existing.remove(&subject.id);
            Ok((subject, kind, facts, before))
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    write_rows(db, cx, computed, true).await
}

/// Writes the first standings rows of subjects registered in this transaction without reading anything back:
/// nothing can refer to a subject that did not exist before the transaction, so its facts are known to be
/// empty. Their registration's `subject added` change row announces them: a new subject's standing is the one
/// its kind starts with, so a `standing added` row would tell a mirror nothing (and would double the change log
/// of a bulk import). `standing` rows follow once the standing changes.
pub async fn write_fresh(
    db: &DatabaseTransaction,
    cx: &Ctx,
    subjects: Vec<subject::Model>,
) -> ServiceResult<bool> {
    let computed = subjects
        .into_iter()
        .map(|subject| {
            let kind = kind_of(&subject)?;
            Ok((subject, kind, StandingFacts::empty(kind, cx.cycle()), None))
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    write_rows(db, cx, computed, false).await
}

/// A subject with its standing facts as of now and its standings row before, if any.
type Computed = (
    subject::Model,
    SubjectKind,
    StandingFacts,
    Option<standing::Model>,
);

/// Stores each subject's standings row from `facts`, with a `standing` change row (and webhook deliveries) for
/// each whose answer differs from the row `before` it (a first row only when `announce_new`); a row without
/// one only moves its `seq` up to the transaction's last change. The rows are built on a blocking thread while
/// the previous batch is written.
async fn write_rows(
    db: &DatabaseTransaction,
    cx: &Ctx,
    computed: Vec<Computed>,
    announce_new: bool,
) -> ServiceResult<bool> {
    // Under the chain lock, so the seqs given here follow commit order like every other change row.
    lock_chain(db).await?;
    let last = last_seq(db).await?;
    let (backend, producer_cx) = (db.get_database_backend(), cx.clone());
    let announced = bulk::execute(db, computed.len(), move |out| {
        let cx = producer_cx;
        let mut seq = last;
        let (mut changes, mut rows, mut announced) = (Vec::new(), Vec::new(), Vec::new());
        for (subject, kind, facts, before) in computed {
            let text = serde_json::to_string(&facts)
                .map_err(|e| ServiceError::corrupt("standings", subject.id, e))?;
            let same = before.as_ref().is_some_and(|row| {
                row.facts == text && row.name == subject.name && row.region == subject.region
            });
            let row_seq = if same || (before.is_none() && !announce_new) {
                last
            } else {
                seq += 1;
                let op = if before.is_some() {
                    ChangeOp::Changed
                } else {
                    ChangeOp::Added
                };
                let value = StandingChange {
                    code: &subject.code,
                    kind,
                    facts: &facts,
                    staff_only: staff_only(before.as_ref(), &facts),
                };
                let json = serde_json::to_string(&value)
                    .map_err(|e| ServiceError::corrupt("standings", subject.id, e))?;
                // A payload is built only for changes some webhook event announces (not a first standing).
                if announce::announces(ChangeEntity::Standing, op) {
                    let value = serde_json::to_value(&value)
                        .map_err(|e| ServiceError::corrupt("standings", subject.id, e))?;
                    announced.push((seq, op, subject.id, subject.code.clone(), value));
                }
                let id = (ChangeEntity::Standing, subject.code.clone());
                changes.push(change_row(seq, id, &subject.code, op, &cx, json));
                seq
            };
            rows.push(standing::ActiveModel {
                subject_id: Set(subject.id),
                code: Set(subject.code),
                kind: Set(kind.as_str().to_string()),
                name: Set(subject.name),
                region: Set(subject.region),
                facts: Set(text),
                seq: Set(row_seq),
                computed_at: Set(cx.now),
            });
            // Batches keep every statement under the bound-parameter limits (SQLite 32,766; 8 per row here).
            if rows.len() == BATCH {
                send_batch(out, backend, &mut changes, &mut rows)?;
            }
        }
        send_batch(out, backend, &mut changes, &mut rows)?;
        Ok(announced)
    })
    .await?;
    let mut deliveries = false;
    for (seq, op, id, code, value) in announced {
        let change = (seq, ChangeEntity::Standing, op);
        deliveries |= announce::enqueue(db, cx, change, (id, &code), &value).await?;
    }
    Ok(deliveries)
}

/// Rows per statement of `write_rows`.
const BATCH: usize = 2000;

/// Hands over the statements for the change rows and standings rows gathered so far, and empties both.
fn send_batch(
    out: &bulk::Statements,
    backend: DbBackend,
    changes: &mut Vec<change::ActiveModel>,
    rows: &mut Vec<standing::ActiveModel>,
) -> ServiceResult<()> {
    if !changes.is_empty() {
        out.send(
            backend.build(&change::Entity::insert_many(std::mem::take(changes)).into_query()),
        )?;
    }
    if !rows.is_empty() {
        let upsert = OnConflict::column(standing::Column::SubjectId)
            .update_columns([
                standing::Column::Code,
                standing::Column::Kind,
                standing::Column::Name,
                standing::Column::Region,
                standing::Column::Facts,
                standing::Column::Seq,
                standing::Column::ComputedAt,
            ])
            .to_owned();
        let insert = standing::Entity::insert_many(std::mem::take(rows)).on_conflict(upsert);
        out.send(backend.build(&insert.into_query()))?;
    }
    Ok(())
}

/// The value of a `standing` change row: what a mirror needs to hold the subject's standing (read back as
/// `outward::StandingChange`).
#[derive(Serialize)]
struct StandingChange<'a> {
    code: &'a str,
    kind: SubjectKind,
    facts: &'a StandingFacts,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    staff_only: bool,
}

/// Whether only staff can tell `facts` from the row `before`: what changed is an unpublished list entry, which
/// does not exist for anyone else (DESIGN §14).
fn staff_only(before: Option<&standing::Model>, facts: &StandingFacts) -> bool {
    let Some(before) =
        before.and_then(|row| serde_json::from_str::<StandingFacts>(&row.facts).ok())
    else {
        return false;
    };
    let outside = Audience::Hospital;
    before != *facts && before.for_audience(outside) == facts.for_audience(outside)
}

/// Rewrites the standings rows that still count an unpublished entry as published: rows written before the
/// facts carried publication, which would let an outside reader's standing include the entry. Run at start-up;
/// a handful of subjects at most, since entries are published by default.
pub async fn refresh_unpublished(db: &crate::db::Db, cx: Ctx) -> ServiceResult<u64> {
    let hidden: Vec<(i64, i64)> = list_entry::Entity::find()
        .select_only()
        .column(list_entry::Column::Id)
        .column(list_entry::Column::SubjectId)
        .filter(list_entry::Column::Published.eq(false))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let mut stale = Vec::new();
    for chunk in hidden.chunks(2000) {
        let rows = standing::Entity::find()
            .filter(standing::Column::SubjectId.is_in(chunk.iter().map(|(_, s)| *s)))
            .all(&db.conn)
            .await?;
        for row in rows {
            let facts: StandingFacts = serde_json::from_str(&row.facts)
                .map_err(|e| ServiceError::corrupt("standings", row.subject_id, e))?;
            let counted = facts
                .lists
                .iter()
                .any(|l| l.published && chunk.iter().any(|(entry, _)| *entry == l.id));
            if counted {
                stale.push(row.subject_id);
            }
        }
    }
    if stale.is_empty() {
        return Ok(0);
    }
    let w = Writer::begin(db, cx, Actor::system("refresh-unpublished")).await?;
    for id in &stale {
        w.touch(*id);
    }
    w.commit().await?;
    Ok(stale.len() as u64)
}

/// Writes the standings rows of subjects that have none (`all`: of every subject), in batches, acting as the
/// system. Run at start-up for rows that predate the table, and by `medcredit rebuild-standings`.
pub async fn materialise(db: &crate::db::Db, cx: Ctx, all: bool) -> ServiceResult<u64> {
    const BATCH: u64 = 2000;
    let mut done = 0u64;
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = if all {
            subject::Entity::find()
                .select_only()
                .column(subject::Column::Id)
                .filter(subject::Column::Id.gt(after))
                .order_by_asc(subject::Column::Id)
                .limit(BATCH)
                .into_tuple()
                .all(&db.conn)
                .await?
        } else {
            missing(&db.conn, BATCH).await?
        };
        let Some(&last) = ids.last() else {
            return Ok(done);
        };
        after = last;
        let w = Writer::begin(db, cx.clone(), Actor::system("materialise")).await?;
        for id in &ids {
            w.touch(*id);
        }
        w.commit().await?;
        done += ids.len() as u64;
    }
}
