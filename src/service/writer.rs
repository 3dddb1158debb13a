//! The one write path (DESIGN §13). A use case gets a `Writer`: the transaction, the instant and the actor.
//! Through it, it appends audit rows and change-log rows; on `commit` the writer rewrites the `standings` row
//! of every subject the use case touched, in the same transaction, so what hospitals and partners read never
//! lags behind what was decided.

use crate::i18n::msg;
use std::collections::BTreeSet;
use std::sync::Mutex;

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryOrder,
    QueryTrait, Set,
};
use serde::Serialize;

use crate::db::{Db, WriteTxn};
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::service::actor::Actor;
use crate::service::announce;
use crate::service::audit;
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::{bulk, standings};
use entity::{change, subject};

pub struct Writer {
    txn: WriteTxn,
    pub cx: Ctx,
    pub actor: Actor,
    /// Subjects whose standing may have changed; refreshed once each at commit.
    touched: Mutex<BTreeSet<i64>>,
    /// Subjects registered in bulk in this transaction, whose first standing needs no facts loaded.
    registered: Mutex<Vec<subject::Model>>,
    /// Webhook deliveries were written: the commit wakes the delivery loop.
    deliveries: std::sync::atomic::AtomicBool,
}

impl Writer {
    pub async fn begin(db: &Db, cx: Ctx, actor: Actor) -> ServiceResult<Self> {
        Ok(Self {
            txn: db.begin_write().await?,
            cx,
            actor,
            touched: Mutex::new(BTreeSet::new()),
            registered: Mutex::new(Vec::new()),
            deliveries: Default::default(),
        })
    }

    /// As `begin`, waiting up to `patience` for a connection instead of the request's short acquire timeout.
    pub async fn begin_patiently(
        db: &Db,
        cx: Ctx,
        actor: Actor,
        patience: std::time::Duration,
    ) -> ServiceResult<Self> {
        Ok(Self {
            txn: db.begin_write_patiently(patience).await?,
            cx,
            actor,
            touched: Mutex::new(BTreeSet::new()),
            registered: Mutex::new(Vec::new()),
            deliveries: Default::default(),
        })
    }

