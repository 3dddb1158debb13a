//! `GET /api/v1/lists/red/export`: the red list (守信名单) as the reader sees it, ended entries included.

use sea_orm::DatabaseConnection;

use super::{Column, Export, ExportQuery, all_pages, cell, column, encode};
use crate::domain::lists::ListKind;
use crate::service::lists::{self, ListQuery};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{last_seq, read_snapshot};
use crate::shared::views::ListEntryView;

pub async fn export(
    conn: &DatabaseConnection,
    cx: &Ctx,
    reader: &Actor,
    query: ExportQuery,
) -> ServiceResult<Export> {
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    let entries = all_pages(|cursor| {
        let page = ListQuery {
            kind: None,
            region: None,
            active_on: None,
            q: None,
            limit: Some(crate::pagination::MAX_LIMIT),
            cursor,
        };
        lists::list(&snapshot, cx, reader, ListKind::Red, page)
    })
    .await?;
    snapshot.commit().await?;
    encode(seq, query.format, &entries, COLUMNS)
}

const COLUMNS: &[Column<ListEntryView>] = &[
    column("export-column-id", |e| e.id.to_string()),
    column("export-column-subject-code", |e| e.subject_code.clone()),
    column("export-column-subject-kind", |e| e.subject_kind.to_string()),
    column("export-column-subject-name", |e| e.subject_name.clone()),
    column("export-column-region", |e| e.region.clone()),
    column("export-column-status", |e| e.status.to_string()),
    column("export-column-listed-on", |e| e.listed_on.to_string()),
    column("export-column-expires-on", |e| cell::date(e.expires_on)),
    column("export-column-ended-on", |e| cell::date(e.ended_on)),
    column("export-column-reason", |e| e.reason.text()),
    column("export-column-measures", |e| cell::list(&e.measures)),
    column("export-column-exit-conditions", |e| {
        e.exit_conditions.text()
    }),
];
