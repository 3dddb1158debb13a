//! `GET /api/v1/sanctions/export`: the sanctions the reader may read, filtered as the sanction list is, in the
//! reader's audience (a hospital its own subjects', a partner's with people masked).

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Column, Export, ExportFormat, all_pages, cell, column, encode};
use crate::domain::sanctions::SanctionType;
use crate::service::sanctions::{self, SanctionQuery};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{last_seq, read_snapshot};
use crate::shared::views::SanctionView;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SanctionExportQuery {
    /// `csv` or `jsonl` (default).
    pub format: Option<ExportFormat>,
    /// Code of the sanctioned subject.
    pub subject_code: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub sanction_type: Option<SanctionType>,
    /// Keep only sanctions active on this date.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub active_on: Option<NaiveDate>,
}

pub async fn export(
    conn: &DatabaseConnection,
    cx: &Ctx,
    reader: &Actor,
    query: SanctionExportQuery,
) -> ServiceResult<Export> {
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    let rows = all_pages(|cursor| {
        let page = SanctionQuery {
            subject_code: query.subject_code.clone(),
            sanction_type: query.sanction_type,
            active_on: query.active_on,
            limit: Some(crate::pagination::MAX_LIMIT),
            cursor,
        };
        sanctions::list(&snapshot, cx, reader, page)
    })
    .await?;
    snapshot.commit().await?;
    encode(seq, query.format, &rows, COLUMNS)
}

const COLUMNS: &[Column<SanctionView>] = &[
    column("export-column-sanction-id", |s| s.id.to_string()),
    column("export-column-subject-code", |s| s.subject_code.clone()),
    column("export-column-subject-kind", |s| s.subject_kind.to_string()),
    column("export-column-sanction-type", |s| {
        s.sanction_type.to_string()
    }),
    column("export-column-scope", |s| {
        s.scope.map(|x| x.to_string()).unwrap_or_default()
    }),
    column("export-column-status", |s| s.status.to_string()),
    column("export-column-starts-on", |s| s.starts_on.to_string()),
    column("export-column-ends-on", |s| cell::date(s.ends_on)),
    column("export-column-ban-until", |s| cell::date(s.ban_until)),
    column("export-column-amount", |s| {
        s.amount_fen.map(cell::yuan).unwrap_or_default()
    }),
    column("export-column-reason", |s| s.reason.text()),
    column("export-column-automatic", |s| cell::flag(s.automatic)),
    column("export-column-case-ids", |s| cell::list(&s.violation_ids)),
    column("export-column-lifted-on", |s| cell::date(s.lifted_on)),
];
