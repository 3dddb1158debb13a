//! Where a statistic is read from: its whole months (or periods) from the roll-ups (`rollup`) where they answer
//! the question, the days at its edges and any finer question from the daily counters (`query`).

use std::collections::HashMap;

use chrono::NaiveDate;
use futures_util::future::try_join_all;
use sea_orm::{ConnectionTrait, DbErr};

use super::query::{Filter, Part, measure_daily, parts};
use super::rollup;
use crate::domain::sanctions::SanctionType;
use crate::domain::stats::{Dimension, Metric};

/// The parts of every cell of `metrics` between `from` (none: since the beginning, for a stock) and `to`,
/// keyed by the values of `dims`: the whole months (or periods) from the roll-ups where they answer the
/// question, the days at the edges and any finer question from the daily counters. A cell made of both
/// rests on at least as many subjects as the larger of the two.
pub async fn measure<C: ConnectionTrait>(
    db: &C,
    metrics: &[Metric],
    filter: &Filter,
    dims: &[Dimension],
    (from, to): (Option<NaiveDate>, NaiveDate),
) -> Result<Vec<Part>, DbErr> {
    let split = rollup::split(filter, dims, (from, to));
    let whole = split
        .as_ref()
        .and_then(|s| rollup::statement(metrics, filter, dims, s.whole));
    let (Some(split), Some(whole)) = (split, whole) else {
        return measure_daily(db, metrics, filter, dims, (from, to)).await;
    };
    // The edges are read while the roll-ups are: on separate connections where the database has them.
    let edges = split
        .edges
        .iter()
        .map(|(first, last)| measure_daily(db, metrics, filter, dims, (Some(*first), *last)));
    let (mut out, edges) = tokio::try_join!(parts(db, &whole, dims), try_join_all(edges))?;
    if edges.is_empty() {
        return Ok(out);
    }
    let mut index: HashMap<(Vec<String>, Metric, Option<SanctionType>), usize> = out
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.key.clone(), p.metric, p.sanction_type), i))
        .collect();
    for edge in edges {
        for part in edge {
            let key = (part.key.clone(), part.metric, part.sanction_type);
            match index.get(&key) {
                Some(&i) => {
                    let m = &mut out[i].measured;
                    m.total += part.measured.total;
                    m.subjects = Ord::max(m.subjects, part.measured.subjects);
                    m.persons = Ord::max(m.persons, part.measured.persons);
                }
                None => {
                    index.insert(key, out.len());
                    out.push(part);
                }
            }
        }
    }
    Ok(out)
}
