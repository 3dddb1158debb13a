//! The change feed (DESIGN §9): `GET /api/v1/changes?after=SEQ` lets a partner mirror the lists exactly. Rows
//! come in `seq` order, which is commit order; `next_after` is the last row looked at (filtered rows
//! included), so a mirror resumes without a gap. What a reader may not see is filtered out, and people are
//! masked for those who see them masked.

use crate::i18n::msg;
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::roles::Role;
use crate::read::batch::hospital_view;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult, column};
use crate::shared::outward::{ChangeValue, outward};
use entity::{change, subject};

/// Who reads the feed.
pub const READERS: [Role; 4] = [Role::Partner, Role::Hospital, Role::Auditor, Role::Admin];
const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// The last `seq` the mirror has applied (0 to start; better: the `seq` of an export).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Rows to look at, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
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
    /// The entity's new value, built for the reader: people masked for partners, staff identities only for
    /// staff and hospitals, unpublished entries absent outside staff. Its shape is the entity's view:
    /// `SubjectView` (subject), `StandingChange` (standing), `SanctionChange` (sanction), `LedgerEntryView`
    /// (ledger_entry), `ListEntryView` (list_entry), `AffiliationView` (registration), `CommitmentView`
    /// (commitment: staff and hospitals only); cases, appeals and repairs (staff only) as recorded.
    #[schema(value_type = Object)]
    pub value: ChangeValue,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    pub items: Vec<ChangeView>,
    /// Pass as `after` next time; equal to `after` when nothing is new.
    pub next_after: i64,
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
            msg!("must-be-0-or-a-seq-from"),
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::validation(
            "limit",
            msg!("must-be-1-to", MAX_LIMIT = MAX_LIMIT.to_string()),
        ));
    }
    let head = crate::shared::facts::last_seq(db).await?;
    if after > head {
        return Err(ServiceError::Conflict(msg!(
            "after-is-beyond-the-feed-s-head",
            after = after.to_string(),
            head = head.to_string()
        )));
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
        return Err(ServiceError::Gone(msg!(
            "seq-is-older-than-the-feed-keeps",
            after = after.to_string(),
            detail = (cx.policy().feed.retention_days).to_string()
        )));
    }
    let next_after = rows.last().map_or(after, |r| r.seq);
    let audience = reader.audience();
    let visible = hospital_view(db, cx, reader).await?;
    // A hospital hears only about its own subjects, by id.
    let owners: HashMap<String, i64> = match &visible {
        Some(_) => subject::Entity::find()
            .filter(subject::Column::Code.is_in(rows.iter().map(|r| r.subject_code.clone())))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.code, s.id))
            .collect(),
        None => HashMap::new(),
    };
    let mut items = Vec::new();
    for row in rows {
        let entity: ChangeEntity = column("changes", row.seq, &row.entity)?;
        let not_theirs = visible.as_ref().is_some_and(|ids| {
            owners
                .get(&row.subject_code)
                .is_none_or(|id| !ids.contains(id))
        });
        if not_theirs {
            continue;
        }
        // Built for the reader's audience from the row's own fields; `None` when the row does not exist for it.
        let Some(value) = outward(entity, row.seq, &row.value, audience)? else {
            continue;
        };
        let subject_code = value.subject_code(&row.subject_code, audience);
        // A subject's and a standing's rows are identified by the subject's code.
        let entity_id = if matches!(entity, ChangeEntity::Subject | ChangeEntity::Standing) {
            subject_code.clone()
        } else {
            row.entity_id
        };
        items.push(ChangeView {
            seq: row.seq,
            entity,
            op: column("changes", row.seq, &row.op)?,
            at: row.at,
            value,
            entity_id,
            subject_code,
        });
    }
    Ok(Feed { items, next_after })
}
