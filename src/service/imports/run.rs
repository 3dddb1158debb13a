//! The import itself: every row checked by the rules of its single-row `POST` (for subjects the same
//! `check_new`, the same ban check), the checks that need the database made once per batch, each batch inserted
//! while the next is checked; change-log rows are written at the end, so the lock that orders the change log is
//! held only briefly. What differs between kinds is a `Loader`: how a batch is checked, inserted and recorded.

use crate::i18n::msg;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use serde_json::json;
use tokio::sync::mpsc;

use super::decode::{self, Decoded, Parsed, RowShape};
use super::ending::{self, DropGuard, Timing, close_failed};
use super::spool::{self, Spooled};
use super::{
    ImportFormat, ImportKind, ImportState, MAX_BYTES, MAX_ERRORS, MAX_ROWS, Outcome, Progress,
    finish,
};
use crate::db::{Db, IMPORT_ACQUIRE, patiently};
use crate::domain::subject::Identity;
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::{FieldError, ServiceError, ServiceResult};
use crate::service::subjects::WRITERS;
use crate::service::writer::Writer;
use entity::subject;

/// Runs one import for `actor`: opens its record, reads `input` as `format` and writes every row of `kind` in it
/// in one transaction, or none; the record says which, and why. `announced` is the body's `Content-Length`.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    db: &Db,
    cx: Ctx,
    actor: Actor,
    kind: ImportKind,
    format: ImportFormat,
    input: impl Read + Send + 'static,
    announced: Option<u64>,
    progress: &Arc<Progress>,
) -> ServiceResult<i64> {
    require(&actor, kind)?;
    let timing = Timing::start(cx.now);
    let id = patiently(IMPORT_ACQUIRE, || {
        super::start(&db.conn, &actor, (kind, format), cx.now)
    })
    .await?;
    let mut guard = DropGuard {
        db: db.clone(),
        id,
        timing,
        progress,
        armed: true,
    };
    progress.announced(id, announced);
    let mut state = State::default();
    // The whole body first, the write transaction after: a slow upload holds no writer. While it arrives, the
    // running import's lock is held on a connection of its own, so a node starting meanwhile leaves it alone;
    // the import's transaction takes the lock over.
    let holder = match db.backend() {
        sea_orm::DbBackend::Postgres => {
            let txn = sea_orm::TransactionTrait::begin(&db.conn).await?;
            ending::hold_running_lock(&txn, id).await?;
            Some(txn)
        }
        _ => None,
    };
    let received = receive(input, format, id, progress.clone()).await;
    if let Some(txn) = holder {
        drop(txn.rollback().await);
    }
    let result = match received {
        Ok(spooled) => match Writer::begin_patiently(db, cx, actor, IMPORT_ACQUIRE).await {
            Ok(w) => match import(
                &w,
                &db.conn,
                (id, kind, format),
                spooled,
                progress,
                &mut state,
            )
            .await
            {
                // Closed in the import's own transaction, at its real end.
                Ok(outcome) => match finish(w.db(), id, &outcome, timing.now()).await {
                    Ok(()) => w.commit().await,
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    progress.forget(id);
    let Err(error) = result else {
        guard.armed = false;
        return Ok(id);
    };
    // The import's transaction is gone: its record is closed on a connection of its own.
    let mut outcome = state.outcome(ImportState::Failed, None);
    if let ServiceError::Validation(errors) = &error
        && outcome.errors.is_empty()
    {
        outcome.errors = errors.clone();
        outcome.error_count = errors.len() as u64;
    }
    if let Some(reason) = ending::reason(&error) {
        outcome.errors.push(FieldError::new("body", reason));
        outcome.error_count += 1;
    }
    close_failed(db, id, &outcome, timing.now()).await;
    guard.armed = false;
    Err(error)
}

/// Receives the body to its end on a blocking thread, counting its rows as they arrive for `GET /imports`.
async fn receive(
    input: impl Read + Send + 'static,
    format: ImportFormat,
    id: i64,
    progress: Arc<Progress>,
) -> ServiceResult<Spooled> {
    // A CSV's first line is its header.
    let header = u64::from(format == ImportFormat::Csv);
    let counter = progress.clone();
    let arrived =
        move |lines: u64, bytes: u64| counter.arrived(id, lines.saturating_sub(header), bytes);
    let received = tokio::task::spawn_blocking(move || spool::receive(input, arrived))
        .await
        .map_err(|e| {
            ServiceError::Unprocessable(msg!("the-import-reader-failed", e = e.to_string()))
        })?;
    if let Ok((_, lines)) = &received {
        progress.received(id, lines.saturating_sub(header));
    }
    let received = received.map(|(spooled, _)| spooled);
    received.map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => too_large(),
        _ => ServiceError::validation("body", msg!("cannot-be-read", e = e.to_string())),
    })
}

/// The `413` of an import's body over `MAX_BYTES`.
pub fn too_large() -> ServiceError {
    ServiceError::TooLarge(msg!(
        "an-import-s-body-holds-at-most",
        detail = (MAX_BYTES >> 20).to_string()
    ))
}

/// Who may run an import of `kind`: those who may write one row of it.
pub fn require(actor: &Actor, kind: ImportKind) -> ServiceResult<()> {
    match kind {
        ImportKind::Subjects => actor.require(&WRITERS),
        ImportKind::Suspicions => actor.require(&crate::service::suspicions::HANDLERS),
    }
}

/// Reads `input` as `format` and writes every row of `kind` in it through `w`, or none. `id` is the import's
/// record (`super::start`); returns how it completed, for `run` to close the record in `w`'s transaction.
async fn import(
    w: &Writer,
    registry: &DatabaseConnection,
    (id, kind, format): (i64, ImportKind, ImportFormat),
    input: impl Read + Send + 'static,
    progress: &Progress,
    state: &mut State,
) -> ServiceResult<Outcome> {
    require(&w.actor, kind)?;
    ending::hold_running_lock(w.db(), id).await?;
    let reading = (id, format, input, progress);
    let (seqs, action) = match kind {
        ImportKind::Subjects => {
            state.banned = crate::service::bans::banned_keys(w.db(), w.cx.today()).await?;
            read_all(w, registry, reading, state, &mut super::subjects::Subjects).await?;
            let seqs = super::subjects::announce(w, std::mem::take(&mut state.inserted)).await?;
            (seqs, "subject.import")
        }
        ImportKind::Suspicions => {
            let mut loader = super::suspects::Suspects::default();
            read_all(w, registry, reading, state, &mut loader).await?;
            (loader.announce(w).await?, "suspicion.import")
        }
    };
    let outcome = state.outcome(ImportState::Completed, seqs);
    let record = json!({ "import": id, "format": format, "rows": outcome.rows_imported,
        "duplicates": outcome.rows_duplicate, "sha256": outcome.sha256,
        "first_seq": seqs.map(|s| s.0), "last_seq": seqs.map(|s| s.1) });
    w.audit(action, &id.to_string(), &record).await?;
    Ok(outcome)
}

/// What one kind of import does with its rows: check a batch (against the file so far and the database), insert
/// checked rows, and keep what it inserted for the change log written at the end.
pub(super) trait Loader: Send {
    type Row: RowShape;
    type Checked: Send + 'static;
    type Inserted: Send;
    /// The rows of `rows` to insert; none once anything in the import is wrong (errors go to `state`).
    fn check(
        &mut self,
        w: &Writer,
        registry: &DatabaseConnection,
        rows: Vec<Parsed<Self::Row>>,
        state: &mut State,
    ) -> impl Future<Output = ServiceResult<Vec<Self::Checked>>> + Send;
    fn insert(
        w: &Writer,
        rows: Vec<Self::Checked>,
    ) -> impl Future<Output = ServiceResult<Self::Inserted>> + Send;
    fn record(&mut self, state: &mut State, inserted: Self::Inserted);
}

#[derive(Default)]
pub(super) struct State {
    pub(super) rows_read: u64,
    pub(super) error_count: u64,
    pub(super) errors: Vec<FieldError>,
    sha256: Option<String>,
    /// Rows already there (suspects re-sent), not written again.
    pub(super) duplicates: u64,
    /// Codes seen so far, with their line, for duplicates within the file.
    pub(super) codes: HashMap<String, u64>,
    /// Identities (ID number in a role, USCC) of this file so far, with their line and code: one file per
    /// person and per organisation holds within a file too.
    pub(super) identities: HashMap<Identity, (u64, String)>,
    /// Practitioners of this file so far, with their line: a pharmacy's responsible person may be one above it.
    pub(super) practitioners: HashMap<String, u64>,
    /// The inserted subjects, in order, for their change-log rows at the end.
    pub(super) inserted: Vec<subject::Model>,
    /// How many were inserted (`inserted` is handed to the writer at the end).
    pub(super) inserted_count: u64,
    /// ID numbers and USCCs under a running ban (read once): only their rows need the full ban check.
    pub(super) banned: HashSet<String>,
}

impl State {
    /// The import's record as this state says it ended; only a completed import registered its rows.
    fn outcome(&self, state: ImportState, seqs: Option<(i64, i64)>) -> Outcome {
        let completed = state == ImportState::Completed;
        Outcome {
            state,
            rows_read: self.rows_read,
            rows_imported: if completed { self.inserted_count } else { 0 },
            rows_duplicate: if completed { self.duplicates } else { 0 },
            error_count: self.error_count,
            errors: self.errors.clone(),
            sha256: self.sha256.clone(),
            seqs,
        }
    }

    pub(super) fn record(&mut self, inserted: Vec<subject::Model>) {
        self.inserted_count += inserted.len() as u64;
        self.inserted.extend(inserted);
    }

    pub(super) fn reject(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        for error in errors {
            self.error_count += 1;
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(error);
            }
        }
    }
}

/// Reads every batch of the file and hands it to `loader`, each batch inserted while the next is checked. Fails
/// with every error by line (the first `MAX_ERRORS` kept) when any row is wrong: then nothing is written.
async fn read_all<L: Loader>(
    w: &Writer,
    registry: &DatabaseConnection,
    (id, format, input, progress): (i64, ImportFormat, impl Read + Send + 'static, &Progress),
    state: &mut State,
    loader: &mut L,
) -> ServiceResult<()> {
    if w.db().get_database_backend() == DbBackend::Postgres {
        // Every query of an import is a lookup by key, but the tables grow inside this one transaction and
        // the planner's statistics (taken before it) soon say "small": without this, PostgreSQL scans whole
        // tables once per batch and a 100,000-row import takes minutes instead of seconds.
        w.db()
            .execute_unprepared("SET LOCAL enable_seqscan = off")
            .await?;
    }
    let (sender, mut batches) = mpsc::channel(2);
    let reader =
        tokio::task::spawn_blocking(move || decode::decode::<L::Row>(format, input, sender));
    let result = async {
        // Checked rows wait here while the next batch is checked, so the database inserts one batch while
        // this task checks the next instead of the two taking turns.
        let mut pending = Vec::new();
        while let Some(decoded) = batches.recv().await {
            match decoded {
                Decoded::Rows(rows) => {
                    state.rows_read += rows.len() as u64;
                    progress.set(id, state.rows_read);
                    // Read on after an error: the client learns of every bad row (the first MAX_ERRORS
                    // kept) and of a file too large, in one answer.
                    let insert = L::insert(w, std::mem::take(&mut pending));
                    let (inserted, checked) =
                        tokio::join!(insert, loader.check(w, registry, rows, state));
                    loader.record(state, inserted?);
                    pending = checked?;
                }
                Decoded::End { sha256, rows } => {
                    state.sha256 = Some(sha256);
                    if rows == 0 {
                        state.reject([FieldError::new("body", msg!("holds-no-rows")).on_line(1)]);
                    }
                }
                Decoded::TooMany => {
                    return Err(ServiceError::TooLarge(msg!(
                        "an-import-holds-at-most-rows-split",
                        MAX_ROWS = MAX_ROWS.to_string()
                    )));
                }
                Decoded::Broken(errors) => state.reject(errors),
            }
        }
        if state.error_count == 0 {
            let inserted = L::insert(w, pending).await?;
            loader.record(state, inserted);
        }
        Ok(())
    }
    .await;
    drop(batches);
    // The reader ends once the channel is closed; a panic there is a bug worth a 500, not a silent success.
    reader.await.map_err(|e| {
        ServiceError::Unprocessable(msg!("the-import-reader-failed", e = e.to_string()))
    })?;
    result?;
    if !state.errors.is_empty() {
        return Err(ServiceError::Validation(state.errors.clone()));
    }
    Ok(())
}
