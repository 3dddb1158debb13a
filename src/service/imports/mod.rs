//! Bulk imports: of subjects (`POST /subjects:import`) and of smart-monitoring suspects
//! (`POST /suspicions:import`). Up to `MAX_ROWS` rows read as they arrive, each checked by the rules of its
//! single-row `POST`, written all together or not at all. Each import has a record that shows its progress while
//! it runs and how it ended afterwards. The machinery (receiving, decoding, batches, limits, progress, errors by
//! line, the record) is one; what a row is and how a batch is checked and written is its kind's (`run::Loader`).

mod decode;
mod ending;
mod insert;
mod progress;
mod run;
mod spool;
mod subjects;
mod suspects;

use crate::i18n::msg;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::enums::string_enum;
use crate::domain::roles::Role;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::error::{FieldError, ServiceError, ServiceResult, column};
pub use decode::COLUMNS;
pub use ending::{SERVER_STOPPED, fail_abandoned};
use entity::import;
pub use progress::Progress;
pub use run::{run, too_large};

/// Rows one import may hold; more is `413`. A region's registry is loaded in a few imports of this size.
pub const MAX_ROWS: u64 = 100_000;
/// Bytes one import's body may hold; more is `413` naming this limit.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Errors answered (and kept) for a failed import: enough to fix a file, not a copy of it.
pub const MAX_ERRORS: usize = 1000;
/// An import still running after this is stopped (`408`); a record older than this and still `running` is
/// one whose server stopped, and reads as `failed`.
pub const MAX_DURATION: std::time::Duration = std::time::Duration::from_secs(600);

string_enum! {
    /// How an import's body is written.
    pub enum ImportFormat as "import format" {
        /// `text/csv`: a header of column names, then one subject per record.
        Csv = "csv",
        /// `application/x-ndjson` (or `application/jsonl`): one `POST /subjects` body per line.
        Jsonl = "jsonl",
    }
}

string_enum! {
    /// What an import loads.
    pub enum ImportKind as "import kind" {
        /// Subjects (`POST /subjects:import`).
        Subjects = "subjects",
        /// Smart-monitoring suspects (`POST /suspicions:import`).
        Suspicions = "suspicions",
    }
}

string_enum! {
    /// What a running import is doing.
    pub enum ImportStage as "import stage" {
        /// The body is arriving (nothing is written yet).
        Receiving = "receiving",
        /// The body has arrived; its rows are checked and written, all or none.
        Writing = "writing",
    }
}

string_enum! {
    /// Where an import stands.
    pub enum ImportState as "import state" {
        Running = "running",
        Completed = "completed",
        /// Nothing was written; `errors` says why.
        Failed = "failed",
    }
}

