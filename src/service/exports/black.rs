//! `GET /api/v1/lists/black/export`: the whole black list as the reader sees it, ended entries included. An
//! export plus the feed after its `seq` reproduces the list exactly (unlike monthly files plus supplements).

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::{Column, Export, ExportQuery, cell, column, encode};
use crate::domain::lists::ListKind;
use crate::domain::roles::Role;
use crate::read::batch::hospital_view;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{last_seq, read_snapshot};
use crate::shared::views::{ListEntryView, views};
use entity::list_entry;

pub async fn export(
    conn: &DatabaseConnection,
    cx: &Ctx,
    reader: &Actor,
    query: ExportQuery,
) -> ServiceResult<Export> {
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    let mut select = list_entry::Entity::find()
        .filter(list_entry::Column::List.eq(ListKind::Black.as_str()))
        .order_by_asc(list_entry::Column::Id);
    if matches!(reader.role, Role::Partner | Role::Hospital) {
        select = select.filter(list_entry::Column::Published.eq(true));
    }
    let mut rows = select.all(&snapshot).await?;
    if let Some(ids) = hospital_view(&snapshot, cx, reader).await? {
        rows.retain(|e| ids.contains(&e.subject_id));
    }
    let entries = views(&snapshot, rows, cx.today(), reader).await?;
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
    column("export-column-end-kind", |e| {
        e.end_kind.map(|k| k.to_string()).unwrap_or_default()
    }),
    column("export-column-published", |e| cell::flag(e.published)),
    column("export-column-automatic", |e| cell::flag(e.automatic)),
    column("export-column-case-ids", |e| cell::list(&e.violation_ids)),
    column("export-column-reason", |e| e.reason.text()),
    column("export-column-measures", |e| cell::list(&e.measures)),
    column("export-column-legal-basis", |e| e.legal_basis.clone()),
    column("export-column-exit-conditions", |e| {
        e.exit_conditions.text()
    }),
    column("export-column-remedies", |e| {
        serde_json::to_string(&e.remedies).unwrap_or_default()
    }),
];
