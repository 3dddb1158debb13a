//! A subject as each audience sees it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::masking::Audience;
use crate::domain::regions::{Region, region, region_name};
use crate::domain::scoring::SubjectKind;
use crate::domain::subject::{InsuranceType, Profession};
use crate::shared::actor::Actor;
use crate::shared::error::{ServiceResult, column};
use crate::shared::lookup::kind_of;
use entity::subject;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubjectView {
    pub code: String,
    pub kind: SubjectKind,
    /// Masked (`张*`) for people when the reader is a partner.
    pub name: String,
    pub region: String,
    /// The name of `region` (`历下区`); null for a code not in the shipped GB/T 2260 list.
    #[serde(default)]
    pub region_name: Option<String>,
    /// `region` with its prefecture and province (names are Chinese in every language).
    #[serde(default)]
    pub region_detail: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Masked (`110105********002X`) when the reader is a partner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profession: Option<Profession>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurance_type: Option<InsuranceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_person: Option<String>,
    /// Institutions and pharmacies: first day of their first service agreement (定点协议).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designated_since: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In the change log only, when a correction gave the subject a new code: the code it had, under which
    /// a mirror holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_code: Option<String>,
}

impl SubjectView {
    /// What `reader` sees of a subject: the full view, then built for the reader's audience.
    pub fn for_reader(model: subject::Model, reader: &Actor) -> ServiceResult<Self> {
        Ok(Self::full(model)?.for_audience(reader.audience()))
    }

    /// The view as `audience` sees it, field by field from this view's own values (also a change-log row's,
    /// written before any later correction).
    pub fn for_audience(self, audience: Audience) -> Self {
        let person = matches!(self.kind, SubjectKind::Practitioner | SubjectKind::Insured);
        Self {
            code: if self.kind == SubjectKind::Insured {
                audience.id_number(&self.code)
            } else {
                self.code
            },
            name: audience.name(&self.name, person),
            id_number: self.id_number.map(|id| audience.id_number(&id)),
            // From the code, also for a change-log row written before names were shown.
            region_name: region_name(&self.region),
            region_detail: region(&self.region),
            ..self
        }
    }

    /// Everything, as staff see it (and as the change log records it).
    fn full(model: subject::Model) -> ServiceResult<Self> {
        let kind = kind_of(&model)?;
        let profession = model
            .profession
            .as_deref()
            .map(|p| column("subjects", model.id, p))
            .transpose()?;
        let insurance_type = model
            .insurance_type
            .as_deref()
            .map(|t| column("subjects", model.id, t))
            .transpose()?;
        let designated_since = designated_since(&model);
        Ok(Self {
            designated_since,
            code: model.code,
            kind,
            name: model.name,
            region_name: region_name(&model.region),
            region_detail: region(&model.region),
            region: model.region,
            uscc: model.uscc,
            id_number: model.id_number,
            profession,
            insurance_type,
            level: model.level,
            responsible_person: model.responsible_person,
            created_at: model.created_at,
            updated_at: model.updated_at,
            previous_code: None,
        })
    }
}

/// When an organisation became designated: as registered, or (rows from before it was kept) its registration
/// day in UTC+8. `None` for people.
pub fn designated_since(model: &subject::Model) -> Option<NaiveDate> {
    let organisation = matches!(model.kind.as_str(), "institution" | "pharmacy");
    organisation.then(|| {
        model
            .designated_since
            .unwrap_or_else(|| crate::domain::dates::legal_date(model.created_at))
    })
}
