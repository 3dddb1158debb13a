//! Attributes of subjects that are closed sets (DESIGN §2). Schema derives only; no HTTP or storage here.

use super::enums::string_enum;

string_enum! {
    /// Professions under the 12-point system (医保医师/药师/护士/技师/审核人员/药店负责人).
    pub enum Profession as "profession" {
        Physician = "physician",
        Pharmacist = "pharmacist",
        Nurse = "nurse",
        Technician = "technician",
        Reviewer = "reviewer",
        PharmacyHead = "pharmacy_head",
    }
}

string_enum! {
    /// 职工医保 or 城乡居民医保.
    pub enum InsuranceType as "insurance type" {
        Employee = "employee",
        Resident = "resident",
    }
}

/// What makes two records one file (一医一档, DESIGN §14): a person is their ID number within one role (a doctor
/// who is also insured has one record in each role), an organisation is its USCC (institutions and pharmacies
/// share one namespace). A second record with the same identity is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    Person {
        kind: super::scoring::SubjectKind,
        id_number: String,
    },
    Organisation {
        uscc: String,
    },
}

impl Identity {
    /// The identity of a subject of `kind` with these identifiers; `None` when the one it needs is missing.
    pub fn of(
        kind: super::scoring::SubjectKind,
        id_number: Option<&str>,
        uscc: Option<&str>,
    ) -> Option<Self> {
        use super::scoring::SubjectKind::*;
        match kind {
            Practitioner | Insured => id_number.map(|id| Identity::Person {
                kind,
                id_number: id.to_string(),
            }),
            Institution | Pharmacy => uscc.map(|uscc| Identity::Organisation {
                uscc: uscc.to_string(),
            }),
        }
    }

    /// The field that carries the identity.
    pub fn field(&self) -> &'static str {
        match self {
            Identity::Person { .. } => "id_number",
            Identity::Organisation { .. } => "uscc",
        }
    }

    /// Why a second record is refused, naming the first.
    pub fn taken_by(&self, existing_code: &str) -> crate::i18n::Msg {
        match self {
            Identity::Person { kind, id_number } => crate::i18n::msg!(
                "identity-person-taken",
                id_number = id_number,
                kind = kind.as_str(),
                code = existing_code
            ),
            Identity::Organisation { uscc } => crate::i18n::msg!(
                "identity-organisation-taken",
                uscc = uscc,
                code = existing_code
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::SubjectKind;

    #[test]
    fn a_person_is_one_per_role_and_an_organisation_one_per_uscc() {
        let id = Some("11010519491231002X");
        let doctor = Identity::of(SubjectKind::Practitioner, id, None);
        let insured = Identity::of(SubjectKind::Insured, id, None);
        assert_ne!(doctor, insured);
        let uscc = Some("91350100M000100Y43");
        assert_eq!(
            Identity::of(SubjectKind::Institution, None, uscc),
            Identity::of(SubjectKind::Pharmacy, None, uscc)
        );
        assert_eq!(Identity::of(SubjectKind::Pharmacy, id, None), None);
        assert!(
            doctor
                .unwrap()
                .taken_by("D370102000001")
                .render(crate::i18n::Locale::En)
                .contains("D370102000001")
        );
    }
}
