//! Finding and listing subjects within each role's visibility.

use super::*;
pub use crate::service::lookup::{
    ensure_hospital_owns, ensure_visible, find_by_code, find_visible,
};

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
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

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
            let ids = crate::service::lookup::practitioner_ids_from(db, institution.id, cx.today())
                .await?;
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
