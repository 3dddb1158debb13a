//! `GET /api/v1/institutions/{code}/practitioners/export`: a hospital's roster with each practitioner's standing
//! today, filtered as the roster is; a hospital office exports its own institution's only.

use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Column, Export, ExportFormat, cell, column, encode};
use crate::domain::sanctions::Scope;
use crate::domain::standing::StandingStatus;
use crate::read::roster::{self, RosterQuery};
use crate::read::standing::StandingView;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{last_seq, read_snapshot};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterExportQuery {
    /// `csv` or `jsonl` (default).
    pub format: Option<ExportFormat>,
    /// As the roster's `status`.
    pub status: Option<StandingStatus>,
    /// As the roster's `scope`.
    pub scope: Option<Scope>,
    /// As the roster's `registration_state`.
    pub registration_state: Option<crate::domain::registration::RegistrationState>,
}

pub async fn export(
    conn: &DatabaseConnection,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: RosterExportQuery,
) -> ServiceResult<Export> {
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    let filter = RosterQuery {
        status: query.status,
        scope: query.scope,
        registration_state: query.registration_state,
    };
    let roster = roster::roster(&snapshot, cx, reader, code, filter).await?;
    snapshot.commit().await?;
    encode(seq, query.format, &roster.practitioners, COLUMNS)
}

const COLUMNS: &[Column<StandingView>] = &[
    column("export-column-subject-code", |v| v.code.clone()),
    column("export-column-subject-name", |v| v.name.clone()),
    column("export-column-region", |v| v.region.clone()),
    column("export-column-standing", |v| v.status.to_string()),
    column("export-column-points", |v| {
        v.points.map(|p| p.to_string()).unwrap_or_default()
    }),
    column("export-column-may-be-paid", |v| cell::flag(v.may_be_paid)),
    column("export-column-outpatient-general", |v| {
        prescribe(v, |p| p.outpatient_general)
    }),
    column("export-column-outpatient-chronic", |v| {
        prescribe(v, |p| p.outpatient_chronic)
    }),
    column("export-column-inpatient", |v| prescribe(v, |p| p.inpatient)),
    column("export-column-disputed", |v| cell::flag(v.disputed)),
    column("export-column-as-of", |v| v.as_of.to_string()),
];

fn prescribe(
    view: &StandingView,
    scope: fn(&crate::domain::standing::MayPrescribe) -> bool,
) -> String {
    view.may_prescribe
        .as_ref()
        .map(|p| cell::flag(scope(p)))
        .unwrap_or_default()
}