    /// The transaction, for the use case's own reads and writes.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn txn(&self) -> &WriteTxn {
        &self.txn
    }

    /// Appends an audit row for `change` to `target`, stamped with the use case's instant.
    pub async fn audit(
        &self,
        action: &str,
        target: &str,
        change: &impl Serialize,
    ) -> ServiceResult<()> {
        audit::append(self.db(), &self.actor, self.cx.now, action, target, change).await?;
        Ok(())
    }

    /// Appends a change-log row and marks the subject's standing for refresh. Returns its `seq`.
    pub async fn change(
        &self,
        entity: ChangeEntity,
        entity_id: impl ToString,
        subject: (i64, &str),
        op: ChangeOp,
        value: &impl Serialize,
    ) -> ServiceResult<i64> {
        self.touch(subject.0);
        let seq =
            append_change(self.db(), &self.cx, entity, entity_id, subject.1, op, value).await?;
        // Webhook deliveries go in the same transaction as the change they announce (the outbox). Texts stay
        // keys and arguments here, as in the change row; the payload renders them.
        let json = crate::i18n::storing(|| serde_json::to_value(value)).map_err(|e| {
            ServiceError::Unprocessable(msg!("change-is-not-json", e = e.to_string()))
        })?;
        if crate::service::announce::enqueue(self.db(), &self.cx, (seq, entity, op), subject, &json)
            .await?
        {
            self.deliveries
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(seq)
    }

    /// Announces subjects registered in this transaction (`POST /subjects`, a bulk import): one `subject added`
    /// change row each, in order, with `value` of the subject as its JSON text; the rows are built on a blocking
    /// thread while the previous batch is written. At commit their first standings rows are written from
    /// known-empty facts (`standings::write_fresh`, which says why they get no `standing added` row) unless a
    /// later change in the transaction touches them. Returns the first and last `seq`.
    pub async fn registered_many(
        &self,
        subjects: Vec<subject::Model>,
        value: impl Fn(&subject::Model) -> ServiceResult<String> + Send + 'static,
    ) -> ServiceResult<Option<(i64, i64)>> {
        let Some((first, last)) = self.reserve_seqs(subjects.len()).await? else {
            return Ok(None);
        };
        let (entity, op) = (ChangeEntity::Subject, ChangeOp::Added);
        let (backend, cx) = (self.db().get_database_backend(), self.cx.clone());
        let subjects = bulk::execute(self.db(), subjects.len(), move |out| {
            // Batches keep every statement under SQLite's bound-parameter limit (7 per row).
            for (n, batch) in subjects.chunks(2000).enumerate() {
                let rows = (first + 2000 * n as i64..).zip(batch).map(|(seq, model)| {
                    let id = (entity, model.code.clone());
                    Ok(change_row(seq, id, &model.code, op, &cx, value(model)?))
                });
                let rows = rows.collect::<ServiceResult<Vec<_>>>()?;
                out.send(backend.build(&change::Entity::insert_many(rows).into_query()))?;
            }
            Ok((subjects, value))
        })
        .await;
        let (subjects, value) = subjects?;
        if announce::announces(entity, op) {
            for (seq, model) in (first..).zip(&subjects) {
                let value = serde_json::from_str(&value(model)?).map_err(|e| {
                    ServiceError::Unprocessable(msg!("change-is-not-json", e = e.to_string()))
                })?;
                let subject = (model.id, model.code.as_str());
                if announce::enqueue(self.db(), &self.cx, (seq, entity, op), subject, &value)
                    .await?
                {
                    self.deliveries
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        if let Ok(mut fresh) = self.registered.lock() {
            fresh.extend(subjects);
        }
        Ok(Some((first, last)))
    }

    /// Appends a change-log row about something that changes no one's standing (a suspect, issue 22): no
    /// standing is refreshed and no webhook is due, since only staff read such rows. Returns its `seq`.
    pub async fn note(
        &self,
        entity: ChangeEntity,
        entity_id: impl ToString,
        subject_code: &str,
        op: ChangeOp,
        value: &impl Serialize,
    ) -> ServiceResult<i64> {
        append_change(
            self.db(),
            &self.cx,
            entity,
            entity_id,
            subject_code,
            op,
            value,
        )
        .await
    }

    /// `note` for many rows at once (an import): `(entity id, subject code, value as JSON text)` each, given
    /// consecutive `seq`s in order, written in batched INSERTs. Returns the first and last `seq`.
    pub async fn note_many(
        &self,
        entity: ChangeEntity,
        op: ChangeOp,
        rows: Vec<(String, String, String)>,
    ) -> ServiceResult<Option<(i64, i64)>> {
        let Some((first, last)) = self.reserve_seqs(rows.len()).await? else {
            return Ok(None);
        };
        let (backend, cx) = (self.db().get_database_backend(), self.cx.clone());
        bulk::execute(self.db(), rows.len(), move |out| {
            for (n, batch) in rows.chunks(2000).enumerate() {
                let batch =
                    (first + 2000 * n as i64..)
                        .zip(batch)
                        .map(|(seq, (id, code, value))| {
                            change_row(seq, (entity, id.clone()), code, op, &cx, value.clone())
                        });
                out.send(backend.build(&change::Entity::insert_many(batch).into_query()))?;
            }
            Ok(())
        })
        .await?;
        Ok(Some((first, last)))
    }

    /// The first and last `seq` of `n` change rows about to be written together, under the lock that orders the
    /// change log (held until commit); `None` for none.
    async fn reserve_seqs(&self, n: usize) -> ServiceResult<Option<(i64, i64)>> {
        if n == 0 {
            return Ok(None);
        }
        audit::lock_chain(self.db()).await?;
        let first = crate::service::standings::last_seq(self.db()).await? + 1;
        Ok(Some((first, first + n as i64 - 1)))
    }

    /// Marks a subject whose standing must be rewritten at commit.
    pub fn touch(&self, subject_id: i64) {
        if let Ok(mut touched) = self.touched.lock() {
            touched.insert(subject_id);
        }
    }

    /// Rewrites the standings of the touched subjects, writes those of the registered ones, then commits
    /// everything together.
    pub async fn commit(self) -> ServiceResult<()> {
        let touched: BTreeSet<i64> = self.touched.lock().map(|t| t.clone()).unwrap_or_default();
        let mut fresh = self
            .registered
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        // A registered subject that something later touched may have facts by now: it takes the full refresh.
        fresh.retain(|s| !touched.contains(&s.id));
        let touched: Vec<i64> = touched.into_iter().collect();
        // Every change row touches its subject, and registrations are the rest.
        let changed = !touched.is_empty() || !fresh.is_empty();
        let refreshed = standings::refresh_many(self.db(), &self.cx, &touched).await?;
        let fresh = standings::write_fresh(self.db(), &self.cx, fresh).await?;
        let deliveries = self.deliveries.load(std::sync::atomic::Ordering::Relaxed);
        if changed && self.db().get_database_backend() == DbBackend::Postgres {
            // Every node's standing cache syncs when this commits (sent at commit, never on a rollback).
            self.db()
                .execute_unprepared(&format!("NOTIFY {CHANGES_CHANNEL}"))
                .await?;
        }
        self.txn
            .commit_with_deliveries(deliveries || refreshed || fresh)
            .await?;
        Ok(())
    }
}

/// The PostgreSQL channel on which commits that appended change-log rows are announced.
pub const CHANGES_CHANNEL: &str = "medcredit_changes";

/// Appends one `changes` row. `seq` is the last one plus one, taken under the lock that serialises the audit
/// chain until commit: no transaction can commit a lower `seq` after a reader has seen a higher one.
pub async fn append_change(
    db: &DatabaseTransaction,
    cx: &Ctx,
    entity: ChangeEntity,
    entity_id: impl ToString,
    subject_code: &str,
    op: ChangeOp,
    value: &impl Serialize,
) -> ServiceResult<i64> {
    audit::lock_chain(db).await?;
    let last = change::Entity::find()
        .order_by_desc(change::Column::Seq)
        .one(db)
        .await?
        .map_or(0, |row| row.seq);
    // Generated texts (exit conditions, engine reasons) are kept as keys and arguments, so the feed, history
    // rows and webhooks that re-read this row give them in their reader's language.
    let value = crate::i18n::storing(|| serde_json::to_string(value))
        .map_err(|e| ServiceError::Unprocessable(msg!("change-is-not-json", e = e.to_string())))?;
    let seq = last + 1;
    change_row(
        seq,
        (entity, entity_id.to_string()),
        subject_code,
        op,
        cx,
        value,
    )
    .insert(db)
    .await?;
    Ok(seq)
}

/// One `changes` row, stamped with the use case's instant: the shape every change-log writer appends.
pub fn change_row(
    seq: i64,
    (entity, entity_id): (ChangeEntity, String),
    subject_code: &str,
    op: ChangeOp,
    cx: &Ctx,
    value: String,
) -> change::ActiveModel {
    change::ActiveModel {
        seq: Set(seq),
        entity: Set(entity.as_str().to_string()),
        entity_id: Set(entity_id),
        subject_code: Set(subject_code.to_string()),
        op: Set(op.as_str().to_string()),
        at: Set(cx.now),
        value: Set(value),
    }
}
