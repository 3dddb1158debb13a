//! Standing rows of many subjects at once (screenings, rosters): a few `IN` queries instead of one per code.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::standing::StandingFacts;
use crate::read::standing::{StandingView, answer};
use crate::service::actor::Actor;
use crate::service::affiliations;
use crate::service::context::Ctx;
use crate::service::error::ServiceResult;
use crate::service::standings::facts_of;
use entity::standing;

/// Codes per `IN (…)`: well under SQLite's bound-parameter limit.
const CHUNK: usize = 500;

/// The rows of `codes` that exist, by code, with their facts parsed.
pub async fn rows_by_code<C: ConnectionTrait>(
    db: &C,
    codes: &[&str],
) -> ServiceResult<HashMap<String, (standing::Model, StandingFacts)>> {
    let unique: Vec<&str> = codes
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut rows = HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(CHUNK) {
        for row in standing::Entity::find()
            .filter(standing::Column::Code.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            let facts = facts_of(&row)?;
            rows.insert(row.code.clone(), (row, facts));
        }
    }
    Ok(rows)
}

/// For a hospital, the subjects it may see; `None` for every other role.
pub async fn hospital_view<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
) -> ServiceResult<Option<HashSet<i64>>> {
    affiliations::hospital_subject_ids(db, cx.today(), reader).await
}

/// The standing view of one loaded row for `reader` on `as_of`.
pub async fn view_of<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    (row, facts): &(standing::Model, StandingFacts),
    as_of: NaiveDate,
) -> ServiceResult<StandingView> {
    answer(db, cx, row, facts, as_of, reader.sees_masked_identities()).await
}
