//! Sends the outbox (DESIGN §9): claims due deliveries (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
//! nodes never take the same row), posts each signed as the Standard Webhooks specification says
//! (<https://www.standardwebhooks.com/>: `webhook-id`, `webhook-timestamp`, `webhook-signature`), so partners
//! verify with a library of their language rather than code of their own, and records the outcome: delivered, or retried with exponential back-off until `MAX_ATTEMPTS`, then failed. A claim expires,
//! so a node that dies mid-send does not strand its rows.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipnet::IpNet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Set,
    Statement,
};
use sha2::Sha256;

use crate::db::Db;
use crate::domain::net::{check_address, check_url, literal_address};
use crate::service::announce::{MAX_ATTEMPTS, SECRET_PREFIX};
use crate::service::error::ServiceResult;
use entity::{outbox, webhook};

const BATCH: i64 = 50;
/// How long a claim holds before another worker may take the row over.
const CLAIM_SECS: i64 = 60;

/// The HTTP client deliveries go out through, with the addresses it may reach (DESIGN §14): a host's name is
/// resolved by [`CheckedResolver`], which hands the connection only addresses that pass
/// `domain::net::check_address`, so the address checked is the address connected to; a literal address is
/// checked before the request. Redirects are never followed (a 3xx is a failed attempt), and a receiver gets
/// 3 s to accept the connection and 5 s in all.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    allow: Arc<[IpNet]>,
}

impl Outbound {
    pub fn new(allow: Vec<IpNet>) -> Self {
        let allow: Arc<[IpNet]> = allow.into();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .dns_resolver(Arc::new(CheckedResolver {
                allow: allow.clone(),
            }))
            .build()
            .expect("an HTTP client without custom TLS builds");
        Self { client, allow }
    }

    /// Whether `url` may be delivered to as it stands: its shape, and its address when it is written as one.
    pub fn check(&self, url: &str) -> Result<(), String> {
        // Delivery faults are logged for operators, in English.
        let english = |m: crate::i18n::Msg| m.render(crate::i18n::Locale::En);
        let url = check_url(url).map_err(english)?;
        match literal_address(&url) {
            Some(ip) => check_address(ip, &self.allow).map_err(english),
            None => Ok(()),
        }
    }
}

/// Resolves a receiver's host and keeps only the addresses a delivery may reach; none left is an error, so a
/// name that points into the service's own network is refused at connection time, whatever it pointed to when
/// the webhook was registered.
struct CheckedResolver {
    allow: Arc<[IpNet]>,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let checked: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| check_address(a.ip(), &allow).is_ok())
                .collect();
            if checked.is_empty() {
                let why = found
                    .first()
                    .and_then(|a| check_address(a.ip(), &allow).err())
                    .map(|m| m.render(crate::i18n::Locale::En))
                    .unwrap_or_else(|| format!("{host} resolves to no address"));
                return Err(why.into());
            }
            Ok(Box::new(checked.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub delivered: u32,
    pub retried: u32,
    pub failed: u32,
}

/// The `webhook-signature` of a delivery (Standard Webhooks): `v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`,
/// where the key is the secret's bytes (see [`signing_key`]).
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&signing_key(secret)).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The HMAC key of a secret: the base64 after `whsec_`, as every Standard Webhooks library reads it. Secrets made
/// before the service followed the specification are hex text used as it stands; their owners verify with
/// `whsec_` followed by the base64 of that text.
pub fn signing_key(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix(SECRET_PREFIX)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// The `webhook-id` of a delivery: its id in `GET /webhooks/{id}/deliveries`, the same on every attempt, so a
/// receiver that saw it already can drop a retry whose answer got lost.
pub fn message_id(delivery: i64) -> String {
    format!("msg_{delivery}")
}

/// Claims the due rows in one short transaction: pending ones whose time has come, and `sending` ones whose
/// claim has lapsed, of subscribers not in `busy`. A row waits while an earlier row of its subscriber is backing
/// off or being sent, so each subscriber gets its deliveries in order.
async fn claim(db: &Db, now: DateTime<Utc>, busy: &[i64]) -> ServiceResult<Vec<outbox::Model>> {
    let until = now + chrono::Duration::seconds(CLAIM_SECS);
    let backend = db.backend();
    let (skip_locked, p) = match backend {
        DbBackend::Postgres => ("FOR UPDATE SKIP LOCKED", ["$1", "$2", "$3", "$4", "$5"]),
        _ => ("", ["?", "?", "?", "?", "?"]),
    };
    // Ids are integers formatted here, never text from outside.
    let not_busy = if busy.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = busy.iter().map(i64::to_string).collect();
        format!("AND webhook_id NOT IN ({})", ids.join(","))
    };
    let sql = format!(
        "UPDATE outbox SET status = 'sending', claimed_until = {p0} WHERE id IN (
           SELECT id FROM outbox AS o
           WHERE ((o.status = 'pending' AND o.next_attempt_at <= {p1})
              OR (o.status = 'sending' AND o.claimed_until < {p2}))
             {not_busy}
             AND o.webhook_id NOT IN (SELECT id FROM webhooks WHERE paused_at IS NOT NULL)
             AND NOT EXISTS (SELECT 1 FROM outbox AS e
                 WHERE e.webhook_id = o.webhook_id AND e.id < o.id
                   AND ((e.status = 'pending' AND e.next_attempt_at > {p3})
                     OR (e.status = 'sending' AND e.claimed_until >= {p4})))
           ORDER BY id LIMIT {BATCH} {skip_locked})
         RETURNING *",
        p0 = p[0],
        p1 = p[1],
        p2 = p[2],
        p3 = p[3],
        p4 = p[4],
    );
    let txn = db.begin_write().await?;
    let mut rows = outbox::Model::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [until.into(), now.into(), now.into(), now.into(), now.into()],
    ))
    .all(&*txn)
    .await?;
    txn.commit().await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The claimed rows by subscriber, each queue in order.
