//! The roll-ups the writer keeps beside the daily counters: each tally added to its month, quarter and year
//! under the subject's prefecture, kind and sanction type, and the subject counted once in each period — the
//! first time anything of that metric is counted for it there. Reading whole periods from these is what keeps
//! the statistics fast at national volume (`read::stats::query`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

use super::Counted;
use crate::domain::stats::Tally;
use crate::domain::stats::grains::Grain;
use crate::service::error::ServiceResult;
use entity::{stat_counter, stat_rollup};

/// A roll-up's key for one subject: metric, sanction type, grain and period. Ordered: concurrent writers
/// (PostgreSQL) lock the rows they add to in one order, so they wait for each other and never deadlock.
type Key = (String, String, &'static str, String);

fn keys(metric: &str, sanction_type: &str, day: NaiveDate) -> impl Iterator<Item = Key> {
    [Grain::Month, Grain::Quarter, Grain::Year]
        .into_iter()
        .map(move |g| {
            (
                metric.to_string(),
                sanction_type.to_string(),
                g.as_str(),
                g.period_of(day),
            )
        })
}

/// The periods in which `who` already has a count of a tally's metric and sanction type (where it is now): in
/// those, the subject is not counted again. Read before the tallies' own counters are written.
async fn already_counted<C: ConnectionTrait>(
    db: &C,
    who: &Counted,
    (prefecture, _): &(String, String),
    tallies: &[&Tally],
) -> ServiceResult<BTreeSet<Key>> {
    use stat_counter::Column as C;
    let first = tallies.iter().map(|t| t.day.year()).min();
    let last = tallies.iter().map(|t| t.day.year()).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(BTreeSet::new());
    };
    if who.subject_id == 0 {
        return Ok(BTreeSet::new());
    }
    let rows: Vec<(String, String, NaiveDate)> = stat_counter::Entity::find()
        .select_only()
        .columns([C::Metric, C::SanctionType, C::Day])
        .filter(C::SubjectId.eq(who.subject_id))
        .filter(C::Metric.is_in(tallies.iter().map(|t| t.metric.as_str())))
        .filter(C::Day.gte(NaiveDate::from_ymd_opt(first, 1, 1)))
        .filter(C::Day.lte(NaiveDate::from_ymd_opt(last, 12, 31)))
        .filter(C::Prefecture.eq(prefecture.as_str()))
        .filter(C::SubjectKind.eq(who.kind.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .flat_map(|(metric, sanction_type, day)| keys(metric, sanction_type, *day))
        .collect())
}

/// Adds `tallies` (none of them zero) to the roll-ups of `who`, whose place is `(prefecture, province)`.
pub(super) async fn add<C: ConnectionTrait>(
    db: &C,
    who: &Counted,
    place: &(String, String),
    tallies: &[&Tally],
) -> ServiceResult<()> {
    use stat_rollup::Column as R;
    let seen = already_counted(db, who, place, tallies).await?;
    // Merged first: one statement may not upsert the same row twice (PostgreSQL).
    let mut sums: BTreeMap<Key, i64> = BTreeMap::new();
    for t in tallies {
        for key in keys(t.metric.as_str(), &t.sanction_type, t.day) {
            *sums.entry(key).or_default() += t.value;
        }
    }
    let counts_subjects = who.subject_id != 0;
    let rows = sums.into_iter().map(|(key, value)| {
        let new_subject = counts_subjects && !seen.contains(&key);
        let (metric, sanction_type, grain, period) = key;
        stat_rollup::ActiveModel {
            id: NotSet,
            metric: Set(metric),
            grain: Set(grain.to_string()),
            period: Set(period),
            prefecture: Set(place.0.clone()),
            province: Set(place.1.clone()),
            subject_kind: Set(who.kind.clone()),
            sanction_type: Set(sanction_type),
            value: Set(value),
            subjects: Set(i64::from(new_subject)),
        }
    });
    let upsert = OnConflict::columns([
        R::Metric,
        R::Grain,
        R::Period,
        R::Prefecture,
        R::SubjectKind,
        R::SanctionType,
    ])
    .value(R::Value, Expr::cust("stat_rollups.value + excluded.value"))
    .value(
        R::Subjects,
        Expr::cust("stat_rollups.subjects + excluded.subjects"),
    )
    .to_owned();
    stat_rollup::Entity::insert_many(rows)
        .on_conflict(upsert)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
