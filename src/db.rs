//! Database connection and write transactions that behave the same on SQLite and PostgreSQL.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    /// SQLite allows one writer; taking this before `BEGIN` keeps writers queued in the process instead of failing
    /// with `SQLITE_BUSY` when a transaction that has read tries to upgrade. PostgreSQL uses row locks instead.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// SQLite only: the background WAL checkpoint that commits request.
    checkpoint: Option<Checkpointer>,
}

/// A transaction that holds the process-wide SQLite writer slot (if any) until it is committed or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _writer: Option<OwnedMutexGuard<()>>,
    checkpoint: Option<Checkpointer>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        if let Some(checkpoint) = &self.checkpoint {
            checkpoint.request();
        }
        // Deliveries written by this process start now rather than at the next poll.
        if OUTBOX_ROWS_WRITTEN.swap(false, Ordering::AcqRel) {
            OUTBOX_COMMITTED.notify_one();
        }
        Ok(())
    }
}

/// Set when a transaction of this process writes outbox rows (`service::announce::enqueue`); the commit that
/// follows wakes the delivery loop through [`OUTBOX_COMMITTED`]. The poll stays as the fallback, for rows that
/// other nodes write and for the rare commit that consumed another transaction's flag.
pub static OUTBOX_ROWS_WRITTEN: AtomicBool = AtomicBool::new(false);
pub static OUTBOX_COMMITTED: tokio::sync::Notify = tokio::sync::Notify::const_new();

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
        let mut options = ConnectOptions::new(url.to_string());
        options
            .sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(10))
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
        })
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