/// An import's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub kind: ImportKind,
    pub state: ImportState,
    pub format: ImportFormat,
    /// Who ran it (token subject).
    pub actor: String,
    /// Data rows read so far (while running, on the node that runs it), or in all.
    pub rows_read: u64,
    /// While running (on the node that runs it): `receiving` the body, then `writing` its rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<ImportStage>,
    /// The rows of the body: known once all of it has arrived (its lines, while running), and after a
    /// completed import the rows read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_total: Option<u64>,
    /// Bytes of the body arrived so far, while it arrives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_read: Option<u64>,
    /// The body's size, when the client sent a `Content-Length`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_total: Option<u64>,
    /// The share done, 0–100: the body's arrival is the first half (known with a `Content-Length`), checking
    /// and writing its rows the second; 100 once completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 100)]
    pub percent_done: Option<u32>,
    /// Rows written (subjects registered, suspects taken in): all the new rows, or none.
    pub rows_imported: u64,
    /// Suspects: rows already taken with the same content, reported and not written again.
    pub rows_duplicate: u64,
    pub error_count: u64,
    /// The first errors of a failed import, by line.
    pub errors: Vec<FieldError>,
    /// SHA-256 of the body as received, once it has been read to its end.
    pub sha256: Option<String>,
    /// The change-log rows the import wrote (`GET /changes?after=first_seq-1`).
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    pub state: Option<ImportState>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Opens an import's record, committed at once so that it can be followed while the import runs.
async fn start<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    (kind, format): (ImportKind, ImportFormat),
    now: DateTime<Utc>,
) -> Result<i64, sea_orm::DbErr> {
    let row = import::ActiveModel {
        issuer: Set(actor.issuer.clone()),
        org: Set(actor.org.clone()),
        actor: Set(actor.sub.clone()),
        role: Set(actor.role.as_str().to_string()),
        kind: Set(kind.as_str().to_string()),
        format: Set(format.as_str().to_string()),
        state: Set(ImportState::Running.as_str().to_string()),
        rows_read: Set(0),
        rows_imported: Set(0),
        rows_duplicate: Set(0),
        error_count: Set(0),
        errors: Set("[]".into()),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// How an import ended, for its record.
pub struct Outcome {
    pub state: ImportState,
    pub rows_read: u64,
    pub rows_imported: u64,
    pub rows_duplicate: u64,
    pub errors: Vec<FieldError>,
    pub error_count: u64,
    pub sha256: Option<String>,
    pub seqs: Option<(i64, i64)>,
}

/// Closes an import's record: in the import's own transaction when it completes, on its own after a failure.
async fn finish<C: ConnectionTrait>(
    db: &C,
    id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let errors = crate::i18n::storing(|| serde_json::to_string(&outcome.errors))
        .map_err(|e| ServiceError::Unprocessable(msg!("errors-are-not-json", e = e.to_string())))?;
    import::ActiveModel {
        id: Set(id),
        state: Set(outcome.state.as_str().to_string()),
        rows_read: Set(outcome.rows_read as i64),
        rows_imported: Set(outcome.rows_imported as i64),
        rows_duplicate: Set(outcome.rows_duplicate as i64),
        error_count: Set(outcome.error_count as i64),
        errors: Set(errors),
        sha256: Set(outcome.sha256.clone()),
        first_seq: Set(outcome.seqs.map(|s| s.0)),
        last_seq: Set(outcome.seqs.map(|s| s.1)),
        finished_at: Set(Some(now)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Writers see their own imports; admins and auditors see every one.
fn sees_all(reader: &Actor) -> bool {
    matches!(reader.role, Role::Admin | Role::Auditor)
}

/// Roles that may read import records: those who may import (subjects or suspects), and auditors.
pub const READERS: [Role; 3] = [Role::Inspector, Role::Approver, Role::Auditor];

pub async fn get<C: ConnectionTrait>(
    db: &C,
    progress: &Progress,
    reader: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> ServiceResult<ImportView> {
    reader.require(&READERS)?;
    let not_found = || ServiceError::NotFound(msg!("no-import-of-yours", id = id.to_string()));
    let row = import::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !sees_all(reader)
        && !reader.is_principal(&row.issuer, &row.role, row.org.as_deref(), &row.actor)
    {
        return Err(not_found());
    }
    view(row, progress, now)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    progress: &Progress,
    reader: &Actor,
    query: ImportQuery,
    now: DateTime<Utc>,
) -> ServiceResult<Page<ImportView>> {
    reader.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    // Newest first: a client following its running import finds it on the first page.
    let mut select = import::Entity::find()
        .order_by_desc(import::Column::Id)
        .limit(page.fetch_limit());
    if page.after > 0 {
        select = select.filter(import::Column::Id.lt(page.after));
    }
    if !sees_all(reader) {
        use import::Column::{Actor as Sub, Issuer, Org, Role as RoleColumn};
        select = select.filter(reader.owns_rows([Issuer, RoleColumn, Org, Sub]));
    }
    // As `view` reads them: a `running` record older than MAX_DURATION is a failed import.
    let cutoff = now - chrono::Duration::from_std(MAX_DURATION).unwrap_or_default();
    let stored = |state: ImportState| import::Column::State.eq(state.as_str());
    let abandoned = || {
        Condition::all()
            .add(stored(ImportState::Running))
            .add(import::Column::StartedAt.lte(cutoff))
    };
    select = match query.state {
        None => select,
        Some(ImportState::Running) => select.filter(
            Condition::all()
                .add(stored(ImportState::Running))
                .add(import::Column::StartedAt.gt(cutoff)),
        ),
        Some(ImportState::Failed) => select.filter(
            Condition::any()
                .add(stored(ImportState::Failed))
                .add(abandoned()),
        ),
        Some(ImportState::Completed) => select.filter(stored(ImportState::Completed)),
    };
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|row| view(row, progress, now))
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}

fn view(row: import::Model, progress: &Progress, now: DateTime<Utc>) -> ServiceResult<ImportView> {
    let mut state: ImportState = column("imports", row.id, &row.state)?;
    let mut errors: Vec<FieldError> = serde_json::from_str(&row.errors)
        .map_err(|e| ServiceError::corrupt("imports", row.id, e))?;
    let mut error_count = row.error_count as u64;
    let abandoned = chrono::Duration::from_std(MAX_DURATION).unwrap_or_default();
    if state == ImportState::Running && now - row.started_at >= abandoned {
        // Nothing of it was written (its transaction never committed); only its record was left behind.
        state = ImportState::Failed;
        errors.push(FieldError::new("body", msg!("import-abandoned")));
        error_count += 1;
    }
    let running = state == ImportState::Running;
    let live = running.then(|| progress.of(row.id)).flatten();
    let completed = state == ImportState::Completed;
    Ok(ImportView {
        stage: live.map(|r| match r.rows_total {
            Some(_) => ImportStage::Writing,
            None => ImportStage::Receiving,
        }),
        rows_total: match live {
            Some(r) => r.rows_total,
            None => completed.then_some(row.rows_read as u64),
        },
        bytes_read: live
            .filter(|r| r.rows_total.is_none())
            .map(|r| r.bytes_read),
        bytes_total: live.and_then(|r| r.bytes_total),
        percent_done: match live {
            Some(r) => r.percent(),
            None => completed.then_some(100),
        },
        id: row.id,
        kind: column("imports", row.id, &row.kind)?,
        state,
        format: column("imports", row.id, &row.format)?,
        actor: row.actor,
        rows_read: running
            .then(|| progress.rows(row.id))
            .flatten()
            .unwrap_or(row.rows_read as u64),
        rows_imported: row.rows_imported as u64,
        rows_duplicate: row.rows_duplicate as u64,
        error_count,
        errors,
        sha256: row.sha256,
        first_seq: row.first_seq,
        last_seq: row.last_seq,
        started_at: row.started_at,
        finished_at: row.finished_at,
    })
}
