//! `GET /api/v1/institutions/{code}/practitioners` (issue 10): every practitioner affiliated with the
//! institution now or from a later day, with their standing — the hospital's roster to check before a shift.

use crate::i18n::msg;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::registration::RegistrationState;
use crate::domain::roles::Role;
use crate::domain::sanctions::Scope;
use crate::domain::scoring::SubjectKind;
use crate::domain::standing::StandingStatus;
use crate::read::batch::{rows_by_code, view_of};
use crate::read::standing::StandingView;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult};
use crate::shared::lookup::{self, find_by_code, kind_of};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterQuery {
    /// Only practitioners in this status today.
    pub status: Option<StandingStatus>,
    /// Only practitioners who may prescribe in this scope today: the roster of that clinic (`all` and `pharmacy`:
    /// who may be paid at all). Those barred show `status` `suspended` or `terminated`, and `may_prescribe`
    /// says in which scopes.
    pub scope: Option<Scope>,
    /// Only practitioners whose registration here is in this state today (their current one, or the one that
    /// starts later).
    pub registration_state: Option<RegistrationState>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Roster {
    pub institution_code: String,
    pub practitioners: Vec<StandingView>,
}

pub async fn roster<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: RosterQuery,
) -> ServiceResult<Roster> {
    if reader.role == Role::Hospital && reader.org.as_deref() != Some(code) {
        return Err(ServiceError::Forbidden(msg!(
            "a-hospital-may-read-only-its-own"
        )));
    }
    let institution = find_by_code(db, code).await?;
    if !matches!(
        kind_of(&institution)?,
        SubjectKind::Institution | SubjectKind::Pharmacy
    ) {
        return Err(ServiceError::NotFound(msg!(
            "is-not-an-institution-or-pharmacy",
            code = code.to_string()
        )));
    }
    let ids = lookup::practitioner_ids_from(db, institution.id, cx.today()).await?;
    let codes = lookup::codes_of(db, &ids).await?;
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let rows = rows_by_code(db, &refs).await?;
    let today = cx.today();
    let mut practitioners = Vec::with_capacity(codes.len());
    for code in &codes {
        let Some(loaded) = rows.get(code) else {
            continue;
        };
        let view = view_of(db, cx, reader, loaded, today).await?;
        let blocked = |scope: Scope| {
            view.may_prescribe.as_ref().is_some_and(|p| match scope {
                Scope::OutpatientGeneral => !p.outpatient_general,
                Scope::OutpatientChronic => !p.outpatient_chronic,
                Scope::Inpatient => !p.inpatient,
                Scope::All | Scope::Pharmacy => !view.may_be_paid,
            })
        };
        let here = current_here(&view, &institution.code);
        if query.status.is_some_and(|s| s != view.status)
            || query.scope.is_some_and(blocked)
            || query.registration_state.is_some_and(|s| here != Some(s))
        {
            continue;
        }
        practitioners.push(view);
    }
    Ok(Roster {
        institution_code: institution.code,
        practitioners,
    })
}

/// The state of the practitioner's registration at `institution` that has not ended: the earliest such (the
/// current one, or the one that starts later).
fn current_here(view: &StandingView, institution: &str) -> Option<RegistrationState> {
    view.registrations
        .iter()
        .flatten()
        .filter(|r| r.institution_code == institution && r.state != RegistrationState::Ended)
        .min_by_key(|r| r.valid_from)
        .map(|r| r.state)
}
