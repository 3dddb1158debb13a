//! Where a practitioner works, over time. Standing follows the person (一医一档); affiliations decide which
//! hospital may see whom.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::domain::dates::legal_date;
use crate::domain::scoring::SubjectKind;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::service::audit;
use crate::service::subjects::{WRITERS, ensure_visible, find_by_code, kind_of};
use crate::state::AppState;
use entity::{affiliation, subject};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAffiliation {
    /// Code of the institution or pharmacy.
    #[schema(example = "H37010200001")]
    pub institution_code: String,
    /// First day (UTC+8 calendar date).
    pub valid_from: NaiveDate,
    /// Last day, inclusive; omit while open.
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AffiliationView {
    pub practitioner_code: String,
    pub institution_code: String,
    pub institution_name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Whether the affiliation covers today (UTC+8).
    pub active: bool,
}

/// An affiliation covers `day` when it has begun and not yet ended (both ends inclusive).
fn covers(day: NaiveDate) -> Condition {
    Condition::all()
        .add(affiliation::Column::ValidFrom.lte(day))
        .add(
            Condition::any()
                .add(affiliation::Column::ValidTo.is_null())
                .add(affiliation::Column::ValidTo.gte(day)),
        )
}

/// Ids of the practitioners affiliated with `organisation_id` on `day`.
pub async fn practitioner_ids_of<C: ConnectionTrait>(
    db: &C,
    organisation_id: i64,
    day: NaiveDate,
) -> ApiResult<Vec<i64>> {
    Ok(affiliation::Entity::find()
        .filter(affiliation::Column::OrganisationId.eq(organisation_id))
        .filter(covers(day))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.practitioner_id)
        .collect())
}

fn view(
    a: affiliation::Model,
    practitioner: &subject::Model,
    organisation: &subject::Model,
    today: NaiveDate,
) -> AffiliationView {
    AffiliationView {
        practitioner_code: practitioner.code.clone(),
        institution_code: organisation.code.clone(),
        institution_name: organisation.name.clone(),
        active: a.valid_from <= today && a.valid_to.is_none_or(|to| to >= today),
        valid_from: a.valid_from,
        valid_to: a.valid_to,
    }
}

async fn find_practitioner<C: ConnectionTrait>(db: &C, code: &str) -> ApiResult<subject::Model> {
    let model = find_by_code(db, code).await?;
    if kind_of(&model) != SubjectKind::Practitioner {
        return Err(ApiError::Unprocessable(format!(
            "{code} is not a practitioner; only practitioners have affiliations"
        )));
    }
    Ok(model)
}

pub async fn list(
    state: &AppState,
    reader: &AuthUser,
    code: &str,
) -> ApiResult<Vec<AffiliationView>> {
    let db = &state.db.conn;
    let practitioner = find_practitioner(db, code).await?;
    ensure_visible(db, reader, &practitioner).await?;
    let today = legal_date(Utc::now());
    let rows = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.eq(practitioner.id))
        .order_by_asc(affiliation::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let organisation = subject::Entity::find_by_id(a.organisation_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                ApiError::Internal(format!("affiliation {} points to a missing subject", a.id))
            })?;
        out.push(view(a, &practitioner, &organisation, today));
    }
    Ok(out)
}

pub async fn create(
    state: &AppState,
    actor: &AuthUser,
    code: &str,
    input: NewAffiliation,
) -> ApiResult<AffiliationView> {
    actor.require(&WRITERS)?;
    let mut errors = FieldErrors::default();
    if input.valid_to.is_some_and(|to| to < input.valid_from) {
        errors.add("valid_to", "must not be before valid_from");
    }
    errors.finish()?;
    let txn = state.db.begin_write().await?;
    let practitioner = find_practitioner(&*txn, code).await?;
    let organisation = find_by_code(&*txn, &input.institution_code)
        .await
        .map_err(|_| {
            ApiError::validation(
                "institution_code",
                format!("{} is not a registered subject", input.institution_code),
            )
        })?;
    if !matches!(
        kind_of(&organisation),
        SubjectKind::Institution | SubjectKind::Pharmacy
    ) {
        return Err(ApiError::validation(
            "institution_code",
            "must name an institution or a pharmacy",
        ));
    }
    let existing = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.eq(practitioner.id))
        .filter(affiliation::Column::OrganisationId.eq(organisation.id))
        .all(&*txn)
        .await?;
    let overlaps = existing.iter().any(|a| {
        let new_end = input.valid_to.unwrap_or(NaiveDate::MAX);
        let old_end = a.valid_to.unwrap_or(NaiveDate::MAX);
        a.valid_from <= new_end && input.valid_from <= old_end
    });
    if overlaps {
        return Err(ApiError::Conflict(format!(
            "{code} already has an affiliation with {} overlapping these dates",
            organisation.code
        )));
    }
    let model = affiliation::ActiveModel {
        practitioner_id: Set(practitioner.id),
        organisation_id: Set(organisation.id),
        valid_from: Set(input.valid_from),
        valid_to: Set(input.valid_to),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::append(&*txn, actor, "affiliation.create", code, &input).await?;
    txn.commit().await?;
    Ok(view(
        model,
        &practitioner,
        &organisation,
        legal_date(Utc::now()),
    ))
}

/// Ends the open affiliation today (UTC+8) rather than deleting it: the history of who worked where is kept.
/// An affiliation that has not begun yet is ended the day before it starts, so it never takes effect.
pub async fn end(
    state: &AppState,
    actor: &AuthUser,
    code: &str,
    institution_code: &str,
) -> ApiResult<AffiliationView> {
    actor.require(&WRITERS)?;
    let today = legal_date(Utc::now());
    let txn = state.db.begin_write().await?;
    let practitioner = find_practitioner(&*txn, code).await?;
    let organisation = find_by_code(&*txn, institution_code).await?;
    let open = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.eq(practitioner.id))
        .filter(affiliation::Column::OrganisationId.eq(organisation.id))
        .filter(
            Condition::any()
                .add(affiliation::Column::ValidTo.is_null())
                .add(affiliation::Column::ValidTo.gte(today)),
        )
        .order_by_asc(affiliation::Column::Id)
        .one(&*txn)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "{code} has no current affiliation with {institution_code}"
            ))
        })?;
    let ended_on = if open.valid_from <= today {
        today
    } else {
        open.valid_from.pred_opt().unwrap_or(open.valid_from)
    };
    let mut model: affiliation::ActiveModel = open.into();
    model.valid_to = Set(Some(ended_on));
    let updated = model.update(&*txn).await?;
    audit::append(
        &*txn,
        actor,
        "affiliation.end",
        code,
        &serde_json::json!({ "institution_code": institution_code, "valid_to": ended_on }),
    )
    .await?;
    txn.commit().await?;
    Ok(view(updated, &practitioner, &organisation, today))
}
