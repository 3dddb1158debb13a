//! Importing subjects (`POST /subjects:import`): every row checked by the rules of `POST /subjects` (the same
//! `check_new`, the same ban check), the checks that need the database made once per batch.

use crate::i18n::msg;
use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::decode::Parsed;
use super::insert::insert_batch;
use super::run::{Loader, State};
use crate::db::{IMPORT_ACQUIRE, patiently};
use crate::domain::scoring::SubjectKind;
use crate::domain::subject::Identity;
use crate::service::bans::check_registration;
use crate::service::error::{FieldError, ServiceError, ServiceResult};
use crate::service::subjects::{CheckedSubject, NewSubject, change_value, check_new, holders_of};
use crate::service::writer::Writer;
use entity::subject;

/// Subjects, checked by the rules of `POST /subjects`.
pub(super) struct Subjects;

impl Loader for Subjects {
    type Row = NewSubject;
    type Checked = (u64, CheckedSubject);
    type Inserted = Vec<subject::Model>;

    async fn check(
        &mut self,
        w: &Writer,
        registry: &DatabaseConnection,
        rows: Vec<Parsed<NewSubject>>,
        state: &mut State,
    ) -> ServiceResult<Vec<Self::Checked>> {
        check_batch(w, registry, rows, state).await
    }

    async fn insert(w: &Writer, rows: Vec<Self::Checked>) -> ServiceResult<Self::Inserted> {
        insert_batch(w, rows).await
    }

    fn record(&mut self, state: &mut State, inserted: Self::Inserted) {
        state.record(inserted);
    }
}

/// Checks one batch of rows; returns those to insert, none once anything in the import is wrong (nothing of it
/// will be written: the rest is only read for its errors).
async fn check_batch(
    w: &Writer,
    registry: &DatabaseConnection,
    rows: Vec<Parsed<NewSubject>>,
    state: &mut State,
) -> ServiceResult<Vec<(u64, CheckedSubject)>> {
    let mut checked: Vec<(u64, CheckedSubject)> = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for Parsed { line, row } in rows {
        let new = match row {
            Ok(new) => new,
            Err(found) => {
                errors.extend(found);
                continue;
            }
        };
        match check_new(&w.cx, new) {
            Ok(subject) => {
                if let Some(first) = state.codes.get(&subject.code) {
                    let message = msg!("import-code-twice", code = &subject.code, first = *first);
                    errors.push(FieldError::new("code", message).on_line(line));
                    continue;
                }
                // The row's other checks still run, so its line lists every fault at once.
                if let Some(identity) = subject.identity() {
                    match state.identities.get(&identity) {
                        Some((first, code)) => {
                            let message = msg!(
                                "import-identity-taken-on-line",
                                taken = identity.taken_by(code),
                                first = *first
                            );
                            errors.push(FieldError::new(identity.field(), message).on_line(line));
                        }
                        None => {
                            state
                                .identities
                                .insert(identity, (line, subject.code.clone()));
                        }
                    }
                }
                state.codes.insert(subject.code.clone(), line);
                if subject.input.kind == SubjectKind::Practitioner {
                    state.practitioners.insert(subject.code.clone(), line);
                }
                checked.push((line, subject));
            }
            Err(found) => errors.extend(found.into_vec().into_iter().map(|e| e.on_line(line))),
        }
    }
    errors.extend(check_against_database(w, registry, &checked, state).await?);
    // By line, as the file reads: the database's findings come after the rest of the batch's.
    errors.sort_by_key(|e| e.line);
    state.reject(errors);
    if state.error_count > 0 {
        checked.clear();
    }
    Ok(checked)
}

/// The rules of `POST /subjects` that need the database, asked once per batch: codes already registered,
/// responsible persons, and re-registration bans (asked row by row only for the few people or organisations
/// already known). Registered codes and practitioners are read from `registry`, the registry as committed,
/// so that these reads run beside the import's own inserts instead of queueing behind them on its
/// transaction; what this import added itself is in `state`, and the unique index on `code` stays the last word.
async fn check_against_database(
    w: &Writer,
    registry: &DatabaseConnection,
    rows: &[(u64, CheckedSubject)],
    state: &State,
) -> ServiceResult<Vec<FieldError>> {
    let db = w.db();
    let mut errors = Vec::new();
    if rows.is_empty() {
        return Ok(errors);
    }
    let codes: Vec<String> = rows.iter().map(|(_, s)| s.code.clone()).collect();
    // Reads on the shared pool wait as long as the import would rather than fail it half-way.
    let taken: HashSet<String> = patiently(IMPORT_ACQUIRE, || {
        subject::Entity::find()
            .select_only()
            .column(subject::Column::Code)
            .filter(subject::Column::Code.is_in(codes.clone()))
            .into_tuple()
            .all(registry)
    })
    .await?
    .into_iter()
    .collect();
    let persons: Vec<String> = rows
        .iter()
        .filter_map(|(_, s)| s.input.responsible_person.clone())
        .filter(|code| !state.practitioners.contains_key(code))
        .collect();
    let registered: HashMap<String, String> = if persons.is_empty() {
        HashMap::new()
    } else {
        patiently(IMPORT_ACQUIRE, || {
            subject::Entity::find()
                .select_only()
                .column(subject::Column::Code)
                .column(subject::Column::Kind)
                .filter(subject::Column::Code.is_in(persons.clone()))
                .into_tuple()
                .all(registry)
        })
        .await?
        .into_iter()
        .collect()
    };
    let identities: Vec<Identity> = rows.iter().filter_map(|(_, s)| s.identity()).collect();
    let held = holders_of(registry, &identities, None).await?;
    let today = w.cx.today();
    for (line, s) in rows {
        let line = *line;
        if taken.contains(&s.code) {
            let message = msg!("a-subject-with-code-already-exists", code = &s.code);
            errors.push(FieldError::new("code", message).on_line(line));
        }
        let above = |person: &String| state.practitioners.get(person).is_some_and(|at| *at < line);
        if let Some(person) = &s.input.responsible_person
            && !above(person)
            && registered.get(person).map(String::as_str)
                != Some(SubjectKind::Practitioner.as_str())
        {
            let message = msg!("import-person-not-registered", person = person);
            errors.push(FieldError::new("responsible_person", message).on_line(line));
        }
        let (id, uscc) = (s.id_number.as_deref(), s.input.uscc.as_deref());
        if [id, uscc]
            .into_iter()
            .flatten()
            .any(|key| state.banned.contains(key))
            && let Err(ServiceError::Conflict(message)) =
                check_registration(db, s.input.kind, id, uscc, today).await
        {
            let field = if id.is_some() { "id_number" } else { "uscc" };
            errors.push(FieldError::new(field, message).on_line(line));
        }
        // After the ban, which says more about why the organisation or person cannot come back.
        if let Some(identity) = s.identity()
            && let Some(code) = held.get(&identity)
        {
            errors.push(FieldError::new(identity.field(), identity.taken_by(code)).on_line(line));
        }
    }
    Ok(errors)
}

/// The change-log rows of the registrations (one `subject added` each, as `POST /subjects` writes), written
/// under the change-log lock in one go at the end. Returns the first and last `seq`.
pub(super) async fn announce(
    w: &Writer,
    inserted: Vec<subject::Model>,
) -> ServiceResult<Option<(i64, i64)>> {
    let request_id = w.actor.request_id.clone();
    w.registered_many(inserted, move |model| change_value(model, &request_id))
        .await
}
