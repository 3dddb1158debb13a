//! Adding and ending list entries. Every entry is written through `insert_entry`, by an approver or by the
//! effects of a decision (then once per cause); ending fills the end columns once and appends a change row.

use crate::i18n::{Msg, msg};
use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::{ListEntryView, NewBlackEntry, WRITERS, views};
use crate::domain::cases::CaseState;
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::lists::{
    BLACK_LIST_BASIS, EndKind, ListKind, RED_LIST_BASIS, black_notice, check_black_terms,
    red_notice,
};
use crate::domain::sanctions::check_reason;
use crate::domain::scoring::SubjectKind;
use crate::domain::stats;
use crate::service::cases::ReasonBody;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::sanctions::check_violations;
use crate::service::stats::Counted;
use crate::service::subjects::{find_by_code, kind_of};
use crate::service::writer::Writer;
use entity::{list_entry, list_entry_violation, subject, violation};

/// An entry's terms as they are written; `cause_key` marks an automatic one.
pub struct EntryRow {
    pub list: ListKind,
    /// An approver's words ([`Msg::verbatim`]) or the engine's reason.
    pub reason: Msg,
    pub listed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub published: bool,
    pub cause_key: Option<String>,
}

/// Puts a subject on the black list by an approver's decision.
pub async fn add_black(w: &Writer, input: NewBlackEntry) -> ServiceResult<ListEntryView> {
    w.actor.require(&WRITERS)?;
    let reason = input.reason.trim().to_string();
    let target = find_by_code(w.db(), input.subject_code.trim()).await?;
    let mut errors = FieldErrors::default();
    errors.check("reason", check_reason(&reason));
    if input.expires_on.is_some_and(|end| end < input.listed_on) {
        errors.add("expires_on", msg!("must-not-be-before-listed-on"));
    }
    let today = w.cx.today();
    for (field, why) in check_black_terms(w.cx.policy(), input.listed_on, input.expires_on, today) {
        errors.add(field, why);
    }
    check_violations(w.db(), &target, &input.violation_ids, &mut errors).await?;
    errors.finish()?;
    let row = EntryRow {
        list: ListKind::Black,
        reason: Msg::verbatim(reason),
        listed_on: input.listed_on,
        expires_on: input.expires_on,
        published: input.published.unwrap_or(true),
        cause_key: None,
    };
    let model = insert_entry(w, &target, row, &input.violation_ids).await?;
    view(w, model).await
}

/// An automatic black-list entry for `cause_key`, listed today, unless that cause has one already.
pub async fn add_automatic(
    w: &Writer,
    target: &subject::Model,
    cause_key: String,
    reason: Msg,
    case_ids: &[i64],
) -> ServiceResult<()> {
    let exists = list_entry::Entity::find()
        .filter(list_entry::Column::CauseKey.eq(cause_key.as_str()))
        .one(w.db())
        .await?
        .is_some();
    if !exists {
        let row = EntryRow {
            list: ListKind::Black,
            reason,
            listed_on: w.cx.today(),
            expires_on: None,
            published: true,
            cause_key: Some(cause_key),
        };
        insert_entry(w, target, row, case_ids).await?;
    }
    Ok(())
}

/// The one way an entry is written: the row with what the subject must be told, its cases, an audit row and a
/// change row.
pub async fn insert_entry(
    w: &Writer,
    target: &subject::Model,
    row: EntryRow,
    case_ids: &[i64],
) -> ServiceResult<list_entry::Model> {
    let kind = kind_of(target)?;
    let (notice, basis) = match row.list {
        ListKind::Black => {
            let insured = kind == SubjectKind::Insured;
            let notice = black_notice(w.cx.policy(), row.listed_on, row.expires_on, insured);
            (notice, BLACK_LIST_BASIS)
        }
        ListKind::Red => {
            let expires_on = row.expires_on.unwrap_or(row.listed_on);
            (red_notice(expires_on), RED_LIST_BASIS)
        }
    };
    let json = |value: serde_json::Result<String>| {
        value
            .map_err(|e| ServiceError::Unprocessable(msg!("notice-is-not-json", e = e.to_string())))
    };
    let automatic = row.cause_key.is_some();
    let counted = stats::entry_added(
        row.list,
        row.listed_on,
        Some(notice.expires_on),
        row.published,
    );
    crate::service::stats::add(w.db(), &Counted::subject(target), &counted).await?;
    let model = list_entry::ActiveModel {
        list: Set(row.list.as_str().to_string()),
        subject_id: Set(target.id),
        subject_code: Set(target.code.clone()),
        subject_kind: Set(kind.as_str().to_string()),
        reason: Set(row.reason.to_column()),
        legal_basis: Set(basis.to_string()),
        measures: Set(json(serde_json::to_string(&notice.measures))?),
        exit_conditions: Set(notice.exit_conditions.to_column()),
        remedies: Set(json(serde_json::to_string(&notice.remedies))?),
        listed_on: Set(row.listed_on),
        expires_on: Set(Some(notice.expires_on)),
        published: Set(row.published),
        cause_key: Set(row.cause_key),
        created_by: Set(w.actor.sub.clone()),
        created_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    if !case_ids.is_empty() {
        list_entry_violation::Entity::insert_many(case_ids.iter().map(|&violation_id| {
            list_entry_violation::ActiveModel {
                entry_id: Set(model.id),
                violation_id: Set(violation_id),
            }
        }))
        .exec_without_returning(w.db())
        .await?;
    }
    let system = crate::service::actor::Actor::system(&w.actor.request_id);
    let value = views(w.db(), vec![model.clone()], w.cx.today(), &system)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::corrupt("list_entries", model.id, "its view went missing"))?;
    let action = if automatic {
        "list.auto_add"
    } else {
        "list.add"
    };
    w.audit(action, &target.code, &value).await?;
    let subject = (target.id, target.code.as_str());
    w.change(
        ChangeEntity::ListEntry,
        model.id,
        subject,
        ChangeOp::Added,
        &value,
    )
    .await?;
    Ok(model)
}

