//! Finding and listing subjects within each role's visibility.

use super::*;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubjectQuery {
    pub kind: Option<SubjectKind>,
    /// 6-digit region code.
    pub region: Option<String>,
    /// Substring of the name or code.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn find_by_code<C: ConnectionTrait>(db: &C, code: &str) -> ServiceResult<subject::Model> {
    subject::Entity::find()
        .filter(subject::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("no subject with code {code}")))
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
        && affiliations::practitioner_ids_from(db, institution.id, today)
            .await?
            .contains(&model.id)
    {
        return Ok(());
    }
    Err(ServiceError::Forbidden(NOT_YOURS.into()))
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
        crate::service::quota::spend(db, cx, reader, 1).await?;
    }
    match reader.audience() {
        Audience::Hospital => {
            let refused = || ServiceError::Forbidden(NOT_YOURS.into());
            let model = found.ok_or_else(refused)?;
            ensure_visible(db, cx.today(), reader, &model).await?;
            Ok(model)
        }
        audience => found
            .filter(|m| !(audience.masks_people() && m.kind == SubjectKind::Insured.as_str()))
            // The code is not repeated: for a masked reader it may be an ID number.
            .ok_or_else(|| ServiceError::NotFound("no subject with this code".into())),
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
    let owner = owner.ok_or_else(|| ServiceError::Forbidden(NOT_YOURS.into()))?;
    ensure_visible(db, today, reader, &owner).await
}

/// What a hospital is told about any subject outside its view, there or not.
const NOT_YOURS: &str = "a hospital may read only its own institution and its practitioners";

pub async fn get<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
) -> ServiceResult<SubjectView> {
    let model = find_visible(db, cx, reader, code).await?;
    SubjectView::for_reader(model, reader)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: SubjectQuery,
) -> ServiceResult<Page<SubjectView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = subject::Entity::find()
        .filter(subject::Column::Id.gt(page.after))
        .order_by_asc(subject::Column::Id)
        .limit(page.fetch_limit());
    if let Some(kind) = query.kind {
        select = select.filter(subject::Column::Kind.eq(kind.as_str()));
    }
    if let Some(region) = &query.region {
        select = select.filter(subject::Column::Region.eq(region.as_str()));
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(search(q, reader.sees_masked_identities()));
    }
    if reader.role == Role::Hospital {
        let org = reader.org.clone().unwrap_or_default();
        let mut visible = Condition::any().add(subject::Column::Code.eq(org.as_str()));
        if let Ok(institution) = find_by_code(db, &org).await {
            let ids = affiliations::practitioner_ids_from(db, institution.id, cx.today()).await?;
            visible = visible.add(subject::Column::Id.is_in(ids));
        }
        select = select.filter(visible);
    }
    let rows = page.page(select.all(db).await?, |r| r.id, |r| r);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|r| SubjectView::for_reader(r, reader))
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}
