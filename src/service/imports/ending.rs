//! How an import's record ends when the import does not: a failure's reason, the record closed even when the
//! request is dropped (a timeout, a stopping server), and at start-up the records of imports that no server is
//! running any more.

use crate::i18n::msg;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    Statement, TransactionTrait,
};

use super::{ImportState, Outcome, Progress, finish};
use crate::db::{Db, Fault, IMPORT_ACQUIRE, fault, patiently};
use crate::service::error::{FieldError, ServiceError, ServiceResult};
use entity::import;

/// The reason recorded for an import whose server stopped while it ran.
pub const SERVER_STOPPED: &str = "import-server-stopped";

/// The PostgreSQL advisory lock a running import holds in its transaction: a lock nobody holds means no server
/// is running that import. Advisory locks are per database, so the schema is part of the key (deployments,
/// and test runs, in other schemas have imports with the same ids).
const LOCK_SQL: &str =
    "SELECT pg_advisory_xact_lock(hashtext('medcredit-import:' || current_schema()), $1::int4)";
/// How long a starting node waits for a running import's lock before it takes the import for a live one.
const LOCK_WAIT_MS: u32 = 3000;

/// Takes the lock that says "this import is running" in the import's own transaction (PostgreSQL only; an
/// SQLite file has one server, which knows at start that it runs nothing).
pub(super) async fn hold_running_lock<C: ConnectionTrait>(txn: &C, id: i64) -> ServiceResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            LOCK_SQL,
            [id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Marks `failed`, with the reason "the server stopped", every `running` import that no server runs: at
/// start, before this server runs any. On PostgreSQL other nodes may be running imports: only those whose
/// lock is free are marked.
pub async fn fail_abandoned(db: &Db, now: DateTime<Utc>) -> ServiceResult<u64> {
    let running = import::Entity::find()
        .filter(import::Column::State.eq(ImportState::Running.as_str()))
        .all(&db.conn)
        .await?;
    let mut marked = 0;
    for row in running {
        let txn = db.conn.begin().await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // A killed server's session may take a moment to end (and release the lock): wait that long.
            txn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'"))
                .await?;
            let taken = txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    LOCK_SQL,
                    [row.id.into()],
                ))
                .await;
            if let Err(e) = taken {
                // Held: a live node is running it.
                tracing::info!(import = row.id, error = %e, "import left running: its lock is held");
                continue;
            }
        }
        let mut errors: Vec<FieldError> = serde_json::from_str(&row.errors)
            .map_err(|e| ServiceError::corrupt("imports", row.id, e))?;
        errors.push(FieldError::new(
            "body",
            crate::i18n::Msg::new(SERVER_STOPPED),
        ));
        let errors_json = crate::i18n::storing(|| serde_json::to_string(&errors)).map_err(|e| {
            ServiceError::Unprocessable(msg!("errors-are-not-json", e = e.to_string()))
        })?;
        import::ActiveModel {
            id: Set(row.id),
            state: Set(ImportState::Failed.as_str().to_string()),
            // Its rows were never written: its transaction died with its server.
            rows_imported: Set(0),
            error_count: Set(row.error_count + 1),
            errors: Set(errors_json),
            // When its failure became known; the moment its server stopped is not recorded anywhere.
            finished_at: Set(Some(now)),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        marked += 1;
    }
    Ok(marked)
}

/// The reason a failed import's record gives when its errors are not about its rows.
pub(super) fn reason(error: &ServiceError) -> Option<crate::i18n::Msg> {
    match error {
        ServiceError::Validation(_) => None,
        ServiceError::Db(e) => Some(match fault(e) {
            Some(Fault::Full) => msg!("import-database-full"),
            Some(Fault::Unavailable) => msg!("import-database-unavailable"),
            None => msg!("import-database-error"),
        }),
        other => Some(other.message()),
    }
}

/// The import's end on the one clock: its start as the context says, plus the time it really took.
#[derive(Clone, Copy)]
pub(super) struct Timing {
    started_at: DateTime<Utc>,
    began: Instant,
}

impl Timing {
    pub fn start(started_at: DateTime<Utc>) -> Self {
        Self {
            started_at,
            began: Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.started_at + chrono::Duration::from_std(self.began.elapsed()).unwrap_or_default()
    }
}

/// Closes a failed import's record on a connection of its own, asking for one patiently (the failure may be
/// the database's, back in a moment). Logged if it cannot: `fail_abandoned` closes it at the next start.
pub(super) async fn close_failed(db: &Db, id: i64, outcome: &Outcome, at: DateTime<Utc>) {
    let closed = patiently(IMPORT_ACQUIRE, || async {
        finish(&db.conn, id, outcome, at)
            .await
            .map_err(|e| match e {
                ServiceError::Db(e) => e,
                other => sea_orm::DbErr::Custom(other.to_string()),
            })
    })
    .await;
    if let Err(e) = closed {
        tracing::error!(import = id, error = %e, "cannot close a failed import's record");
    }
}

/// Closes the record if the import's future is dropped before it could (the request timed out, the client
/// left, the server is stopping): on a task of its own, since a drop cannot wait.
pub(super) struct DropGuard<'a> {
    pub db: Db,
    pub id: i64,
    pub timing: Timing,
    /// Where the rows read so far are counted, for the record.
    pub progress: &'a Progress,
    /// Cleared once `run` has closed the record itself.
    pub armed: bool,
}

impl Drop for DropGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (db, id, at) = (self.db.clone(), self.id, self.timing.now());
        let rows_read = self.progress.rows(id).unwrap_or(0);
        self.progress.forget(id);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let message = msg!("import-request-ended");
            let outcome = Outcome {
                state: ImportState::Failed,
                rows_read,
                rows_imported: 0,
                rows_duplicate: 0,
                errors: vec![FieldError::new("body", message)],
                error_count: 1,
                sha256: None,
                seqs: None,
            };
            // Bounded: a stopping server does not wait for this; `fail_abandoned` is the backstop.
            let close = close_failed(&db, id, &outcome, at);
            let _ = tokio::time::timeout(Duration::from_secs(5), close).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnAcquireErr, DbErr};

    #[test]
    fn a_failure_that_is_not_about_the_rows_says_why() {
        let lost = ServiceError::Db(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        assert!(
            reason(&lost)
                .unwrap()
                .render(crate::i18n::Locale::En)
                .contains("could not be reached")
        );
        let too_many = ServiceError::TooLarge(msg!("an-import-holds-at-most-100000-rows"));
        assert!(
            reason(&too_many)
                .unwrap()
                .render(crate::i18n::Locale::En)
                .contains("at most")
        );
        // The rows' own errors are the reason already.
        assert_eq!(
            reason(&ServiceError::validation("code", msg!("is-required"))),
            None
        );
    }
}