/// Takes an entry off the list from today, by an approver, with a reason.
pub async fn remove(
    w: &Writer,
    list: ListKind,
    id: i64,
    body: ReasonBody,
) -> ServiceResult<ListEntryView> {
    w.actor.require(&WRITERS)?;
    let reason = crate::service::error::required_reason(&body.reason)?;
    let entry = list_entry::Entity::find_by_id(id)
        .filter(list_entry::Column::List.eq(list.as_str()))
        .lock_exclusive()
        .one(w.db())
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!(
                "no-list-entry-2",
                list = list.to_string(),
                id = id.to_string()
            ))
        })?;
    if list == ListKind::Black {
        // An entry the engine made (it has a cause) has no lister among people.
        let lister = entry
            .cause_key
            .is_none()
            .then_some(entry.created_by.as_str());
        four_eyes::check(
            Decision::BlackListRemoval,
            &w.actor.sub,
            &[(Party::Lister, lister)],
        )
        .map_err(ServiceError::Forbidden)?;
    }
    let ended = end_entry(w, entry, EndKind::Removed, Msg::verbatim(reason)).await?;
    view(w, ended).await
}

/// Publishes an entry that was added unpublished: from now on it exists for partners, hospitals and the
/// public, and the change log announces it to them as `added` (until now its rows were for staff only).
pub async fn publish(w: &Writer, list: ListKind, id: i64) -> ServiceResult<ListEntryView> {
    w.actor.require(&WRITERS)?;
    let entry = list_entry::Entity::find_by_id(id)
        .filter(list_entry::Column::List.eq(list.as_str()))
        .lock_exclusive()
        .one(w.db())
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!(
                "no-list-entry-2",
                list = list.to_string(),
                id = id.to_string()
            ))
        })?;
    if entry.published {
        return Err(ServiceError::Conflict(msg!(
            "list-entry-is-published-already",
            id = id.to_string()
        )));
    }
    let counted = stats::entry_published(list, entry.listed_on);
    crate::service::stats::add_for(w, entry.subject_id, &counted).await?;
    let mut model: list_entry::ActiveModel = entry.into();
    model.published = Set(true);
    let published = model.update(w.db()).await?;
    w.audit(
        "list.publish",
        &published.subject_code,
        &serde_json::json!({"id": id, "published": true}),
    )
    .await?;
    let system = crate::service::actor::Actor::system(&w.actor.request_id);
    let value = views(w.db(), vec![published.clone()], w.cx.today(), &system)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::corrupt("list_entries", id, "its view went missing"))?;
    let subject = (published.subject_id, published.subject_code.as_str());
    w.change(
        ChangeEntity::ListEntry,
        id,
        subject,
        ChangeOp::Added,
        &value,
    )
    .await?;
    view(w, published).await
}

