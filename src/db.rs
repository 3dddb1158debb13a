//! Database connection and write transactions that behave the same on SQLite and PostgreSQL.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnAcquireErr, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a request waits for a pooled connection unless configured (`MEDCREDIT_DB_ACQUIRE_TIMEOUT_MS`): a
/// request that cannot get one soon answers 503 rather than hanging while the database is away.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a bulk import keeps asking for a connection (its record, its transaction): an upload of 100,000 rows
/// is worth waiting for, unlike a request a client can simply retry.
pub const IMPORT_ACQUIRE: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    /// Set when a write failed for want of space, cleared by the next commit: `/readyz` says not ready meanwhile.
    storage_full: Arc<AtomicBool>,
    /// SQLite allows one writer; taking this before `BEGIN` keeps writers queued in the process instead of failing
    /// with `SQLITE_BUSY` when a transaction that has read tries to upgrade. PostgreSQL uses row locks instead.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// SQLite only: the background WAL checkpoint that commits request.
    checkpoint: Option<Checkpointer>,
    /// Signalled by a commit that wrote webhook deliveries (and, on PostgreSQL, by other nodes' commits):
    /// this node's delivery loop waits on it, and on its poll.
    pub deliveries: Arc<tokio::sync::Notify>,
    /// Signalled when another node announces a commit that changed something (PostgreSQL): the standing cache
    /// syncs at once rather than at its next poll.
    pub changes: Arc<tokio::sync::Notify>,
}

/// A transaction that holds the process-wide SQLite writer slot (if any) until it is committed or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _writer: Option<OwnedMutexGuard<()>>,
    checkpoint: Option<Checkpointer>,
    storage_full: Arc<AtomicBool>,
    deliveries: Arc<tokio::sync::Notify>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits, and wakes this node's delivery loop when the transaction wrote webhook deliveries, so they
    /// start now rather than at the next poll.
    pub async fn commit_with_deliveries(self, deliveries: bool) -> Result<(), DbErr> {
        let signal = self.deliveries.clone();
        self.commit().await?;
        if deliveries {
            signal.notify_one();
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        // A write went through: whatever space was missing is there again.
        self.storage_full.store(false, Ordering::Relaxed);
        if let Some(checkpoint) = &self.checkpoint {
            checkpoint.request();
        }
        Ok(())
    }
}

/// Copies SQLite's write-ahead log back into the database file in the background after commits. SQLite's
/// default does it inside the commit that crosses `wal_autocheckpoint` pages, so that commit's request waits for
/// it: a 100,000-row import's commit copied ~100 MB before it could answer. The SQLite documentation suggests
/// this for applications that care about commit latency: no automatic checkpoint, and checkpoints run apart.
/// A checkpoint starts `CHECKPOINT_DELAY` after the commit that asks for it, so that a burst of small commits
/// shares one (each syncs the files); at most one runs at a time, and commits made meanwhile make it run once
/// more.
#[derive(Clone)]
struct Checkpointer {
    conn: DatabaseConnection,
    state: Arc<AtomicU8>,
}

const CHECKPOINT_DELAY: Duration = Duration::from_secs(1);
const IDLE: u8 = 0;
const RUNNING: u8 = 1;
const AGAIN: u8 = 2;

impl Checkpointer {
    fn request(&self) {
        let previous = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                Some(if state == IDLE { RUNNING } else { AGAIN })
            });
        if previous != Ok(IDLE) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CHECKPOINT_DELAY).await;
                // PASSIVE copies what no reader still needs and never blocks writers or readers.
                if let Err(e) = this
                    .conn
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
                let done =
                    this.state
                        .compare_exchange(RUNNING, IDLE, Ordering::AcqRel, Ordering::Acquire);
                if done.is_ok() {
                    return;
                }
                // A commit asked for another while this one ran.
                this.state.store(RUNNING, Ordering::Release);
            }
        });
    }
}

