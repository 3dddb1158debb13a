//! One file per person and per organisation (DESIGN §14): the registry look-ups behind `domain::subject::Identity`.
//! The unique indexes of the migration `unique_subject_identities` are the last word; these look-ups exist so that
//! the refusal names the record that is already there.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::domain::subject::Identity;

/// Refuses a record whose identity another subject (any but `except`) holds: `409` naming that subject's code.
pub async fn check_identity<C: ConnectionTrait>(
    db: &C,
    identity: &Identity,
    except: Option<i64>,
) -> ServiceResult<()> {
    let taken = holders_of(db, std::slice::from_ref(identity), except).await?;
    match taken.get(identity) {
        Some(code) => Err(ServiceError::Conflict(identity.taken_by(code))),
        None => Ok(()),
    }
}

/// The registered code holding each of `identities` that is held (by a subject other than `except`), in one
/// query: an import asks once per batch, not once per row.
pub async fn holders_of<C: ConnectionTrait>(
    db: &C,
    identities: &[Identity],
    except: Option<i64>,
) -> ServiceResult<HashMap<Identity, String>> {
    let mut id_numbers = HashSet::new();
    let mut usccs = HashSet::new();
    for identity in identities {
        match identity {
            Identity::Person { id_number, .. } => id_numbers.insert(id_number.as_str()),
            Identity::Organisation { uscc } => usccs.insert(uscc.as_str()),
        };
    }
    if id_numbers.is_empty() && usccs.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = subject::Entity::find()
        .select_only()
        .columns([
            subject::Column::Kind,
            subject::Column::IdNumber,
            subject::Column::Uscc,
            subject::Column::Code,
        ])
        .filter(
            Condition::any()
                .add(subject::Column::IdNumber.is_in(id_numbers))
                .add(subject::Column::Uscc.is_in(usccs)),
        );
    if let Some(id) = except {
        select = select.filter(subject::Column::Id.ne(id));
    }
    let rows: Vec<(String, Option<String>, Option<String>, String)> =
        select.into_tuple().all(db).await?;
    let wanted: HashSet<&Identity> = identities.iter().collect();
    let mut held = HashMap::new();
    for (kind, id_number, uscc, code) in rows {
        let kind: SubjectKind = column("subjects", &code, &kind)?;
        if let Some(identity) = Identity::of(kind, id_number.as_deref(), uscc.as_deref())
            && wanted.contains(&identity)
        {
            held.entry(identity).or_insert(code);
        }
    }
    Ok(held)
}
