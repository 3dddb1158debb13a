//! Reading list entries: what each role sees, with people masked for those who see them masked.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use super::{ListEntryView, ListQuery};
use crate::domain::changes::ChangeEntity;
use crate::domain::lists::{ListKind, status};
use crate::domain::masking::{mask_id_number, mask_name};
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::affiliations;
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult, column};
use crate::service::sanctions::SanctionEvent;
use crate::service::subjects::{find_by_code, search};
use entity::{change, list_entry, list_entry_violation, subject, violation};

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

pub async fn get<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    kind: ListKind,
    id: i64,
) -> ServiceResult<ListEntryDetail> {
    let not_found = || ServiceError::NotFound(format!("no {kind} list entry {id}"));
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
    let masked = reader.sees_masked_identities() && entry.subject_kind == SubjectKind::Insured;
    let history = if masked {
        // The recorded values carry the identifiers unmasked.
        Vec::new()
    } else {
        history(db, ChangeEntity::ListEntry, id).await?
    };
    Ok(ListEntryDetail { entry, history })
}

/// The change-log rows about one entity, oldest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    entity: ChangeEntity,
    id: i64,
) -> ServiceResult<Vec<SanctionEvent>> {
    change::Entity::find()
        .filter(change::Column::Entity.eq(entity.as_str()))
        .filter(change::Column::EntityId.eq(id.to_string()))
        .order_by_asc(change::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            Ok(SanctionEvent {
                seq: c.seq,
                op: column("changes", c.seq, &c.op)?,
                at: c.at,
                value: serde_json::from_str(&c.value)
                    .map_err(|e| ServiceError::corrupt("changes", c.seq, e))?,
            })
        })
        .collect()
}

/// Views of many entries in two more queries (their subjects and their cases).
pub async fn views<C: ConnectionTrait>(
    db: &C,
    models: Vec<list_entry::Model>,
    day: NaiveDate,
    reader: &Actor,
) -> ServiceResult<Vec<ListEntryView>> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let subjects: HashMap<i64, subject::Model> = subject::Entity::find()
        .filter(subject::Column::Id.is_in(models.iter().map(|m| m.subject_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut cases: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in list_entry_violation::Entity::find()
        .filter(list_entry_violation::Column::EntryId.is_in(models.iter().map(|m| m.id)))
        .order_by_asc(list_entry_violation::Column::ViolationId)
        .all(db)
        .await?
    {
        cases
            .entry(link.entry_id)
            .or_default()
            .push(link.violation_id);
    }
    let voided: std::collections::HashSet<i64> = violation::Entity::find()
        .select_only()
        .column(violation::Column::Id)
        .filter(violation::Column::Id.is_in(cases.values().flatten().copied()))
        .filter(violation::Column::State.eq(crate::domain::cases::CaseState::Voided.as_str()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let masked = reader.sees_masked_identities();
    models
        .into_iter()
        .map(|m| {
            let subject = subjects
                .get(&m.subject_id)
                .ok_or_else(|| ServiceError::corrupt("list_entries", m.id, "names no subject"))?;
            let kind: SubjectKind = column("list_entries", m.id, &m.subject_kind)?;
            let end_kind = m
                .end_kind
                .as_deref()
                .map(|k| column("list_entries", m.id, k))
                .transpose()?;
            let ended = m.ended_on.zip(end_kind);
            let person = matches!(kind, SubjectKind::Practitioner | SubjectKind::Insured);
            let corrupt = |e: serde_json::Error| ServiceError::corrupt("list_entries", m.id, e);
            Ok(ListEntryView {
                id: m.id,
                list: column("list_entries", m.id, &m.list)?,
                subject_code: if masked && kind == SubjectKind::Insured {
                    mask_id_number(&m.subject_code)
                } else {
                    m.subject_code.clone()
                },
                subject_kind: kind,
                subject_name: if masked && person {
                    mask_name(&subject.name)
                } else {
                    subject.name.clone()
                },
                region: subject.region.clone(),
                status: status(m.listed_on, m.expires_on, ended, day),
                measures: serde_json::from_str(&m.measures).map_err(corrupt)?,
                remedies: serde_json::from_str(&m.remedies).map_err(corrupt)?,
                violation_ids: cases.get(&m.id).cloned().unwrap_or_default(),
                resting_on: cases
                    .remove(&m.id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|id| !voided.contains(id))
                    .collect(),
                automatic: m.cause_key.is_some(),
                reason: m.reason,
                legal_basis: m.legal_basis,
                exit_conditions: m.exit_conditions,
                listed_on: m.listed_on,
                expires_on: m.expires_on,
                published: m.published,
                ended_on: m.ended_on,
                end_kind,
                end_reason: m.end_reason,
                created_by: m.created_by,
                created_at: m.created_at,
            })
        })
        .collect()
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
