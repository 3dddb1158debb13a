//! The hash-chained audit log (执法全过程记录). Rows are appended in the writer's own transaction, so a change and
//! its audit row commit or vanish together; the chain makes any later edit of a row detectable.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::error::ServiceError;
use entity::audit_log;

/// Hash of the (virtual) row before the first one.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Appends one audit row describing `change` to `target`, chained to the newest row.
pub async fn append<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    target: &str,
    change: &impl Serialize,
) -> Result<(), DbErr> {
    lock_chain(txn).await?;
    let prev_hash = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .one(txn)
        .await?
        .map_or_else(|| GENESIS.to_string(), |row| row.hash);
    // Microseconds are what PostgreSQL keeps; truncating first makes the hash reproducible from the stored row.
    let at = truncate_to_micros(at);
    // Canonical text: serde_json keeps object keys sorted, so the digest does not depend on field order.
    let change_text = serde_json::to_value(change)
        .map_err(|e| DbErr::Custom(format!("audit change is not JSON: {e}")))?
        .to_string();
    let mut row = audit_log::Model {
        id: 0,
        at,
        actor: actor.sub.clone(),
        role: actor.role.as_str().to_string(),
        action: action.to_string(),
        target: target.to_string(),
        request_id: actor.request_id.clone(),
        digest: sha256_hex(change_text.as_bytes()),
        change: change_text,
        prev_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    audit_log::ActiveModel {
        at: Set(row.at),
        actor: Set(row.actor),
        role: Set(row.role),
        action: Set(row.action),
        target: Set(row.target),
        request_id: Set(row.request_id),
        change: Set(row.change),
        digest: Set(row.digest),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Queues writers that append to the audit chain or the change log until the holder commits, so two
/// transactions never chain to the same predecessor and `changes.seq` follows commit order. Taking it twice in
/// one transaction is harmless. SQLite has one writer at a time already.
pub async fn lock_chain<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    Ok(())
}

fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// The hash covers every field but the id (assigned by the database) and the hash itself.
fn row_hash(row: &audit_log::Model) -> String {
    let text = [
        row.prev_hash.as_str(),
        &row.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        &row.actor,
        &row.role,
        &row.action,
        &row.target,
        &row.request_id,
        &row.digest,
    ]
    .join("\n");
    sha256_hex(text.as_bytes())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyReport {
    /// True when every row's digest and hash recompute and each links to its predecessor.
    pub ok: bool,
    pub rows_checked: u64,
    /// Id of the first row that fails, if any.
    pub first_broken_id: Option<i64>,
    pub reason: Option<String>,
}

/// Walks the whole chain in id order, in pages, and reports the first row that does not verify.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<VerifyReport, DbErr> {
    const PAGE: u64 = 1000;
    let mut expected_prev = GENESIS.to_string();
    let mut after = 0i64;
    let mut checked = 0u64;
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(after))
            .order_by_asc(audit_log::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            let problem = if row.prev_hash != expected_prev {
                Some("prev_hash does not match the previous row's hash")
            } else if row.digest != sha256_hex(row.change.as_bytes()) {
                Some("digest does not match the recorded change")
            } else if row.hash != row_hash(&row) {
                Some("hash does not match the row's contents")
            } else {
                None
            };
            if let Some(reason) = problem {
                return Ok(VerifyReport {
                    ok: false,
                    rows_checked: checked,
                    first_broken_id: Some(row.id),
                    reason: Some(reason.to_string()),
                });
            }
            checked += 1;
            expected_prev = row.hash;
        }
    }
    Ok(VerifyReport {
        ok: true,
        rows_checked: checked,
        first_broken_id: None,
        reason: None,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    #[schema(value_type = crate::domain::roles::Role)]
    pub role: String,
    pub action: String,
    pub target: String,
    pub request_id: String,
    /// The change as it was recorded: the request's fields or the written view, as a JSON object. A row whose
    /// change is not an object (the catalogue's seed records the list of codes it added) reads as
    /// `{"value": …}`; the stored row, which the hash chain covers, is unchanged.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
    pub digest: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<audit_log::Model> for AuditRecord {
    fn from(row: audit_log::Model) -> Self {
        Self {
            id: row.id,
            at: row.at,
            actor: row.actor,
            role: row.role,
            action: row.action,
            target: row.target,
            request_id: row.request_id,
            change: as_object(
                serde_json::from_str(&row.change).unwrap_or(serde_json::Value::String(row.change)),
            ),
            digest: row.digest,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Code or id the action was about.
    pub target: Option<String>,
    /// Token subject of the actor.
    pub actor: Option<String>,
    /// Earliest time, RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Latest time (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    query: AuditQuery,
) -> Result<Page<AuditRecord>, ServiceError> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = audit_log::Entity::find()
        .filter(audit_log::Column::Id.gt(page.after))
        .order_by_asc(audit_log::Column::Id)
        .limit(page.fetch_limit());
    if let Some(target) = &query.target {
        select = select.filter(audit_log::Column::Target.eq(target.as_str()));
    }
    if let Some(actor) = &query.actor {
        select = select.filter(audit_log::Column::Actor.eq(actor.as_str()));
    }
    if let Some(from) = query.from {
        select = select.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = query.to {
        select = select.filter(audit_log::Column::At.lt(to));
    }
    let rows = select.all(db).await?;
    Ok(page.page(rows, |r| r.id, AuditRecord::from))
}

/// An audit row's change as the object the document promises: anything else is wrapped as `{"value": …}`.
fn as_object(change: serde_json::Value) -> serde_json::Value {
    match change {
        serde_json::Value::Object(_) => change,
        other => serde_json::json!({ "value": other }),
    }
}
