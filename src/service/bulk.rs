//! Bulk writes (a hundred thousand rows of an import): the statements are built on a blocking thread while the
//! one before executes, so preparing rows (JSON, SQL text, bound values) and the database's own work overlap
//! instead of taking turns on one core. Everything still runs in the caller's one transaction, in order. A small
//! write (one approval's few subjects) is built in place: a thread hop would cost more than it saves.

use crate::i18n::msg;
use std::sync::Mutex;

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement};
use tokio::sync::mpsc;

use crate::service::error::{ServiceError, ServiceResult};

/// Statements ready to execute, at most this many ahead of the database.
const AHEAD: usize = 2;
/// Rows below which a write is built in place.
const IN_PLACE_BELOW: usize = 1000;

/// Where a producer hands its statements, in the order they must run.
pub struct Statements(Sink);

enum Sink {
    Thread(mpsc::Sender<Statement>),
    InPlace(Mutex<Vec<Statement>>),
}

impl Statements {
    /// Queues `statement`; fails once execution has stopped (a statement failed), so the producer stops too.
    pub fn send(&self, statement: Statement) -> ServiceResult<()> {
        let stopped = || ServiceError::Unprocessable(msg!("a-bulk-write-stopped"));
        match &self.0 {
            Sink::Thread(sender) => sender.blocking_send(statement).map_err(|_| stopped()),
            Sink::InPlace(queue) => {
                queue.lock().map_err(|_| stopped())?.push(statement);
                Ok(())
            }
        }
    }
}

/// Runs `produce`, which writes about `rows` rows, and executes in `db`, in order, every statement it sends;
/// returns what `produce` returns. Large writes are produced on a blocking thread while they execute. The first
/// failure wins: a failed statement ends the run with its error.
pub async fn execute<T: Send + 'static>(
    db: &DatabaseTransaction,
    rows: usize,
    produce: impl FnOnce(&Statements) -> ServiceResult<T> + Send + 'static,
) -> ServiceResult<T> {
    if rows < IN_PLACE_BELOW {
        let statements = Statements(Sink::InPlace(Mutex::new(Vec::new())));
        let produced = produce(&statements)?;
        if let Sink::InPlace(queue) = statements.0 {
            for statement in queue.into_inner().unwrap_or_default() {
                db.execute_raw(statement).await?;
            }
        }
        return Ok(produced);
    }
    let (sender, mut receiver) = mpsc::channel(AHEAD);
    let producer = tokio::task::spawn_blocking(move || produce(&Statements(Sink::Thread(sender))));
    let mut failed = None;
    while let Some(statement) = receiver.recv().await {
        if let Err(error) = db.execute_raw(statement).await {
            failed = Some(error);
            break;
        }
    }
    // Dropping the receiver makes a producer still sending stop at its next statement.
    drop(receiver);
    let produced = producer.await.map_err(|e| {
        ServiceError::Unprocessable(msg!("a-bulk-write-s-producer-failed", e = e.to_string()))
    })?;
    match failed {
        Some(error) => Err(error.into()),
        None => produced,
    }
}
