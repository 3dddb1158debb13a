//! List entries as each audience sees them: in full, masked, and as the public page shows them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::lists::{EndKind, EntryStatus, ListKind, ListMeasure, Remedy, status};
use crate::domain::masking::Audience;
use crate::domain::regions::{Region, region, region_name};
use crate::domain::scoring::SubjectKind;
use crate::i18n::Msg;
use crate::shared::actor::Actor;
use crate::shared::error::{ServiceError, ServiceResult, column};
use entity::{list_entry, list_entry_violation, subject, violation};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ListEntryView {
    pub id: i64,
    pub list: ListKind,
    /// Masked (`110105********002X`) for an insured person when the reader sees people masked.
    pub subject_code: String,
    pub subject_kind: SubjectKind,
    /// Masked (`王**`) for people when the reader sees people masked.
    pub subject_name: String,
    pub region: String,
    /// The name of `region` (`历下区`); null for a code not in the shipped GB/T 2260 list.
    #[serde(default)]
    pub region_name: Option<String>,
    /// `region` with its prefecture and province (names are Chinese in every language).
    #[serde(default)]
    pub region_detail: Option<Region>,
    /// An approver's words as written; the engine's reason in the reader's language.
    #[schema(value_type = String)]
    pub reason: Msg,
    pub legal_basis: String,
    /// What partners apply (联合惩戒).
    pub measures: Vec<ListMeasure>,
    /// When and how the entry ends, in the reader's language (an entry written before texts were kept as
    /// messages shows its text as written).
    #[schema(value_type = String)]
    pub exit_conditions: Msg,
    /// Appeal, review, litigation and repair, with their windows.
    pub remedies: Vec<Remedy>,
    pub listed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub published: bool,
    /// Added by a decision's effects rather than by an approver.
    pub automatic: bool,
    pub violation_ids: Vec<i64>,
    /// The cases of `violation_ids` not voided: the entry ends when the last of them is voided.
    #[serde(default)]
    pub resting_on: Vec<i64>,
    /// On today (UTC+8), or on `active_on` when listing with it.
    pub status: EntryStatus,
    pub ended_on: Option<NaiveDate>,
    pub end_kind: Option<EndKind>,
    /// An approver's words as written; what ended it otherwise (a voided case, a repair), in the reader's
    /// language.
    #[schema(value_type = Option<String>)]
    pub end_reason: Option<Msg>,
    /// The approver who added it (`system` for an automatic entry); for staff and hospitals only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ListEntryView {
    /// The entry as `audience` sees it, from this view's own fields: also an entry's change-log rows, written
    /// under the name the subject had then.
    pub fn for_audience(self, audience: Audience) -> Self {
        let person = matches!(
            self.subject_kind,
            SubjectKind::Practitioner | SubjectKind::Insured
        );
        Self {
            subject_code: if self.subject_kind == SubjectKind::Insured {
                audience.id_number(&self.subject_code)
            } else {
                self.subject_code
            },
            subject_name: audience.name(&self.subject_name, person),
            created_by: self.created_by.and_then(|sub| audience.staff(sub)),
            // From the code, also for a change-log row written before names were shown.
            region_name: region_name(&self.region),
            region_detail: region(&self.region),
            ..self
        }
    }
}

/// What a visitor of the public page (曝光台) is shown of a black-list entry: who, why, on what basis, the
/// measures, from and until, and how it ends. People masked; no staff identity, no internal state.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicEntryView {
    pub id: i64,
    /// An insured person's code (an ID number) masked.
    pub subject_code: String,
    pub subject_kind: SubjectKind,
    /// A person's name masked (`王**`).
    pub subject_name: String,
    pub region: String,
    /// The name of `region` (`历下区`); null for a code not in the shipped GB/T 2260 list.
    #[serde(default)]
    pub region_name: Option<String>,
    /// `region` with its prefecture and province (names are Chinese in every language).
    #[serde(default)]
    pub region_detail: Option<Region>,
    /// Why it is listed, in the reader's language where the service wrote it.
    #[schema(value_type = String)]
    pub reason: Msg,
    pub legal_basis: String,
    pub measures: Vec<ListMeasure>,
    /// When and how the entry ends, in the reader's language.
    #[schema(value_type = String)]
    pub exit_conditions: Msg,
    /// Appeal, review, litigation and repair, with their windows.
    pub remedies: Vec<Remedy>,
    pub listed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

impl From<ListEntryView> for PublicEntryView {
    /// From an entry already built for the public audience (`ListEntryView::for_audience`).
    fn from(e: ListEntryView) -> Self {
        Self {
            id: e.id,
            subject_code: e.subject_code,
            subject_kind: e.subject_kind,
            subject_name: e.subject_name,
            region: e.region,
            region_name: e.region_name,
            region_detail: e.region_detail,
            reason: e.reason,
            legal_basis: e.legal_basis,
            measures: e.measures,
            exit_conditions: e.exit_conditions,
            remedies: e.remedies,
            listed_on: e.listed_on,
            expires_on: e.expires_on,
        }
    }
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
    let audience = reader.audience();
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
            let corrupt = |e: serde_json::Error| ServiceError::corrupt("list_entries", m.id, e);
            Ok(ListEntryView {
                id: m.id,
                list: column("list_entries", m.id, &m.list)?,
                subject_code: m.subject_code.clone(),
                subject_kind: kind,
                subject_name: subject.name.clone(),
                region: subject.region.clone(),
                region_name: region_name(&subject.region),
                region_detail: region(&subject.region),
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
                reason: Msg::from_column(&m.reason),
                legal_basis: m.legal_basis,
                exit_conditions: Msg::from_column(&m.exit_conditions),
                listed_on: m.listed_on,
                expires_on: m.expires_on,
                published: m.published,
                ended_on: m.ended_on,
                end_kind,
                end_reason: m.end_reason.as_deref().map(Msg::from_column),
                created_by: Some(m.created_by),
                created_at: m.created_at,
            }
            .for_audience(audience))
        })
        .collect()
}
