//! Writing an import's checked rows: multi-row INSERTs that return only what is not known beforehand, the ids.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Set, TryIntoModel,
};

use super::decode::BATCH;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::subjects::CheckedSubject;
use crate::service::writer::Writer;
use entity::subject;

/// Inserts checked rows, in statements of `BATCH` (SQLite binds at most 32,766 parameters per statement; a
/// subject row has 12).
pub(super) async fn insert_batch(
    w: &Writer,
    checked: Vec<(u64, CheckedSubject)>,
) -> ServiceResult<Vec<subject::Model>> {
    let mut inserted = Vec::with_capacity(checked.len());
    for chunk in checked.chunks(BATCH) {
        inserted.extend(insert_subjects(w.db(), chunk, w.cx.now).await?);
    }
    Ok(inserted)
}

/// Inserts one batch and returns its rows as stored. Only the ids are not known beforehand. SQLite gives the
/// rows of a multi-row INSERT consecutive rowids in VALUES order (the write lock is held), so they follow from
/// the last one, checked at both ends; PostgreSQL sends them back, matched by code since `RETURNING` promises no
/// order. Reading every inserted row back through the driver would cost more than the insert itself.
async fn insert_subjects(
    db: &DatabaseTransaction,
    batch: &[(u64, CheckedSubject)],
    now: DateTime<Utc>,
) -> ServiceResult<Vec<subject::Model>> {
    let rows: Vec<subject::ActiveModel> = batch.iter().map(|(_, s)| s.row(now)).collect();
    let mut insert = subject::Entity::insert_many(rows.clone()).into_query();
    let ids: HashMap<String, i64> = if db.get_database_backend() == DbBackend::Sqlite {
        let last = db.execute(&insert).await?.last_insert_id() as i64;
        let first = last + 1 - batch.len() as i64;
        let ids: HashMap<String, i64> = batch
            .iter()
            .map(|(_, s)| s.code.clone())
            .zip(first..)
            .collect();
        let ends: Vec<(i64, String)> = subject::Entity::find()
            .select_only()
            .columns([subject::Column::Id, subject::Column::Code])
            .filter(subject::Column::Id.is_in([first, last]))
            .into_tuple()
            .all(db)
            .await?;
        if ends.len() != 2.min(batch.len())
            || ends.iter().any(|(id, code)| ids.get(code) != Some(id))
        {
            return Err(ServiceError::corrupt(
                "subjects",
                last,
                "an import's rowids are not consecutive",
            ));
        }
        ids
    } else {
        insert.returning(Query::returning().columns([subject::Column::Id, subject::Column::Code]));
        let mut ids = HashMap::with_capacity(batch.len());
        for row in db.query_all(&insert).await? {
            ids.insert(
                row.try_get::<String>("", "code")?,
                row.try_get::<i64>("", "id")?,
            );
        }
        ids
    };
    rows.into_iter()
        .zip(batch)
        .map(|(mut row, (_, s))| {
            let id = ids.get(&s.code).copied().ok_or_else(|| {
                ServiceError::corrupt("subjects", &s.code, "no id returned by the insert")
            })?;
            row.id = Set(id);
            Ok(row.try_into_model()?)
        })
        .collect()
}
