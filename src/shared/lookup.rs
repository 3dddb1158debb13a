//! Finding subjects and who may see them: what both the use cases and the read side need, kept apart from
//! either so that neither has to import the other (DESIGN §13, §14).

use crate::i18n::msg;
use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::masking::Audience;
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult, column};
use entity::{affiliation, subject};

pub async fn find_by_code<C: ConnectionTrait>(db: &C, code: &str) -> ServiceResult<subject::Model> {
    subject::Entity::find()
        .filter(subject::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!("no-subject-with-code", code = code.to_string()))
        })
}

/// Hospitals read only their own institution and the practitioners affiliated with it today or from a later
/// day, so that a hospital can vet a doctor before the first day (DESIGN §1, §8).
pub async fn ensure_visible<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    reader: &Actor,
    model: &subject::Model,
) -> ServiceResult<()> {
    if reader.role != Role::Hospital {
        return Ok(());
    }
    let org = reader.org.as_deref().unwrap_or_default();
    if model.code == org {
        return Ok(());
    }
    if kind_of(model)? == SubjectKind::Practitioner
        && let Ok(institution) = find_by_code(db, org).await
        && practitioner_ids_from(db, institution.id, today)
            .await?
            .contains(&model.id)
    {
        return Ok(());
    }
    Err(ServiceError::Forbidden(crate::i18n::msg!(
        "hospital-not-yours"
    )))
}

/// The subject `code` names, as far as `reader` may know it exists (DESIGN §14): a hospital gets the same 403
/// for a subject that is not its own and for one that is not there, and a reader who sees people masked gets
/// the same 404 for an insured person (whose code is an ID number) and for nobody. Every read of one subject by
/// code goes through here, so that no answer tells someone else's state.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
) -> ServiceResult<subject::Model> {
    let found = subject::Entity::find()
        .filter(subject::Column::Code.eq(code))
        .one(db)
        .await?;
    let organisation = found.as_ref().is_some_and(|m| {
        m.kind == SubjectKind::Institution.as_str() || m.kind == SubjectKind::Pharmacy.as_str()
    });
    if !organisation {
        // A look-up of a person, or of what may be one: it counts against a masked reader's daily quota.
        crate::shared::quota::spend(db, cx, reader, 1).await?;
    }
    match reader.audience() {
        Audience::Hospital => {
            let refused = || ServiceError::Forbidden(crate::i18n::msg!("hospital-not-yours"));
            let model = found.ok_or_else(refused)?;
            ensure_visible(db, cx.today(), reader, &model).await?;
            Ok(model)
        }
        audience => found
            .filter(|m| !(audience.masks_people() && m.kind == SubjectKind::Insured.as_str()))
            // The code is not repeated: for a masked reader it may be an ID number.
            .ok_or_else(|| ServiceError::NotFound(msg!("no-subject-with-this-code"))),
    }
}

/// For a hospital acting on something of a subject's (a case, a list entry), the right to act, checked before
/// anything else about it: the same 403 whether the thing is missing, is someone else's, or (for an entry) is
/// unpublished, so that no answer tells another institution's state (DESIGN §14). Other roles pass.
pub async fn ensure_hospital_owns<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    reader: &Actor,
    subject_id: Option<i64>,
) -> ServiceResult<()> {
    if reader.role != Role::Hospital {
        return Ok(());
    }
    let owner = match subject_id {
        Some(id) => subject::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let owner =
        owner.ok_or_else(|| ServiceError::Forbidden(crate::i18n::msg!("hospital-not-yours")))?;
    ensure_visible(db, today, reader, &owner).await
}

/// The subject's kind, or a `Corrupt` error naming the row.
pub fn kind_of(model: &subject::Model) -> ServiceResult<SubjectKind> {
    column("subjects", model.id, &model.kind)
}

/// Ids of the practitioners affiliated with `organisation_id` on `day` or from a later day: whom a hospital
/// may vet and check. An affiliation ended before it began (withdrawn) gives no one.
pub async fn practitioner_ids_from<C: ConnectionTrait>(
    db: &C,
    organisation_id: i64,
    day: NaiveDate,
) -> ServiceResult<Vec<i64>> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Ok(affiliation::Entity::find()
        .filter(affiliation::Column::OrganisationId.eq(organisation_id))
        .filter(
            Condition::any()
                .add(affiliation::Column::ValidTo.is_null())
                .add(
                    Condition::all()
                        .add(affiliation::Column::ValidTo.gte(day))
                        .add(
                            Expr::col(affiliation::Column::ValidTo)
                                .gte(Expr::col(affiliation::Column::ValidFrom)),
                        ),
                ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.practitioner_id)
        .collect())
}

/// For a hospital, the ids of the subjects it may see (its institution and its practitioners, now or from a
/// later day); `None` for every other role. The one place list queries take a hospital's view from.
pub async fn hospital_subject_ids<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    reader: &Actor,
) -> ServiceResult<Option<HashSet<i64>>> {
    if reader.role != Role::Hospital {
        return Ok(None);
    }
    let org = reader.org.as_deref().unwrap_or_default();
    let mut ids = HashSet::new();
    if let Ok(institution) = find_by_code(db, org).await {
        ids.extend(practitioner_ids_from(db, institution.id, today).await?);
        ids.insert(institution.id);
    }
    Ok(Some(ids))
}

/// The codes of subjects by id, ordered by code.
pub async fn codes_of<C: ConnectionTrait>(db: &C, ids: &[i64]) -> ServiceResult<Vec<String>> {
    let mut codes: Vec<String> = subject::Entity::find()
        .filter(subject::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    Ok(codes)
}
