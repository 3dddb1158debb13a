//! Red and black lists (DESIGN §7): entries added by an approver or by the effects of a decision, read by every
//! role within its visibility, ended by removal, repair, voiding of their cases, or expiry (by date alone).

mod read;
pub mod red;
mod write;

pub use crate::service::views::{ListEntryView, PublicEntryView, views};
pub use read::*;
pub use write::*;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;

/// Roles that add and remove entries (admin too, as everywhere).
pub const WRITERS: [Role; 1] = [Role::Approver];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlackEntry {
    #[schema(example = "H37010200001")]
    pub subject_code: String,
    /// Why, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// Approved cases of the subject the listing rests on, 1 to 100.
    pub violation_ids: Vec<i64>,
    /// First day on the list (UTC+8).
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub listed_on: NaiveDate,
    /// Last day on the list; default `listed_on` + the policy's years (3).
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub expires_on: Option<NaiveDate>,
    /// Shown to partners and on the public page; default true.
    pub published: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Kind of subject.
    pub kind: Option<SubjectKind>,
    /// 6-digit region code of the subject.
    pub region: Option<String>,
    /// Keep only entries active on this day; their `status` is then given for that day.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub active_on: Option<NaiveDate>,
    /// Part of an organisation's name or code, or of a practitioner's code; a person's full name or ID number.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
