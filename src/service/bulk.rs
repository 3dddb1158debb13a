//! Bulk writes (a hundred thousand rows of an import): the statements are built on a blocking thread while the
//! one before executes, so preparing rows (JSON, SQL text, bound values) and the database's own work overlap
//! instead of taking turns on one core. Everything still runs in the caller's one transaction, in order.

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement};
use tokio::sync::mpsc;

use crate::service::error::{ServiceError, ServiceResult};

/// Statements ready to execute, at most this many ahead of the database.
const AHEAD: usize = 2;

/// Where a producer hands its statements, in the order they must run.
pub struct Statements(mpsc::Sender<Statement>);

impl Statements {
    /// Queues `statement`; fails once execution has stopped (a statement failed), so the producer stops too.
    pub fn send(&self, statement: Statement) -> ServiceResult<()> {
        self.0
            .blocking_send(statement)
            .map_err(|_| ServiceError::Unprocessable("a bulk write stopped".into()))
    }
}

/// Runs `produce` on a blocking thread and executes in `db`, in order, every statement it sends; returns what
/// `produce` returns. The first failure wins: a failed statement ends the run with its error.
pub async fn execute<T: Send + 'static>(
    db: &DatabaseTransaction,
    produce: impl FnOnce(&Statements) -> ServiceResult<T> + Send + 'static,
) -> ServiceResult<T> {
    let (sender, mut receiver) = mpsc::channel(AHEAD);
    let producer = tokio::task::spawn_blocking(move || produce(&Statements(sender)));
    let mut failed = None;
    while let Some(statement) = receiver.recv().await {
        if let Err(error) = db.execute_raw(statement).await {
            failed = Some(error);
            break;
        }
    }
    // Dropping the receiver makes a producer still sending stop at its next statement.
    drop(receiver);
    let produced = producer
        .await
        .map_err(|e| ServiceError::Unprocessable(format!("a bulk write's producer failed: {e}")))?;
    match failed {
        Some(error) => Err(error.into()),
        None => produced,
    }
}
