//! Change-log values on their way out (DESIGN §14). The change log keeps each value as it was written, in
//! full; every reader outside staff gets it rebuilt by the typed view of its entity, field by field, for its
//! audience. Nothing here edits serialised text, so a name written before a correction, a name that JSON
//! escapes, or a name that happens to spell part of a key is masked like any other.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::changes::ChangeEntity;
use crate::domain::identifiers::looks_like_id_number;
use crate::domain::masking::Audience;
use crate::domain::scoring::SubjectKind;
use crate::domain::standing::StandingFacts;
use crate::shared::error::{ServiceError, ServiceResult, column};
use crate::shared::views::{
    AffiliationView, CommitmentView, LedgerEntryView, ListEntryView, SanctionChange, SanctionEvent,
    SubjectView,
};
use entity::change;

/// A standing row of the change log: the subject and the facts its answer is computed from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StandingChange {
    /// The subject's code (an insured person's is masked for masked readers).
    pub code: String,
    pub kind: SubjectKind,
    #[schema(value_type = Object)]
    pub facts: StandingFacts,
    /// Only staff can tell this row from the one before it (what changed is an unpublished list entry), so
    /// no reader outside staff is shown it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staff_only: bool,
}

impl StandingChange {
    pub fn for_audience(self, audience: Audience) -> Self {
        Self {
            code: if self.kind == SubjectKind::Insured {
                audience.id_number(&self.code)
            } else {
                self.code
            },
            facts: self.facts.for_audience(audience).into_owned(),
            ..self
        }
    }
}

/// The value of a change, typed by its entity (documented as an object: the shapes overlap, so no `oneOf` of
/// them would validate).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ChangeValue {
    Subject(SubjectView),
    Standing(StandingChange),
    Sanction(SanctionChange),
    LedgerEntry(LedgerEntryView),
    ListEntry(ListEntryView),
    Registration(AffiliationView),
    /// Staff and hospitals only.
    Commitment(CommitmentView),
    /// Cases, appeals, repairs, commendations, repair activities and suspects: staff only, as recorded.
    Staff(serde_json::Value),
}

impl ChangeValue {
    /// Whether a reader outside staff is shown this row at all: unpublished entries, and standing rows that
    /// only they changed, do not exist for it.
    pub fn exists_for(&self, audience: Audience) -> bool {
        if audience.sees_unpublished() {
            return true;
        }
        match self {
            Self::ListEntry(entry) => entry.published,
            Self::Standing(standing) => !standing.staff_only,
            Self::Staff(_) => false,
            Self::Commitment(_) => CommitmentView::exists_for(audience),
            _ => true,
        }
    }
}

impl ChangeValue {
    /// The subject's code as `audience` sees it: the one the typed value carries, where it carries one.
    pub fn subject_code(&self, stored: &str, audience: Audience) -> String {
        match self {
            Self::Subject(v) => v.code.clone(),
            Self::Standing(v) => v.code.clone(),
            Self::Sanction(v) => v.sanction.subject_code.clone(),
            Self::ListEntry(v) => v.subject_code.clone(),
            Self::Registration(v) => v.practitioner_code.clone(),
            Self::Commitment(v) => v.subject_code.clone(),
            Self::LedgerEntry(_) | Self::Staff(_) => code_for(stored, audience),
        }
    }
}

/// A stored subject code as `audience` sees it, where the subject's kind is not at hand: an insured person's
/// code is an ID number, and no other kind's code has that shape.
pub fn code_for(code: &str, audience: Audience) -> String {
    if looks_like_id_number(code) {
        audience.id_number(code)
    } else {
        code.to_string()
    }
}

/// The value of a change-log row as `audience` sees it, or `None` when the row does not exist for it.
pub fn outward(
    entity: ChangeEntity,
    seq: i64,
    text: &str,
    audience: Audience,
) -> ServiceResult<Option<ChangeValue>> {
    fn typed<T: serde::de::DeserializeOwned>(seq: i64, text: &str) -> ServiceResult<T> {
        serde_json::from_str(text).map_err(|e| ServiceError::corrupt("changes", seq, e))
    }
    let value = match entity {
        ChangeEntity::Subject => {
            ChangeValue::Subject(typed::<SubjectView>(seq, text)?.for_audience(audience))
        }
        ChangeEntity::Standing => {
            ChangeValue::Standing(typed::<StandingChange>(seq, text)?.for_audience(audience))
        }
        ChangeEntity::Sanction => {
            ChangeValue::Sanction(typed::<SanctionChange>(seq, text)?.for_audience(audience))
        }
        ChangeEntity::LedgerEntry => {
            ChangeValue::LedgerEntry(typed::<LedgerEntryView>(seq, text)?.for_audience(audience))
        }
        ChangeEntity::ListEntry => {
            ChangeValue::ListEntry(typed::<ListEntryView>(seq, text)?.for_audience(audience))
        }
        // Neither carries a person's name or ID number: practitioner and organisation codes only, and
        // signatures exist for staff and hospitals alone.
        ChangeEntity::Registration => ChangeValue::Registration(typed(seq, text)?),
        ChangeEntity::Commitment => ChangeValue::Commitment(typed(seq, text)?),
        ChangeEntity::Case
        | ChangeEntity::Appeal
        | ChangeEntity::Repair
        | ChangeEntity::Commendation
        | ChangeEntity::RepairActivity
        | ChangeEntity::Suspicion => ChangeValue::Staff(typed(seq, text)?),
    };
    Ok(value.exists_for(audience).then_some(value))
}

/// The change-log rows about one entity, oldest first, each built for `audience`.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    entity: ChangeEntity,
    id: i64,
    audience: Audience,
) -> ServiceResult<Vec<SanctionEvent>> {
    let rows = change::Entity::find()
        .filter(change::Column::Entity.eq(entity.as_str()))
        .filter(change::Column::EntityId.eq(id.to_string()))
        .order_by_asc(change::Column::Seq)
        .all(db)
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for c in rows {
        let Some(value) = outward(entity, c.seq, &c.value, audience)? else {
            continue;
        };
        events.push(SanctionEvent {
            seq: c.seq,
            op: column("changes", c.seq, &c.op)?,
            at: c.at,
            value: serde_json::to_value(value)
                .map_err(|e| ServiceError::corrupt("changes", c.seq, e))?,
        });
    }
    Ok(events)
}
