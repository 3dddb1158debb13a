//! The facts a standing is computed from (DESIGN §13): loaded from the ledger, sanctions, list entries and
//! appeals for the writer that materialises them and for the fold over earlier cycles, read back from a
//! `standings` row, and the change log's head.

use crate::i18n::msg;
use std::collections::HashMap;

use chrono::Days;

use crate::domain::dates::start_of_legal_day_utc;
use crate::domain::scoring::LedgerEntry;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::appeals::AppealState;
use crate::domain::dates::legal_date;
use crate::domain::scoring::SubjectKind;
use crate::domain::standing::{DatedEntry, ListFact, SanctionFact, StandingFacts};
use crate::shared::error::{ServiceError, ServiceResult, column};
use crate::shared::views::entry_of;
use entity::{appeal, change, credit_entry, list_entry, sanction, standing, subject};

/// Facts of one subject for days of `cycle` and later: the ledger of `cycle` and every sanction that was not
/// revoked and had not ended before the cycle began.
pub async fn load_facts<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    kind: SubjectKind,
    cycle: i32,
) -> ServiceResult<StandingFacts> {
    let mut all = load_facts_many(db, &[(subject_id, kind)], cycle).await?;
    all.remove(&subject_id).ok_or_else(|| {
        ServiceError::NotFound(msg!(
            "no-subject-with-id",
            subject_id = subject_id.to_string()
        ))
    })
}

/// `load_facts` for many subjects in two queries, whatever their number.
pub async fn load_facts_many<C: ConnectionTrait>(
    db: &C,
    subjects: &[(i64, SubjectKind)],
    cycle: i32,
) -> ServiceResult<HashMap<i64, StandingFacts>> {
    let ids: Vec<i64> = subjects.iter().map(|(id, _)| *id).collect();
    let mut facts: HashMap<i64, StandingFacts> = subjects
        .iter()
        .map(|&(id, kind)| (id, StandingFacts::empty(kind, cycle)))
        .collect();
    for row in credit_entry::Entity::find()
        .filter(credit_entry::Column::SubjectId.is_in(ids.clone()))
        .filter(credit_entry::Column::Cycle.eq(cycle))
        .order_by_asc(credit_entry::Column::Id)
        .all(db)
        .await?
    {
        let entry = entry_of(&row)?;
        if let Some(f) = facts.get_mut(&row.subject_id) {
            f.entries.push(DatedEntry {
                on: legal_date(row.at),
                kind: entry.kind,
                points: entry.points,
            });
        }
    }
    let first_day = NaiveDate::from_ymd_opt(cycle, 1, 1).ok_or_else(|| {
        ServiceError::Unprocessable(msg!("no-such-cycle", cycle = cycle.to_string()))
    })?;
    for m in sanction::Entity::find()
        .filter(sanction::Column::SubjectId.is_in(ids.clone()))
        .filter(sanction::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(sanction::Column::EndsOn.is_null())
                .add(sanction::Column::EndsOn.gte(first_day)),
        )
        .filter(
            Condition::any()
                .add(sanction::Column::LiftedOn.is_null())
                .add(sanction::Column::LiftedOn.gt(first_day)),
        )
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await?
    {
        let fact = SanctionFact {
            id: m.id,
            sanction_type: column("sanctions", m.id, &m.sanction_type)?,
            scope: m
                .scope
                .as_deref()
                .map(|s| column("sanctions", m.id, s))
                .transpose()?,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            lifted_on: m.lifted_on,
            ban_until: m.ban_until,
        };
        if let Some(f) = facts.get_mut(&m.subject_id) {
            f.sanctions.push(fact);
        }
    }
    for e in list_entry::Entity::find()
        .filter(list_entry::Column::SubjectId.is_in(ids.clone()))
        .filter(
            Condition::any()
                .add(list_entry::Column::EndedOn.is_null())
                .add(list_entry::Column::EndedOn.gt(first_day)),
        )
        .order_by_asc(list_entry::Column::Id)
        .all(db)
        .await?
    {
        let ended = match (e.ended_on, e.end_kind.as_deref()) {
            (Some(on), Some(kind)) => Some((on, column("list_entries", e.id, kind)?)),
            _ => None,
        };
        let fact = ListFact {
            id: e.id,
            list: column("list_entries", e.id, &e.list)?,
            listed_on: e.listed_on,
            expires_on: e.expires_on,
            ended,
            published: e.published,
        };
        if let Some(f) = facts.get_mut(&e.subject_id) {
            f.lists.push(fact);
        }
    }
    crate::shared::registration_facts::add(db, &ids, &mut facts).await?;
    for a in appeal::Entity::find()
        .filter(appeal::Column::SubjectId.is_in(ids))
        .filter(appeal::Column::State.eq(AppealState::Pending.as_str()))
        .order_by_asc(appeal::Column::ViolationId)
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&a.subject_id) {
            f.disputed.push(a.violation_id);
        }
    }
    Ok(facts)
}

/// The facts stored in a standings row, or a `Corrupt` error naming it.
pub fn facts_of(row: &standing::Model) -> ServiceResult<StandingFacts> {
    serde_json::from_str(&row.facts)
        .map_err(|e| ServiceError::corrupt("standings", row.subject_id, e))
}

/// The newest `seq` of the change log (0 when empty).
pub async fn last_seq<C: ConnectionTrait>(db: &C) -> ServiceResult<i64> {
    Ok(change::Entity::find()
        .select_only()
        .column_as(change::Column::Seq.max(), "max_seq")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0))
}

/// Subjects that have no standings row yet (registered before the table existed, or seeded straight into the
/// database): their ids, at most `limit`.
pub async fn missing<C: ConnectionTrait>(db: &C, limit: u64) -> ServiceResult<Vec<i64>> {
    let have = sea_orm::QueryTrait::into_query(
        standing::Entity::find()
            .select_only()
            .column(standing::Column::SubjectId),
    );
    Ok(subject::Entity::find()
        .select_only()
        .column(subject::Column::Id)
        .filter(subject::Column::Id.not_in_subquery(have))
        .order_by_asc(subject::Column::Id)
        .limit(limit)
        .into_tuple::<i64>()
        .all(db)
        .await?)
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

/// A read-only snapshot in which the change log's head and every row are read as of one moment. On SQLite a
/// read transaction is a snapshot already, and its driver only warns about isolation settings it ignores, so
/// the settings are given to PostgreSQL alone.
pub async fn read_snapshot(
    conn: &sea_orm::DatabaseConnection,
) -> ServiceResult<sea_orm::DatabaseTransaction> {
    use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait};
    Ok(match conn.get_database_backend() {
        DbBackend::Postgres => {
            conn.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => conn.begin().await?,
    })
}
