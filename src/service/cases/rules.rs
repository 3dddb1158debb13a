//! The rules a case's fields must meet before it is stored (DESIGN §4): dates, amounts, evidence, which fields a
//! subject kind may carry, and that the catalogue entry applies to the subject and is in force on the day.

use super::{Evidence, NewViolation};
use crate::domain::scoring::SubjectKind;
use crate::i18n::msg;
use crate::service::catalogue;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::subjects::{find_by_code, kind_of};
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

/// Field rules that need no database: dates, amounts, text, evidence, and which fields a kind may carry.
pub fn check_fields(input: &NewViolation, today: NaiveDate, errors: &mut FieldErrors) {
    if input.occurred_on > today {
        errors.add("occurred_on", msg!("may-not-be-in-the-future"));
    }
    if input.occurred_on > input.discovered_on {
        errors.add("occurred_on", msg!("may-not-be-after-discovered-on"));
    }
    if input.discovered_on > today {
        errors.add("discovered_on", msg!("may-not-be-in-the-future"));
    }
    let description = input.description.trim().chars().count();
    if !(1..=4000).contains(&description) {
        errors.add("description", msg!("must-be-1-to-4000-characters"));
    }
    if input.amount_involved_fen < 0 {
        errors.add("amount_involved_fen", msg!("may-not-be-negative"));
    }
    if input.amount_to_recover_fen < 0 {
        errors.add("amount_to_recover_fen", msg!("may-not-be-negative"));
    }
    check_evidence(&input.evidence, errors);
    if input.institution_liable && input.institution_code.is_none() {
        errors.add("institution_liable", msg!("needs-institution-code"));
    }
}

/// Evidence references (of a case, of an appeal): at most 100, each named, with a well-formed hash and URI.
pub fn check_evidence(evidence: &[Evidence], errors: &mut FieldErrors) {
    if evidence.len() > 100 {
        errors.add("evidence", msg!("at-most-100-references"));
    }
    for (i, item) in evidence.iter().enumerate() {
        if !(1..=200).contains(&item.name.trim().chars().count()) {
            errors.add(
                &format!("evidence[{i}].name"),
                msg!("must-be-1-to-200-characters"),
            );
        }
        if let Some(hash) = &item.sha256
            && !(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            errors.add(
                &format!("evidence[{i}].sha256"),
                msg!("must-be-64-hexadecimal-digits"),
            );
        }
        if item
            .uri
            .as_ref()
            .is_some_and(|u| u.is_empty() || u.len() > 2000)
        {
            errors.add(
                &format!("evidence[{i}].uri"),
                msg!("must-be-1-to-2000-characters"),
            );
        }
    }
}

/// Rules that need the subject and the catalogue: the type applies to the kind and is in force on the day.
/// Returns the subject and the catalogue version to store.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    input: &NewViolation,
) -> ServiceResult<(entity::subject::Model, entity::violation_type::Model)> {
    let mut errors = FieldErrors::default();
    let subject = find_by_code(db, &input.subject_code).await.ok();
    let kind = subject.as_ref().map(kind_of).transpose()?;
    if subject.is_none() {
        errors.add(
            "subject_code",
            msg!(
                "is-not-a-registered-subject-2",
                subject_code = input.subject_code.to_string()
            ),
        );
    }
    let found = catalogue::in_force(db, &input.type_code, input.occurred_on).await?;
    match (&found, kind) {
        (None, _) => errors.add(
            "type_code",
            msg!(
                "is-not-in-the-catalogue-in-force",
                type_code = input.type_code.to_string(),
                occurred_on = input.occurred_on.to_string()
            ),
        ),
        (Some(t), Some(kind)) if !catalogue::applies_to(t)?.contains(&kind) => errors.add(
            "type_code",
            msg!(
                "does-not-apply-to-a-subject-of",
                type_code = input.type_code.to_string(),
                kind = kind.to_string()
            ),
        ),
        _ => {}
    }
    let practitioner = kind == Some(SubjectKind::Practitioner);
    if practitioner && input.responsibility.is_none() {
        errors.add(
            "responsibility",
            msg!("is-required-for-a-practitioner-general-important"),
        );
    }
    if !practitioner && kind.is_some() {
        for (field, given) in [
            ("responsibility", input.responsibility.is_some()),
            ("institution_code", input.institution_code.is_some()),
            ("institution_liable", input.institution_liable),
        ] {
            if given {
                errors.add(field, msg!("applies-only-to-practitioners"));
            }
        }
    }
    if let Some(code) = &input.institution_code {
        let organisation = match find_by_code(db, code).await {
            Ok(found) => Some(kind_of(&found)?),
            Err(_) => None,
        };
        if !matches!(
            organisation,
            Some(SubjectKind::Institution | SubjectKind::Pharmacy)
        ) {
            errors.add(
                "institution_code",
                msg!(
                    "is-not-a-registered-institution-or-pharmacy",
                    code = code.to_string()
                ),
            );
        }
    }
    errors.finish()?;
    match (subject, found) {
        (Some(subject), Some(found)) => Ok((subject, found)),
        _ => Err(ServiceError::Unprocessable(msg!(
            "the-case-names-no-subject-or-catalogue"
        ))),
    }
}
