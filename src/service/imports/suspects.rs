//! Importing suspects (`POST /suspicions:import`): every row checked by the rules of `POST /suspicions`, the
//! database asked once per batch. A row already taken with the same content (in the database or earlier in the
//! file) is counted as a duplicate, not written again and not an error, so a monitoring system can re-send a
//! whole day; with other content it is an error on its line.

use crate::i18n::msg;
use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Set, TryIntoModel,
};

use super::decode::Parsed;
use super::run::{Loader, State};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::service::error::{FieldError, ServiceError, ServiceResult};
use crate::service::suspicions::intake::{
    CheckedSuspicion, NewSuspicion, change_value, check_row, triage_due,
};
use crate::service::suspicions::registry::{Resolution, resolve};
use crate::service::writer::Writer;
use entity::suspicion;

/// Rows per INSERT: a suspect binds 39 values, and SQLite at most 32,766 per statement.
const ROWS_PER_INSERT: usize = 800;

/// A checked row: its line, the row, the hash of its content and its subject's id.
pub(super) type Ready = (u64, CheckedSuspicion, String, i64);

#[derive(Default)]
pub(super) struct Suspects {
    /// `(source, external_id)` of this file so far, with the hash of its content and its line.
    seen: HashMap<(String, String), (String, u64)>,
    /// The inserted suspects, for their change-log rows at the end.
    inserted: Vec<suspicion::Model>,
}

impl Loader for Suspects {
    type Row = NewSuspicion;
    type Checked = Ready;
    type Inserted = Vec<suspicion::Model>;

    async fn check(
        &mut self,
        w: &Writer,
        registry: &DatabaseConnection,
        rows: Vec<Parsed<NewSuspicion>>,
        state: &mut State,
    ) -> ServiceResult<Vec<Ready>> {
        let today = w.cx.today();
        let mut errors = Vec::new();
        let mut fresh = Vec::with_capacity(rows.len());
        for Parsed { line, row } in rows {
            let checked = match row.map(|input| check_row(input, today)) {
                Ok(Ok(checked)) => checked,
                Ok(Err(found)) => {
                    errors.extend(found.into_vec().into_iter().map(|e| e.on_line(line)));
                    continue;
                }
                Err(found) => {
                    errors.extend(found);
                    continue;
                }
            };
            let hash = checked.hash();
            match self.seen.get(&checked.key()) {
                Some((same, _)) if *same == hash => state.duplicates += 1,
                Some((_, first)) => {
                    let message = msg!("suspicion-twice-in-file", first = *first);
                    errors.push(FieldError::new("external_id", message).on_line(line));
                }
                None => {
                    self.seen.insert(checked.key(), (hash.clone(), line));
                    fresh.push((line, checked, hash));
                }
            }
        }
        // Suspects and subjects as committed: this import's own rows are in `seen`.
        let refs: Vec<&CheckedSuspicion> = fresh.iter().map(|(_, c, _)| c).collect();
        let resolved = resolve(registry, &refs).await?;
        let mut ready = Vec::with_capacity(fresh.len());
        for ((line, checked, hash), resolution) in fresh.into_iter().zip(resolved) {
            match resolution {
                Resolution::New(subject) => ready.push((line, checked, hash, subject)),
                Resolution::Duplicate(_) => state.duplicates += 1,
                Resolution::Refused(found) => {
                    errors.extend(found.into_iter().map(|e| e.on_line(line)));
                }
            }
        }
        errors.sort_by_key(|e| e.line);
        state.reject(errors);
        if state.error_count > 0 {
            ready.clear();
        }
        Ok(ready)
    }

    async fn insert(w: &Writer, rows: Vec<Ready>) -> ServiceResult<Vec<suspicion::Model>> {
        let mut inserted = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            inserted.extend(insert_suspects(w, chunk).await?);
        }
        Ok(inserted)
    }

    fn record(&mut self, state: &mut State, inserted: Vec<suspicion::Model>) {
        state.inserted_count += inserted.len() as u64;
        self.inserted.extend(inserted);
    }
}

impl Suspects {
    /// The change-log rows of the new suspects (one `suspicion added` each, as `POST /suspicions` writes),
    /// built on a blocking thread and written in one go at the end. Returns the first and last `seq`.
    pub(super) async fn announce(self, w: &Writer) -> ServiceResult<Option<(i64, i64)>> {
        let cx = w.cx.clone();
        let rows = tokio::task::spawn_blocking(move || {
            self.inserted
                .iter()
                .map(|row| {
                    Ok((
                        row.id.to_string(),
                        row.subject_code.clone(),
                        change_value(row, &cx)?,
                    ))
                })
                .collect::<ServiceResult<Vec<_>>>()
        })
        .await
        .map_err(|e| {
            ServiceError::Unprocessable(msg!("the-import-reader-failed", e = e.to_string()))
        })??;
        w.note_many(ChangeEntity::Suspicion, ChangeOp::Added, rows)
            .await
    }
}

/// Inserts one batch and returns its rows as stored, their ids found as `insert::insert_subjects` finds a
/// subject's: consecutive rowids on SQLite (checked at both ends), `RETURNING` on PostgreSQL.
async fn insert_suspects(w: &Writer, batch: &[Ready]) -> ServiceResult<Vec<suspicion::Model>> {
    let db = w.db();
    let due = triage_due(&w.cx);
    let rows: Vec<suspicion::ActiveModel> = batch
        .iter()
        .map(|(_, checked, _, subject)| checked.row(*subject, w, due))
        .collect();
    let key = |c: &CheckedSuspicion| format!("{}\u{1f}{}", c.source, c.external_id);
    let mut insert = suspicion::Entity::insert_many(rows.clone()).into_query();
    let ids: HashMap<String, i64> = if db.get_database_backend() == DbBackend::Sqlite {
        let last = db.execute(&insert).await?.last_insert_id() as i64;
        let first = last + 1 - batch.len() as i64;
        let ids: HashMap<String, i64> = batch
            .iter()
            .map(|(_, c, _, _)| key(c))
            .zip(first..)
            .collect();
        let ends: Vec<(i64, String, String)> = suspicion::Entity::find()
            .select_only()
            .columns([
                suspicion::Column::Id,
                suspicion::Column::Source,
                suspicion::Column::ExternalId,
            ])
            .filter(suspicion::Column::Id.is_in([first, last]))
            .into_tuple()
            .all(db)
            .await?;
        let consecutive = ends.len() == 2.min(batch.len())
            && ends.iter().all(|(id, source, external)| {
                ids.get(&format!("{source}\u{1f}{external}")) == Some(id)
            });
        if !consecutive {
            return Err(ServiceError::corrupt(
                "suspicions",
                last,
                "an import's rowids are not consecutive",
            ));
        }
        ids
    } else {
        insert.returning(Query::returning().columns([
            suspicion::Column::Id,
            suspicion::Column::Source,
            suspicion::Column::ExternalId,
        ]));
        let mut ids = HashMap::with_capacity(batch.len());
        for row in db.query_all(&insert).await? {
            let source = row.try_get::<String>("", "source")?;
            let external = row.try_get::<String>("", "external_id")?;
            ids.insert(
                format!("{source}\u{1f}{external}"),
                row.try_get::<i64>("", "id")?,
            );
        }
        ids
    };
    rows.into_iter()
        .zip(batch)
        .map(|(mut row, (_, c, _, _))| {
            let id = ids.get(&key(c)).copied().ok_or_else(|| {
                ServiceError::corrupt("suspicions", &c.external_id, "no id returned by the insert")
            })?;
            row.id = Set(id);
            Ok(row.try_into_model()?)
        })
        .collect()
}