fn queues(rows: Vec<outbox::Model>) -> Vec<(i64, Vec<outbox::Model>)> {
    let mut by_hook: BTreeMap<i64, Vec<outbox::Model>> = BTreeMap::new();
    for row in rows {
        by_hook.entry(row.webhook_id).or_default().push(row);
    }
    by_hook.into_iter().collect()
}

/// One pass over the due deliveries, every subscriber's queue at once; the tests' hook. The background loop
/// uses a [`Dispatcher`], which does not wait for one subscriber before the next pass.
pub async fn deliver_due(db: &Db, client: &Outbound, now: DateTime<Utc>) -> ServiceResult<Outcome> {
    let rows = claim(db, now, &[]).await?;
    let passes = queues(rows)
        .into_iter()
        .map(|(_, queue)| deliver_queue(db, client, now, queue));
    let mut outcome = Outcome::default();
    for done in futures_util::future::join_all(passes).await {
        let done = done?;
        outcome.delivered += done.delivered;
        outcome.retried += done.retried;
        outcome.failed += done.failed;
    }
    Ok(outcome)
}

/// Sends each subscriber's queue on a task of its own, and claims no row of a subscriber whose task still runs:
/// a receiver that hangs delays its own deliveries only.
#[derive(Clone, Default)]
pub struct Dispatcher {
    busy: Arc<Mutex<HashSet<i64>>>,
}

impl Dispatcher {
    pub async fn dispatch(
        &self,
        db: &Db,
        client: &Outbound,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let busy: Vec<i64> = self
            .busy
            .lock()
            .map(|b| b.iter().copied().collect())
            .unwrap_or_default();
        for (hook, queue) in queues(claim(db, now, &busy).await?) {
            if let Ok(mut busy) = self.busy.lock() {
                busy.insert(hook);
            }
            let (db, client, busy) = (db.clone(), client.clone(), self.busy.clone());
            tokio::spawn(async move {
                if let Err(e) = deliver_queue(&db, &client, now, queue).await {
                    tracing::warn!(error = %e, webhook = hook, "webhook delivery failed");
                }
                if let Ok(mut busy) = busy.lock() {
                    busy.remove(&hook);
                }
            });
        }
        Ok(())
    }
}

