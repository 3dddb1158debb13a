//! Ledger entries as each audience sees them, and as the scoring rules take them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::masking::Audience;
use crate::domain::scoring::{EntryKind, LedgerEntry};
use crate::i18n::Msg;
use crate::shared::error::{ServiceError, ServiceResult, column};
use entity::credit_entry;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LedgerEntryView {
    pub id: i64,
    pub kind: EntryKind,
    /// Magnitude; `kind` says which way it counts.
    pub points: i32,
    pub cycle: i32,
    pub violation_id: Option<i64>,
    /// Why: the catalogue entry of a deduction, or what reversed or repaired it, in the reader's language.
    #[schema(value_type = String)]
    pub reason: Msg,
    /// Who wrote it; for staff and hospitals only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub at: DateTime<Utc>,
}

impl LedgerEntryView {
    /// The entry as `audience` sees it: no staff identity outside staff and hospitals.
    pub fn for_audience(self, audience: Audience) -> Self {
        Self {
            created_by: self.created_by.and_then(|sub| audience.staff(sub)),
            ..self
        }
    }
}

impl TryFrom<credit_entry::Model> for LedgerEntryView {
    type Error = ServiceError;

    fn try_from(r: credit_entry::Model) -> ServiceResult<Self> {
        Ok(LedgerEntryView {
            id: r.id,
            kind: column("credit_entries", r.id, &r.kind)?,
            points: r.points,
            cycle: r.cycle,
            violation_id: r.violation_id,
            reason: Msg::from_column(&r.reason),
            created_by: Some(r.created_by),
            at: r.at,
        })
    }
}

/// A stored entry as the scoring rules take it; a kind that does not parse is an error naming the row.
pub fn entry_of(row: &credit_entry::Model) -> ServiceResult<LedgerEntry> {
    Ok(LedgerEntry {
        kind: column("credit_entries", row.id, &row.kind)?,
        points: u32::try_from(row.points)
            .map_err(|_| ServiceError::corrupt("credit_entries", row.id, "negative points"))?,
        cycle: row.cycle,
    })
}
