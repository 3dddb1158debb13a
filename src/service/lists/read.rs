//! Reading list entries: what each role sees, with people masked for those who see them masked.

use crate::i18n::msg;
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use super::{ListEntryView, ListQuery, PublicEntryView, views};
use crate::domain::changes::ChangeEntity;
use crate::domain::lists::ListKind;
use crate::domain::roles::Role;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::affiliations;
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::outward::history;
use crate::service::sanctions::SanctionEvent;
use crate::service::subjects::{find_by_code, search};
use entity::{list_entry, subject};

/// An entry with its history from the change log.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ListEntryDetail {
    #[serde(flatten)]
    pub entry: ListEntryView,
    pub history: Vec<SanctionEvent>,
}

/// The SQL twin of `domain::lists::status(..) == Active` on `day`.
pub fn active_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(list_entry::Column::ListedOn.lte(day))
        .add(
            Condition::any()
                .add(list_entry::Column::ExpiresOn.is_null())
                .add(list_entry::Column::ExpiresOn.gte(day)),
        )
        .add(
            Condition::any()
                .add(list_entry::Column::EndedOn.is_null())
                .add(list_entry::Column::EndedOn.gt(day)),
        )
}

/// Staff see every entry; hospitals and partners only published ones, hospitals only about their own subjects.
async fn visible<C: ConnectionTrait>(db: &C, cx: &Ctx, reader: &Actor) -> ServiceResult<Condition> {
    let mut visible = Condition::all();
    if matches!(reader.role, Role::Hospital | Role::Partner) {
        visible = visible.add(list_entry::Column::Published.eq(true));
    }
    if reader.role == Role::Hospital {
        let org = reader.org.as_deref().unwrap_or_default();
        let mut own = Condition::any().add(list_entry::Column::SubjectCode.eq(org));
        if let Ok(institution) = find_by_code(db, org).await {
            let ids = affiliations::practitioner_ids_from(db, institution.id, cx.today()).await?;
            own = own.add(list_entry::Column::SubjectId.is_in(ids));
        }
        visible = visible.add(own);
    }
    Ok(visible)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    kind: ListKind,
    query: ListQuery,
) -> ServiceResult<Page<ListEntryView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = list_entry::Entity::find()
        .filter(list_entry::Column::List.eq(kind.as_str()))
        .filter(list_entry::Column::Id.gt(page.after))
        .filter(visible(db, cx, reader).await?)
        .order_by_asc(list_entry::Column::Id)
        .limit(page.fetch_limit());
    if let Some(kind) = query.kind {
        select = select.filter(list_entry::Column::SubjectKind.eq(kind.as_str()));
    }
    if let Some(day) = query.active_on {
        select = select.filter(active_on(day));
    }
    let mut subjects = Condition::all();
    if let Some(region) = &query.region {
        subjects = subjects.add(subject::Column::Region.eq(region.as_str()));
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // The subjects search, with its rule for masked readers: no prefix of a hidden identifier matches.
        subjects = subjects.add(search(q, reader.sees_masked_identities()));
    }
    if query.region.is_some() || query.q.is_some() {
        let ids = subject::Entity::find()
            .select_only()
            .column(subject::Column::Id)
            .filter(subjects)
            .into_query();
        select = select.filter(list_entry::Column::SubjectId.in_subquery(ids));
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    let day = query.active_on.unwrap_or_else(|| cx.today());
    Ok(Page {
        items: views(db, rows.items, day, reader).await?,
        next_cursor: rows.next_cursor,
    })
}

/// The published black list in force today as the public page shows it. `q` matches only what the page
/// prints — names and codes as shown, people's masked — so a search can never confirm a hidden character
/// (DESIGN §14). Entries are filtered after they are built, a bounded batch at a time.
pub async fn public_black<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    query: ListQuery,
) -> ServiceResult<Page<PublicEntryView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let reader = Actor::public("public");
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let wanted = page.fetch_limit() as usize;
    let mut found = Vec::new();
    let mut after = page.after;
    loop {
        let mut select = list_entry::Entity::find()
            .filter(list_entry::Column::List.eq(ListKind::Black.as_str()))
            .filter(list_entry::Column::Published.eq(true))
            .filter(list_entry::Column::Id.gt(after))
            .filter(active_on(cx.today()))
            .order_by_asc(list_entry::Column::Id)
            .limit(PUBLIC_BATCH);
        if let Some(region) = &query.region {
            select = select.filter(
                list_entry::Column::SubjectId.in_subquery(
                    subject::Entity::find()
                        .select_only()
                        .column(subject::Column::Id)
                        .filter(subject::Column::Region.eq(region.as_str()))
                        .into_query(),
                ),
            );
        }
        let batch = select.all(db).await?;
        let exhausted = (batch.len() as u64) < PUBLIC_BATCH;
        after = batch.last().map_or(after, |m| m.id);
        for entry in views(db, batch, cx.today(), &reader).await? {
            let shown =
                q.is_none_or(|q| entry.subject_name.contains(q) || entry.subject_code.contains(q));
            if shown && found.len() < wanted {
                found.push(PublicEntryView::from(entry));
            }
        }
        if exhausted || found.len() >= wanted {
            break;
        }
    }
    let rows = page.page(found, |e| e.id, |e| e);
    Ok(Page {
        items: rows.items,
        next_cursor: rows.next_cursor,
    })
}

/// Entries read per query by `public_black`.
const PUBLIC_BATCH: u64 = 500;

pub async fn get<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    kind: ListKind,
    id: i64,
) -> ServiceResult<ListEntryDetail> {
    let not_found = || {
        ServiceError::NotFound(msg!(
            "no-list-entry",
            kind = kind.to_string(),
            id = id.to_string()
        ))
    };
    let model = list_entry::Entity::find_by_id(id)
        .filter(list_entry::Column::List.eq(kind.as_str()))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    // An unpublished entry does not exist for those who may see only published ones; a hospital asking about
    // another's subject is refused like for every other read of it.
    if matches!(reader.role, Role::Hospital | Role::Partner) && !model.published {
        return Err(not_found());
    }
    if reader.role == Role::Hospital {
        let owner = subject::Entity::find_by_id(model.subject_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        crate::service::subjects::ensure_visible(db, cx.today(), reader, &owner).await?;
    }
    let entry = views(db, vec![model], cx.today(), reader)
        .await?
        .pop()
        .ok_or_else(not_found)?;
    // The recorded values keep the full data; each is built for the reader's audience on the way out.
    let history = history(db, ChangeEntity::ListEntry, id, reader.audience()).await?;
    Ok(ListEntryDetail { entry, history })
}

/// Whether the subject has an active entry on `list` on `day`.
pub async fn is_listed<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    list: ListKind,
    day: NaiveDate,
) -> ServiceResult<bool> {
    Ok(list_entry::Entity::find()
        .filter(list_entry::Column::SubjectId.eq(subject_id))
        .filter(list_entry::Column::List.eq(list.as_str()))
        .filter(active_on(day))
        .one(db)
        .await?
        .is_some())
}
