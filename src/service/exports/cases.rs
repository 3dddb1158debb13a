//! `GET /api/v1/violations/export`: the cases the reader may read (staff), filtered as the case list is.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Column, Export, ExportFormat, all_pages, cell, column, encode};
use crate::domain::cases::CaseState;
use crate::service::cases::{self, ViolationQuery, ViolationView};
use crate::shared::actor::Actor;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{last_seq, read_snapshot};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseExportQuery {
    /// `csv` or `jsonl` (default).
    pub format: Option<ExportFormat>,
    pub subject_code: Option<String>,
    pub state: Option<CaseState>,
    pub type_code: Option<String>,
    pub major: Option<bool>,
    /// Earliest `occurred_on`.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub from: Option<NaiveDate>,
    /// Latest `occurred_on` (inclusive).
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub to: Option<NaiveDate>,
}

pub async fn export(
    conn: &DatabaseConnection,
    reader: &Actor,
    query: CaseExportQuery,
) -> ServiceResult<Export> {
    reader.require(&cases::READERS)?;
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    let cases = all_pages(|cursor| {
        let page = ViolationQuery {
            subject_code: query.subject_code.clone(),
            state: query.state,
            type_code: query.type_code.clone(),
            major: query.major,
            from: query.from,
            to: query.to,
            limit: Some(crate::pagination::MAX_LIMIT),
            cursor,
        };
        cases::read::list(&snapshot, reader, page)
    })
    .await?;
    snapshot.commit().await?;
    encode(seq, query.format, &cases, COLUMNS)
}

const COLUMNS: &[Column<ViolationView>] = &[
    column("export-column-case-id", |c| c.id.to_string()),
    column("export-column-subject-code", |c| c.subject_code.clone()),
    column("export-column-subject-kind", |c| c.subject_kind.to_string()),
    column("export-column-type-code", |c| c.type_code.clone()),
    column("export-column-state", |c| c.state.to_string()),
    column("export-column-occurred-on", |c| c.occurred_on.to_string()),
    column("export-column-discovered-on", |c| {
        c.discovered_on.to_string()
    }),
    column("export-column-description", |c| c.description.clone()),
    column("export-column-amount-involved", |c| {
        cell::yuan(c.amount_involved_fen)
    }),
    column("export-column-amount-to-recover", |c| {
        cell::yuan(c.amount_to_recover_fen)
    }),
    column("export-column-institution-code", |c| {
        c.institution_code.clone().unwrap_or_default()
    }),
    column("export-column-major", |c| cell::flag(c.major)),
    column("export-column-transferred", |c| {
        cell::flag(c.transferred_to_judiciary)
    }),
    column("export-column-points", |c| {
        c.points.map(|p| p.to_string()).unwrap_or_default()
    }),
    column("export-column-approved-at", |c| {
        c.approved_at
            .map(|t| crate::domain::dates::legal_date(t).to_string())
            .unwrap_or_default()
    }),
    column("export-column-sanction-ids", |c| {
        cell::list(&c.sanction_ids)
    }),
];