/// Ends an entry today (removal, repair, voiding). An entry already ended or expired cannot end again.
pub async fn end_entry(
    w: &Writer,
    entry: list_entry::Model,
    kind: EndKind,
    reason: Msg,
) -> ServiceResult<list_entry::Model> {
    let today = w.cx.today();
    if let Some(kind) = &entry.end_kind {
        return Err(ServiceError::Conflict(msg!(
            "list-entry-has-already-ended",
            id = entry.id.to_string(),
            kind = kind.to_string()
        )));
    }
    if entry.expires_on.is_some_and(|end| end < today) {
        return Err(ServiceError::Conflict(msg!(
            "list-entry-expired-on",
            id = entry.id.to_string(),
            detail = (entry.expires_on.unwrap_or(today)).to_string()
        )));
    }
    // An entry not yet begun ends on its first day, so it never takes effect.
    let ended_on = today.max(entry.listed_on);
    let list: ListKind = crate::service::error::column("list_entries", entry.id, &entry.list)?;
    let counted = stats::entry_ended(list, entry.expires_on, ended_on);
    crate::service::stats::add_for(w, entry.subject_id, &counted).await?;
    let mut model: list_entry::ActiveModel = entry.into();
    model.ended_on = Set(Some(ended_on));
    model.end_kind = Set(Some(kind.as_str().to_string()));
    model.end_reason = Set(Some(reason.to_column()));
    let ended = model.update(w.db()).await?;
    let change = serde_json::json!({
        "id": ended.id, "ended_on": ended_on, "end_kind": kind, "reason": reason,
    });
    w.audit(&format!("list.{kind}"), &ended.subject_code, &change)
        .await?;
    let subject = (ended.subject_id, ended.subject_code.as_str());
    let op = if kind == EndKind::Repaired {
        ChangeOp::Ended
    } else {
        ChangeOp::Removed
    };
    // The change log carries the entry's whole new value, so a mirror needs nothing else.
    let system = crate::service::actor::Actor::system(&w.actor.request_id);
    let value = views(w.db(), vec![ended.clone()], w.cx.today(), &system)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::corrupt("list_entries", ended.id, "its view went missing"))?;
    w.change(ChangeEntity::ListEntry, ended.id, subject, op, &value)
        .await?;
    Ok(ended)
}

async fn view(w: &Writer, model: list_entry::Model) -> ServiceResult<ListEntryView> {
    let id = model.id;
    views(w.db(), vec![model], w.cx.today(), &w.actor)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::corrupt("list_entries", id, "its view went missing"))
}

/// What voiding `case_id` does to the list entries resting on it, manual or automatic: one still running that
/// rests on no other standing case ends (`voided`, with `why`); one resting on other cases too stays, and its
/// change row (its view's `resting_on`) and audit row say which cases remain.
pub async fn on_case_voided(w: &Writer, case_id: i64, why: &Msg) -> ServiceResult<()> {
    let db = w.db();
    let ids: Vec<i64> = list_entry_violation::Entity::find()
        .filter(list_entry_violation::Column::ViolationId.eq(case_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.entry_id)
        .collect();
    let entries = list_entry::Entity::find()
        .filter(list_entry::Column::Id.is_in(ids.clone()))
        .filter(list_entry::Column::EndKind.is_null())
        .all(db)
        .await?;
    let links = list_entry_violation::Entity::find()
        .filter(list_entry_violation::Column::EntryId.is_in(ids))
        .all(db)
        .await?;
    let voided: HashSet<i64> = violation::Entity::find()
        .select_only()
        .column(violation::Column::Id)
        .filter(violation::Column::Id.is_in(links.iter().map(|l| l.violation_id)))
        .filter(violation::Column::State.eq(CaseState::Voided.as_str()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let today = w.cx.today();
    for entry in entries {
        // An entry that has run its course by date has nothing left to end.
        if entry.expires_on.is_some_and(|end| end < today) {
            continue;
        }
        let remaining: Vec<i64> = links
            .iter()
            .filter(|l| l.entry_id == entry.id && l.violation_id != case_id)
            .map(|l| l.violation_id)
            .filter(|id| !voided.contains(id))
            .collect();
        if remaining.is_empty() {
            end_entry(w, entry, EndKind::Voided, why.clone()).await?;
            continue;
        }
        let note =
            serde_json::json!({ "id": entry.id, "voided_case": case_id, "resting_on": remaining });
        w.audit("list.rests_on", &entry.subject_code, &note).await?;
        let system = crate::service::actor::Actor::system(&w.actor.request_id);
        let subject = (entry.subject_id, entry.subject_code.clone());
        let value = views(db, vec![entry], today, &system)
            .await?
            .pop()
            .ok_or_else(|| {
                ServiceError::corrupt("list_entries", subject.0, "its view went missing")
            })?;
        let subject = (subject.0, subject.1.as_str());
        w.change(
            ChangeEntity::ListEntry,
            value.id,
            subject,
            ChangeOp::Changed,
            &value,
        )
        .await?;
    }
    Ok(())
}
