//! The checks of a suspect that need the database, made once for a whole batch of rows (one row of
//! `POST /suspicions`, a thousand of a file): suspects already taken, subjects registered, practitioners
//! registered with the subject on the day.

use crate::i18n::msg;
use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::checked::CheckedSuspicion;
use crate::domain::scoring::SubjectKind;
use crate::service::error::{FieldError, ServiceResult};
use entity::{affiliation, subject, suspicion};

/// What became of one checked row once the database was asked.
pub enum Resolution {
    /// New: insert it, for this subject.
    New(i64),
    /// Already taken with the same content: this suspect.
    Duplicate(i64),
    /// Wrong against the registry or the stored suspect.
    Refused(Vec<FieldError>),
}

/// The checks that need the database, for a batch of rows in three queries: suspects already taken (same
/// content: a duplicate; other content: an error), subjects unknown, practitioners not registered with the
/// subject on `occurred_on`.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    rows: &[&CheckedSuspicion],
) -> ServiceResult<Vec<Resolution>> {
    let external: HashSet<&str> = rows.iter().map(|r| r.external_id.as_str()).collect();
    // SQLite: both columns of the unique index, so that the look-up is by its key, not a scan. PostgreSQL plans
    // the one list better than the two (measured by bench/suspicions.sh: 5 s against 25 s for 100,000 rows).
    let sources: HashSet<&str> = rows.iter().map(|r| r.source.as_str()).collect();
    let by_source = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => suspicion::Column::Source.is_in(sources),
        _ => sea_orm::sea_query::Expr::value(true),
    };
    let taken: HashMap<(String, String), (i64, String)> = suspicion::Entity::find()
        .select_only()
        .columns([
            suspicion::Column::Source,
            suspicion::Column::ExternalId,
            suspicion::Column::Id,
            suspicion::Column::ContentHash,
        ])
        .filter(by_source)
        .filter(suspicion::Column::ExternalId.is_in(external))
        .into_tuple::<(String, String, i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(source, external, id, hash)| ((source, external), (id, hash)))
        .collect();
    let codes: HashSet<&str> = rows
        .iter()
        .flat_map(|r| {
            [
                Some(r.subject_code.as_str()),
                r.practitioner_code.as_deref(),
            ]
        })
        .flatten()
        .collect();
    let subjects: HashMap<String, (i64, String)> = subject::Entity::find()
        .select_only()
        .columns([
            subject::Column::Code,
            subject::Column::Id,
            subject::Column::Kind,
        ])
        .filter(subject::Column::Code.is_in(codes))
        .into_tuple::<(String, i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(code, id, kind)| (code, (id, kind)))
        .collect();
    let practitioner_ids: HashSet<i64> = rows
        .iter()
        .filter_map(|r| subjects.get(r.practitioner_code.as_deref()?))
        .map(|(id, _)| *id)
        .collect();
    let mut affiliations: HashMap<i64, Vec<affiliation::Model>> = HashMap::new();
    if !practitioner_ids.is_empty() {
        for a in affiliation::Entity::find()
            .filter(affiliation::Column::PractitionerId.is_in(practitioner_ids))
            .all(db)
            .await?
        {
            affiliations.entry(a.practitioner_id).or_default().push(a);
        }
    }
    let practitioner = SubjectKind::Practitioner.as_str();
    let resolved = rows.iter().map(|row| {
        if let Some((id, hash)) = taken.get(&row.key()) {
            return if *hash == row.hash() {
                Resolution::Duplicate(*id)
            } else {
                let message = msg!("suspicion-taken-differently", id = *id);
                Resolution::Refused(vec![FieldError::new("external_id", message)])
            };
        }
        let mut errors = Vec::new();
        let subject = subjects.get(&row.subject_code);
        if subject.is_none() {
            let message = msg!("suspicion-subject-unknown", code = &row.subject_code);
            errors.push(FieldError::new("subject_code", message));
        }
        if let Some(code) = &row.practitioner_code {
            let registered = match (subjects.get(code), subject) {
                (Some((person, kind)), Some((organisation, _))) if kind == practitioner => {
                    affiliations.get(person).is_some_and(|list| {
                        list.iter().any(|a| {
                            a.organisation_id == *organisation
                                && a.valid_from <= row.occurred_on
                                && a.valid_to.is_none_or(|to| to >= row.occurred_on)
                        })
                    })
                }
                _ => false,
            };
            if !registered {
                let message = msg!("suspicion-practitioner-not-registered", code = code);
                errors.push(FieldError::new("practitioner_code", message));
            }
        }
        match subject {
            Some((id, _)) if errors.is_empty() => Resolution::New(*id),
            _ => Resolution::Refused(errors),
        }
    });
    Ok(resolved.collect())
}
