//! What other nodes tell this one (PostgreSQL `LISTEN`/`NOTIFY`): a commit that wrote webhook deliveries
//! wakes every node's delivery loop, and a commit that changed anything wakes every node's standing-cache
//! sync, so neither waits for its poll. Notifications are sent at commit, never for a rollback; the polls stay
//! as the fallback (for a lost connection, and on SQLite, where one process is the only writer).

use std::time::Duration;

use sea_orm::DbBackend;

use crate::db::Db;

/// The channel of commits that wrote webhook deliveries.
pub const DELIVERIES_CHANNEL: &str = crate::service::announce::OUTBOX_CHANNEL;
/// The channel of commits that appended change-log rows.
pub const CHANGES_CHANNEL: &str = crate::service::writer::CHANGES_CHANNEL;

/// On PostgreSQL, a task that listens on both channels and wakes `db.deliveries` or `db.changes`; it
/// reconnects after a lost connection and ends with `stopped`. `None` on SQLite.
pub fn listen(
    db: &Db,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    if db.backend() != DbBackend::Postgres {
        return None;
    }
    let pool = db.conn.get_postgres_connection_pool().clone();
    let (deliveries, changes) = (db.deliveries.clone(), db.changes.clone());
    Some(tokio::spawn(async move {
        loop {
            let listening = async {
                let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await?;
                listener
                    .listen_all([DELIVERIES_CHANNEL, CHANGES_CHANNEL])
                    .await?;
                loop {
                    let notification = listener.recv().await?;
                    if notification.channel() == DELIVERIES_CHANNEL {
                        deliveries.notify_one();
                    } else {
                        changes.notify_one();
                    }
                }
                #[allow(unreachable_code)]
                Ok::<(), sea_orm::sqlx::Error>(())
            };
            tokio::select! {
                result = listening => {
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "listening for other nodes' commits failed; retrying");
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                _ = stopped.changed() => return,
            }
        }
    }))
}
