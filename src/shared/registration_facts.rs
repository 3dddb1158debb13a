//! The registration and commitment facts of a standing (issue 20): a practitioner's affiliations with the
//! names of their organisations, the commitment texts of each subject's kind and each subject's signatures.
//! Loaded with the other facts (`facts::load_facts_many`) in three queries, whatever the number of subjects.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::registration::{RegistrationFact, SignatureFact, TextFact};
use crate::domain::scoring::SubjectKind;
use crate::domain::standing::StandingFacts;
use crate::shared::error::{ServiceError, ServiceResult};
use entity::{affiliation, commitment, commitment_text, subject};

/// The kinds a stored text applies to, or a `Corrupt` error naming it.
pub fn kinds_of(text: &commitment_text::Model) -> ServiceResult<Vec<SubjectKind>> {
    serde_json::from_str(&text.applies_to)
        .map_err(|e| ServiceError::corrupt("commitment_texts", text.id, e))
}

/// Every published text, oldest first (a handful: texts change once in years).
pub async fn all_texts<C: ConnectionTrait>(db: &C) -> ServiceResult<Vec<commitment_text::Model>> {
    Ok(commitment_text::Entity::find()
        .order_by_asc(commitment_text::Column::EffectiveFrom)
        .order_by_asc(commitment_text::Column::Id)
        .all(db)
        .await?)
}

/// The texts `kind` signs, oldest first, as validity needs them.
pub fn texts_for(
    texts: &[commitment_text::Model],
    kind: SubjectKind,
) -> ServiceResult<Vec<TextFact>> {
    let mut out = Vec::new();
    for text in texts {
        if kinds_of(text)?.contains(&kind) {
            out.push(TextFact {
                version: text.version.clone(),
                effective_from: text.effective_from,
                resign_within_days: u32::try_from(text.resign_within_days).unwrap_or(0),
            });
        }
    }
    Ok(out)
}

/// Adds registrations, texts and signatures to the facts of `ids` (the keys of `facts`).
pub async fn add<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    facts: &mut HashMap<i64, StandingFacts>,
) -> ServiceResult<()> {
    let texts = all_texts(db).await?;
    for f in facts.values_mut() {
        if f.kind != SubjectKind::Insured {
            f.commitment_texts = texts_for(&texts, f.kind)?;
        }
    }
    for s in commitment::Entity::find()
        .filter(commitment::Column::SubjectId.is_in(ids.iter().copied()))
        .order_by_asc(commitment::Column::Id)
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&s.subject_id) {
            f.signatures.push(SignatureFact {
                version: s.text_version,
                signed_on: s.signed_on,
            });
        }
    }
    let rows = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.is_in(ids.iter().copied()))
        .order_by_asc(affiliation::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let organisations: HashMap<i64, subject::Model> = subject::Entity::find()
        .filter(subject::Column::Id.is_in(rows.iter().map(|a| a.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    for a in rows {
        let organisation = organisations.get(&a.organisation_id).ok_or_else(|| {
            ServiceError::corrupt("affiliations", a.id, "points to a missing subject")
        })?;
        if let Some(f) = facts.get_mut(&a.practitioner_id) {
            f.registrations.push(RegistrationFact {
                institution_code: organisation.code.clone(),
                institution_name: organisation.name.clone(),
                valid_from: a.valid_from,
                valid_to: a.valid_to,
            });
        }
    }
    Ok(())
}
