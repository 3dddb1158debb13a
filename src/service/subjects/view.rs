//! What a reader sees of a subject: the one place masking decides, for answers and for searches.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectView {
    pub code: String,
    pub kind: SubjectKind,
    /// Masked (`张*`) for people when the reader is a partner.
    pub name: String,
    pub region: String,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designated_since: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SubjectView {
    /// The one place that decides what a reader sees of a subject; masking happens here and only here.
    pub fn for_reader(model: subject::Model, reader: &Actor) -> ServiceResult<Self> {
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
        let person = matches!(kind, SubjectKind::Practitioner | SubjectKind::Insured);
        let masked = reader.sees_masked_identities();
        let designated_since = designated_since(&model);
        Ok(Self {
            code: if masked && kind == SubjectKind::Insured {
                mask_id_number(&model.code)
            } else {
                model.code
            },
            kind,
            name: if masked && person {
                mask_name(&model.name)
            } else {
                model.name
            },
            region: model.region,
            uscc: model.uscc,
            id_number: model
                .id_number
                .map(|id| if masked { mask_id_number(&id) } else { id }),
            profession,
            insurance_type,
            level: model.level,
            responsible_person: model.responsible_person,
            designated_since,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

/// What `q` may match. A reader who sees people masked may search only what it sees unmasked — organisations'
/// names and codes, practitioners' codes — and finds a person only by the full name or ID number it already
/// holds: no prefix, infix or date of birth can recover a masked digit or character (the 38-request attack).
pub fn search(q: &str, masked: bool) -> Condition {
    use subject::Column::{Code, IdNumber, Kind, Name};
    if !masked {
        return Condition::any().add(Name.contains(q)).add(Code.contains(q));
    }
    let kinds = |kinds: &[SubjectKind]| Kind.is_in(kinds.iter().map(|k| k.as_str()));
    let organisations = [SubjectKind::Institution, SubjectKind::Pharmacy];
    let people = [SubjectKind::Practitioner, SubjectKind::Insured];
    Condition::any()
        .add(
            Condition::all()
                .add(kinds(&organisations))
                .add(Condition::any().add(Name.contains(q)).add(Code.contains(q))),
        )
        .add(
            Condition::all()
                .add(Kind.eq(SubjectKind::Practitioner.as_str()))
                .add(Code.contains(q)),
        )
        .add(
            Condition::all().add(kinds(&people)).add(
                Condition::any()
                    .add(Name.eq(q))
                    .add(IdNumber.eq(q))
                    .add(Code.eq(q)),
            ),
        )
}

/// The subject's kind, or a `Corrupt` error naming the row.
pub fn kind_of(model: &subject::Model) -> ServiceResult<SubjectKind> {
    column("subjects", model.id, &model.kind)
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