/// Sends one subscriber's claimed rows in order. At the first that does not arrive, the attempt is recorded and
/// the rows after it are handed back unsent, so none overtakes it.
async fn deliver_queue(
    db: &Db,
    client: &Outbound,
    now: DateTime<Utc>,
    queue: Vec<outbox::Model>,
) -> ServiceResult<Outcome> {
    let mut outcome = Outcome::default();
    let mut rows = queue.into_iter();
    for row in rows.by_ref() {
        let hook = webhook::Entity::find_by_id(row.webhook_id)
            .one(&db.conn)
            .await?;
        let result = match &hook {
            Some(hook) if hook.deleted_at.is_none() => send(client, hook, &row).await,
            _ => Err((None, "the webhook was deleted".to_string())),
        };
        let attempts = row.attempts + 1;
        let row_id = row.id;
        let mut paused = None;
        let mut model: outbox::ActiveModel = row.into();
        model.attempts = Set(attempts);
        model.claimed_until = Set(None);
        let arrived = result.is_ok();
        match result {
            Ok(status) => {
                model.status = Set("delivered".into());
                model.last_status = Set(Some(status));
                model.last_error = Set(None);
                model.delivered_at = Set(Some(Utc::now()));
                outcome.delivered += 1;
            }
            Err((status, error)) => {
                model.last_status = Set(status);
                model.last_error = Set(Some(error));
                if attempts >= MAX_ATTEMPTS || hook.as_ref().is_none_or(|h| h.deleted_at.is_some())
                {
                    model.status = Set("failed".into());
                    outcome.failed += 1;
                    if let Some(hook) = hook.as_ref().filter(|h| h.deleted_at.is_none()) {
                        // A receiver that failed this often is paused: its queue waits for its owner.
                        paused = Some((
                            hook.clone(),
                            format!(
                                "delivery {} failed {attempts} times; last: {}",
                                row_id,
                                model
                                    .last_error
                                    .clone()
                                    .take()
                                    .flatten()
                                    .unwrap_or_default()
                            ),
                        ));
                    }
                } else {
                    // 1, 2, 4, 8, 16 s…: a receiver that is down is not hammered.
                    let wait = chrono::Duration::seconds(1 << (attempts - 1).clamp(0, 12));
                    model.status = Set("pending".into());
                    model.next_attempt_at = Set(now + wait);
                    outcome.retried += 1;
                }
            }
        }
        let txn = db.begin_write().await?;
        model.update(&*txn).await?;
        if let Some((hook, reason)) = paused {
            let mut hook: webhook::ActiveModel = hook.into();
            hook.paused_at = Set(Some(Utc::now()));
            hook.paused_reason = Set(Some(reason));
            hook.update(&*txn).await?;
        }
        txn.commit().await?;
        if !arrived {
            break;
        }
    }
    let rest: Vec<i64> = rows.map(|r| r.id).collect();
    if !rest.is_empty() {
        let txn = db.begin_write().await?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("pending"))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox::Column::Id.is_in(rest))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
    }
    Ok(outcome)
}

async fn send(
    outbound: &Outbound,
    hook: &webhook::Model,
    row: &outbox::Model,
) -> Result<i32, (Option<i32>, String)> {
    outbound
        .check(&hook.url)
        .map_err(|e| (None, format!("the URL may not be delivered to: {e}")))?;
    // The time of this attempt: receivers refuse signatures older than a few minutes, and a retry may come
    // hours after the first try. The id stays the delivery's.
    let timestamp = Utc::now().timestamp();
    let id = message_id(row.id);
    let response = outbound
        .client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("webhook-id", id.as_str())
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(&hook.secret, &id, timestamp, &row.payload),
        )
        .body(row.payload.clone())
        .send()
        .await
        .map_err(|e| {
            (
                None,
                format!("cannot reach the receiver: {}", error_chain(&e)),
            )
        })?;
    let status = i32::from(response.status().as_u16());
    if response.status().is_success() {
        Ok(status)
    } else if response.status().is_redirection() {
        Err((
            Some(status),
            format!("the receiver answered {status}, a redirect, which is never followed"),
        ))
    } else {
        Err((Some(status), format!("the receiver answered {status}")))
    }
}

/// An error with its causes, so the delivery log says why (a refused address, a timeout).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
