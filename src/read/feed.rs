//! The change feed (DESIGN §9): `GET /api/v1/changes?after=SEQ` lets a partner mirror the lists exactly. Rows
//! come in `seq` order, which is commit order; `next_after` is the last row looked at (filtered rows
//! included), so a mirror resumes without a gap. What a reader may not see is filtered out, and people are
//! masked for those who see them masked.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::masking::{mask_id_number, mask_name};
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::read::batch::hospital_view;
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::{ServiceError, ServiceResult, column};
use entity::{change, list_entry, subject};

/// Who reads the feed.
pub const READERS: [Role; 4] = [Role::Partner, Role::Hospital, Role::Auditor, Role::Admin];
const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// The last `seq` the mirror has applied (0 to start; better: the `seq` of an export).
    pub after: Option<i64>,
    /// Rows to look at, 1–500 (default 100).
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    pub seq: i64,
    /// A new subject is announced by its `subject` `added` row alone: its standing starts from an empty ledger
    /// (an organisation's 100 points, a practitioner's 0 of 12) with no sanctions or list entries, and
    /// `standing` rows follow once that changes.
    pub entity: ChangeEntity,
    pub entity_id: String,
    pub subject_code: String,
    pub op: ChangeOp,
    pub at: DateTime<Utc>,
    /// The entity's new value.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    pub items: Vec<ChangeView>,
    /// Pass as `after` next time; equal to `after` when nothing is new.
    pub next_after: i64,
}

/// Case files, appeals and repairs are for staff; readers from outside get what they mirror.
fn outside_reader_sees(entity: ChangeEntity) -> bool {
    matches!(
        entity,
        ChangeEntity::Subject
            | ChangeEntity::Standing
            | ChangeEntity::Sanction
            | ChangeEntity::LedgerEntry
            | ChangeEntity::ListEntry
    )
}

pub async fn feed<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: FeedQuery,
) -> ServiceResult<Feed> {
    reader.require(&READERS)?;
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ServiceError::validation(
            "after",
            "must be 0 or a seq from this feed",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::validation(
            "limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let rows = change::Entity::find()
        .filter(change::Column::Seq.gt(after))
        .order_by_asc(change::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    let retention = Duration::days(i64::from(cx.policy().feed.retention_days));
    if let Some(first) = rows.first()
        && after > 0
        && first.at < cx.now - retention
    {
        return Err(ServiceError::Gone(format!(
            "seq {after} is older than the feed keeps ({} days): re-export the list and follow the feed from the \
             export's seq",
            cx.policy().feed.retention_days
        )));
    }
    let next_after = rows.last().map_or(after, |r| r.seq);
    let outside = matches!(reader.role, Role::Partner | Role::Hospital);
    let visible = hospital_view(db, cx, reader).await?;
    let subjects: HashMap<String, subject::Model> = subject::Entity::find()
        .filter(subject::Column::Code.is_in(rows.iter().map(|r| r.subject_code.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    // Unpublished list entries are not there for readers from outside.
    let entry_ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.entity == ChangeEntity::ListEntry.as_str())
        .filter_map(|r| r.entity_id.parse().ok())
        .collect();
    let unpublished: HashSet<i64> = list_entry::Entity::find()
        .filter(list_entry::Column::Id.is_in(entry_ids))
        .filter(list_entry::Column::Published.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut items = Vec::new();
    for row in rows {
        let entity: ChangeEntity = column("changes", row.seq, &row.entity)?;
        let owner = subjects.get(&row.subject_code);
        if outside {
            let hidden_entry = entity == ChangeEntity::ListEntry
                && row
                    .entity_id
                    .parse()
                    .is_ok_and(|id: i64| unpublished.contains(&id));
            let not_theirs = visible
                .as_ref()
                .is_some_and(|ids| owner.is_none_or(|s| !ids.contains(&s.id)));
            if !outside_reader_sees(entity) || hidden_entry || not_theirs {
                continue;
            }
        }
        let mut view = ChangeView {
            seq: row.seq,
            entity,
            op: column("changes", row.seq, &row.op)?,
            at: row.at,
            value: serde_json::from_str(&row.value)
                .map_err(|e| ServiceError::corrupt("changes", row.seq, e))?,
            entity_id: row.entity_id,
            subject_code: row.subject_code,
        };
        if reader.sees_masked_identities()
            && let Some(person) = owner
        {
            mask_person(&mut view, person)?;
        }
        items.push(view);
    }
    Ok(Feed { items, next_after })
}

/// Replaces a person's full name and ID number wherever they appear in the row with their masked forms — the
/// one masking rule, applied to values whose shape varies by entity.
fn mask_person(view: &mut ChangeView, person: &subject::Model) -> ServiceResult<()> {
    view.value = mask_json(std::mem::take(&mut view.value), person)?;
    if column::<SubjectKind>("subjects", person.id, &person.kind)? == SubjectKind::Insured {
        view.subject_code = mask_id_number(&view.subject_code);
        if view.entity_id == person.code {
            view.entity_id = mask_id_number(&view.entity_id);
        }
    }
    Ok(())
}

/// A JSON value with `person`'s name, ID number and (insured) code masked wherever they appear; values about
/// organisations come back as they were.
pub fn mask_json(
    value: serde_json::Value,
    person: &subject::Model,
) -> ServiceResult<serde_json::Value> {
    let kind: SubjectKind = column("subjects", person.id, &person.kind)?;
    if !matches!(kind, SubjectKind::Practitioner | SubjectKind::Insured) {
        return Ok(value);
    }
    let mut text = value.to_string();
    let mut swaps: Vec<(String, String)> = vec![(person.name.clone(), mask_name(&person.name))];
    if let Some(id) = &person.id_number {
        swaps.push((id.clone(), mask_id_number(id)));
    }
    if kind == SubjectKind::Insured {
        swaps.push((person.code.clone(), mask_id_number(&person.code)));
    }
    for (plain, masked) in swaps {
        if !plain.is_empty() {
            text = text.replace(&plain, &masked);
        }
    }
    serde_json::from_str(&text).map_err(|e| ServiceError::corrupt("subjects", person.id, e))
}
