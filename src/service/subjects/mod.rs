//! Registering, reading and correcting subjects (DESIGN §2), with the visibility rules of each role.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::config::IdentifierPatterns;
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::identifiers::{
    validate_id_number, validate_name, validate_region, validate_uscc,
};
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::domain::subject::{InsuranceType, Profession};
use crate::domain::text::trim_invisible;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::writer::Writer;
use entity::subject;

/// Roles that register and correct subjects.
pub const WRITERS: [Role; 2] = [Role::Inspector, Role::Approver];

mod identity;
mod read;
mod view;
mod write;
pub use identity::*;
pub use read::*;
pub use view::*;
pub use write::*;

#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    pub kind: SubjectKind,
    /// National code; for an insured person it may be omitted and is then the ID number.
    #[schema(example = "H37010200001")]
    pub code: Option<String>,
    #[schema(example = "济南市第一人民医院")]
    pub name: String,
    /// 6-digit administrative division code (admdvs); for insured persons the insurance region.
    #[schema(example = "370102", pattern = r"^\d{6}$")]
    pub region: String,
    /// Institutions and pharmacies: unified social credit code (GB 32100).
    #[schema(example = "91350100M000100Y43", pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")]
    pub uscc: Option<String>,
    /// Practitioners and insured persons: resident ID number (GB 11643).
    #[schema(example = "11010519491231002X", pattern = r"^\d{17}[0-9X]$")]
    pub id_number: Option<String>,
    /// Practitioners only.
    pub profession: Option<Profession>,
    /// Insured persons only.
    pub insurance_type: Option<InsuranceType>,
    /// Institutions only: level such as 三级甲等.
    #[validate(length(min = 1, max = 32, message = "must-be-1-to-32-characters"))]
    pub level: Option<String>,
    /// Pharmacies only: code of the main responsible person, a registered practitioner.
    pub responsible_person: Option<String>,
    /// Institutions and pharmacies: first day of their first service agreement (定点协议), not in the future;
    /// default the registration day. Red-list proposals count only years designated throughout.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub designated_since: Option<NaiveDate>,
}

/// Mutable fields; `kind` and `id_number` never change. At least one is given (a patch that changes
/// nothing is refused, so a lost body is never taken for a success); a field is given a value or left out.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct SubjectPatch {
    /// A new code for the same record: a practitioner who moves region, or an organisation renumbered, keeps
    /// one file (一医一档) with its points, sanctions, list entries and history. Not for insured persons, whose
    /// code is their ID number. A code another subject has is `409`.
    #[schema(example = "D370103000001", nullable = false)]
    pub code: Option<String>,
    /// 1–100 characters once trimmed, with at least one letter.
    #[schema(nullable = false, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// 6-digit administrative division code (GB/T 2260).
    #[schema(nullable = false, pattern = "^[0-9]{6}$")]
    pub region: Option<String>,
    /// Institutions and pharmacies: 统一社会信用代码 (GB 32100 check character).
    #[schema(nullable = false, pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")]
    pub uscc: Option<String>,
    #[schema(nullable = false)]
    pub profession: Option<Profession>,
    #[schema(nullable = false)]
    pub insurance_type: Option<InsuranceType>,
    #[validate(length(min = 1, max = 32, message = "must-be-1-to-32-characters"))]
    #[schema(nullable = false, min_length = 1, max_length = 32)]
    pub level: Option<String>,
    #[schema(nullable = false)]
    pub responsible_person: Option<String>,
}

impl SubjectPatch {
    /// Whether the patch names no field to change.
    pub fn is_empty(&self) -> bool {
        let Self {
            code,
            name,
            region,
            uscc,
            profession,
            insurance_type,
            level,
            responsible_person,
        } = self;
        code.is_none()
            && name.is_none()
            && region.is_none()
            && uscc.is_none()
            && profession.is_none()
            && insurance_type.is_none()
            && level.is_none()
            && responsible_person.is_none()
    }
}