impl Db {
    /// Connects; `search_path` selects a PostgreSQL schema (used by tests to isolate each one).
    pub async fn connect(url: &str, search_path: Option<&str>) -> Result<Self, DbErr> {
        Self::connect_with(url, search_path, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// As `connect`, with the time a caller waits for a pooled connection before `PoolTimedOut` (503).
    pub async fn connect_with(
        url: &str,
        search_path: Option<&str>,
        acquire_timeout: Duration,
    ) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url.to_string());
        options
            .sqlx_logging(false)
            .acquire_timeout(acquire_timeout)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // `Checkpointer` checkpoints after commits instead.
                    .pragma("wal_autocheckpoint", "0")
                    .pragma("temp_store", "memory")
            });
        if let Some(schema) = search_path {
            options.set_schema_search_path(schema.to_string());
        }
        if url.starts_with("sqlite:") {
            options.max_connections(8);
        }
        let conn = Database::connect(options).await?;
        let sqlite = conn.get_database_backend() == DbBackend::Sqlite;
        let checkpoint = sqlite.then(|| Checkpointer {
            conn: conn.clone(),
            state: Arc::new(AtomicU8::new(IDLE)),
        });
        Ok(Self {
            deliveries: Arc::default(),
            changes: Arc::default(),
            storage_full: Arc::default(),
            sqlite_writer: sqlite.then(|| Arc::new(Mutex::new(()))),
            checkpoint,
            conn,
        })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let writer = match &self.sqlite_writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        Ok(WriteTxn {
            txn: self.conn.begin().await?,
            _writer: writer,
            checkpoint: self.checkpoint.clone(),
            storage_full: self.storage_full.clone(),
            deliveries: self.deliveries.clone(),
        })
    }

    /// As `begin_write`, asking again for a connection until `patience` has passed (bulk imports).
    pub async fn begin_write_patiently(&self, patience: Duration) -> Result<WriteTxn, DbErr> {
        patiently(patience, || self.begin_write()).await
    }

    /// Records that a write failed for want of space (`fault` said `Full`).
    pub fn note_storage_full(&self) {
        self.storage_full.store(true, Ordering::Relaxed);
    }

    pub fn storage_full(&self) -> bool {
        self.storage_full.load(Ordering::Relaxed)
    }

    /// A write that needs new space (a table's first page) and leaves nothing behind, for `/readyz` while the
    /// last write failed for space: it succeeds once space is back, and clears the mark by committing.
    pub async fn probe_write(&self) -> Result<(), DbErr> {
        let txn = self.begin_write().await?;
        let table = format!("medcredit_space_probe_{}", std::process::id());
        for sql in [
            format!("CREATE TABLE {table} (t TEXT)"),
            format!("INSERT INTO {table} (t) VALUES ('probe')"),
            format!("DROP TABLE {table}"),
        ] {
            txn.execute_unprepared(&sql).await?;
        }
        txn.commit().await
    }

    /// Serialises writers that touch one subject (approvals, threshold sanctions) on PostgreSQL; SQLite writers
    /// are already serialised by `begin_write`.
    pub async fn lock_subject(txn: &WriteTxn, subject_id: i64) -> Result<(), DbErr> {
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT id FROM subjects WHERE id = $1 FOR UPDATE",
                [subject_id.into()],
            ))
            .await?;
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }
}

/// Runs `attempt` until it succeeds, fails otherwise than for a pool timeout, or `patience` has passed. Only
/// acquiring is retried: nothing has been sent to the database yet, so nothing can be applied twice.
pub async fn patiently<T, F, Fut>(patience: Duration, mut attempt: F) -> Result<T, DbErr>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbErr>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match attempt().await {
            Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))
                if tokio::time::Instant::now() < deadline => {}
            other => return other,
        }
    }
}

/// What a database error says about the database rather than about the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Unreachable, restarting, the connection lost, no connection free in time, SQLite busy past its timeout:
    /// worth retrying shortly (503).
    Unavailable,
    /// No space left for the write (SQLITE_FULL, PostgreSQL `disk_full`): 507 until space is freed.
    Full,
}

/// Classifies `err`; `None` for errors about the request or the code (constraints, types, syntax).
pub fn fault(err: &DbErr) -> Option<Fault> {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return Some(Fault::Unavailable),
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return Some(Fault::Unavailable),
        _ => return None,
    };
    match &**sqlx {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::BeginFailed => Some(Fault::Unavailable),
        Sqlx::Database(e) => {
            let sqlite = e
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some();
            fault_by_code(sqlite, &e.code().unwrap_or_default())
        }
        _ => None,
    }
}

/// By SQLSTATE (PostgreSQL) or result code (SQLite, extended codes carry the primary in their low byte).
fn fault_by_code(sqlite: bool, code: &str) -> Option<Fault> {
    if sqlite {
        return match code.parse::<u32>().unwrap_or_default() & 0xff {
            // SQLITE_FULL
            13 => Some(Fault::Full),
            // SQLITE_BUSY, SQLITE_LOCKED: another process held the file past the busy timeout.
            5 | 6 => Some(Fault::Unavailable),
            _ => None,
        };
    }
    match code {
        // disk_full
        "53100" => Some(Fault::Full),
        // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, out_of_memory
        "57P01" | "57P02" | "57P03" | "53300" | "53200" => Some(Fault::Unavailable),
        // serialization_failure, deadlock_detected: another transaction won, this one was rolled back whole;
        // the same request sent again goes through.
        "40001" | "40P01" => Some(Fault::Unavailable),
        // Class 08: connection exception.
        c if c.starts_with("08") => Some(Fault::Unavailable),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_that_mean_the_database_not_the_request() {
        assert_eq!(fault_by_code(true, "13"), Some(Fault::Full));
        assert_eq!(fault_by_code(false, "40P01"), Some(Fault::Unavailable));
        assert_eq!(fault_by_code(false, "53100"), Some(Fault::Full));
        // SQLITE_BUSY_SNAPSHOT (517) is a busy.
        assert_eq!(fault_by_code(true, "517"), Some(Fault::Unavailable));
        assert_eq!(fault_by_code(false, "57P01"), Some(Fault::Unavailable));
        assert_eq!(fault_by_code(false, "08006"), Some(Fault::Unavailable));
        // Unique violations (SQLite 2067, PostgreSQL 23505) are the request's.
        assert_eq!(fault_by_code(true, "2067"), None);
        assert_eq!(fault_by_code(false, "23505"), None);
        let timeout = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        assert_eq!(fault(&timeout), Some(Fault::Unavailable));
        assert_eq!(fault(&DbErr::RecordNotFound("x".into())), None);
    }
}
