//! `rebuild-stats`: every counter recomputed from the facts (case transitions, sanctions, list entries, tips)
//! with the rules the writer applies as they happen, and written in place of the old ones in one transaction.
//! A subject that moved to another county since is counted where it is now. The roll-ups are then summed from
//! the counters.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Counted, figures, row};
use crate::db::Db;
use crate::domain::cases::CaseState;
use crate::domain::dates::legal_date;
use crate::domain::lists::ListKind;
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::EntryKind;
use crate::domain::stats::{self, Metric, Tally};
use crate::domain::tips::RewardState;
use crate::service::error::{ServiceError, ServiceResult, column};
use entity::{
    credit_entry, list_entry, sanction, stat_counter, stat_rollup, subject, tip, violation,
    violation_transition, violation_type,
};

/// Counters being summed: one value per place and key.
#[derive(Default)]
struct Sums(HashMap<(Counted, Metric, chrono::NaiveDate, String, String, String), i64>);

impl Sums {
    fn add(&mut self, who: &Counted, tallies: Vec<Tally>) {
        // A tally of zero writes no counter, as in the writer; tallies that cancel out leave one at zero.
        for t in tallies.into_iter().filter(|t| t.value != 0) {
            let key = (
                who.clone(),
                t.metric,
                t.day,
                t.type_code,
                t.severity,
                t.sanction_type,
            );
            *self.0.entry(key).or_default() += t.value;
        }
    }
}

/// Recomputes every counter; returns how many rows were written.
pub async fn rebuild(db: &Db) -> ServiceResult<usize> {
    let txn = db.begin_write().await?;
    let sums = compute(&*txn).await?;
    stat_rollup::Entity::delete_many().exec(&*txn).await?;
    stat_counter::Entity::delete_many().exec(&*txn).await?;
    let rows: Vec<stat_counter::ActiveModel> = sums
        .0
        .into_iter()
        .map(
            |((who, metric, day, type_code, severity, sanction_type), value)| {
                let tally = Tally {
                    metric,
                    day,
                    value,
                    type_code,
                    severity,
                    sanction_type,
                };
                row(&who, &tally)
            },
        )
        .collect();
    let written = rows.len();
    // 14 columns a row keeps each statement under SQLite's bound-parameter limit.
    for chunk in rows.chunks(1000) {
        stat_counter::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&*txn)
            .await?;
    }
    // The roll-ups are sums of the counters, by the same statements that filled them when they were added.
    for sql in migration::fill_stat_rollups() {
        txn.execute_unprepared(&sql).await?;
    }
    txn.commit().await?;
    Ok(written)
}

async fn compute<C: ConnectionTrait>(db: &C) -> ServiceResult<Sums> {
    let subjects: HashMap<i64, Counted> = subject::Entity::find()
        .all(db)
        .await?
        .iter()
        .map(|s| (s.id, Counted::subject(s)))
        .collect();
    let who = |id: i64| {
        subjects
            .get(&id)
            .ok_or_else(|| ServiceError::corrupt("subjects", id, "is counted but missing"))
    };
    let mut sums = Sums::default();
    let severities: HashMap<i64, String> = violation_type::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.severity))
        .collect();
    let cases: HashMap<i64, violation::Model> = violation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for step in violation_transition::Entity::find()
        .order_by_asc(violation_transition::Column::Id)
        .all(db)
        .await?
    {
        let case = cases.get(&step.violation_id).ok_or_else(|| {
            ServiceError::corrupt("violation_transitions", step.id, "names a missing case")
        })?;
        let from: Option<CaseState> = step
            .from_state
            .as_deref()
            .map(|s| column("violation_transitions", step.id, s))
            .transpose()?;
        let to: CaseState = column("violation_transitions", step.id, &step.to_state)?;
        let severity = severities.get(&case.type_id).cloned().unwrap_or_default();
        let tallies = stats::case_moved(from, to, legal_date(step.at), &figures(case, &severity));
        sums.add(who(case.subject_id)?, tallies);
    }
    for s in sanction::Entity::find().all(db).await? {
        let kind: SanctionType = column("sanctions", s.id, &s.sanction_type)?;
        let mut tallies = vec![stats::sanction_written(
            kind,
            s.starts_on,
            s.extends_id.is_some(),
        )];
        if let Some(at) = s.revoked_at {
            tallies.push(stats::sanction_revoked(kind, legal_date(at)));
        }
        sums.add(who(s.subject_id)?, tallies);
    }
    for e in list_entry::Entity::find().all(db).await? {
        let list: ListKind = column("list_entries", e.id, &e.list)?;
        let mut tallies = stats::entry_added(list, e.listed_on, e.expires_on, e.published);
        if let Some(ended_on) = e.ended_on {
            tallies.extend(stats::entry_ended(list, e.expires_on, ended_on));
        }
        sums.add(who(e.subject_id)?, tallies);
    }
    for bonus in credit_entry::Entity::find()
        .filter(credit_entry::Column::Kind.eq(EntryKind::Bonus.as_str()))
        .all(db)
        .await?
    {
        let tallies = stats::bonus_awarded(legal_date(bonus.at), i64::from(bonus.points));
        sums.add(who(bonus.subject_id)?, tallies);
    }
    for t in tip::Entity::find().all(db).await? {
        let place = Counted::region_only(t.reported_region.as_deref());
        let mut tallies = vec![Tally::new(
            Metric::TipReceived,
            legal_date(t.received_at),
            1,
        )];
        if let (Some(_), Some(at)) = (t.subject_id, t.decided_at) {
            tallies.push(Tally::new(Metric::TipAccepted, legal_date(at), 1));
        }
        let paid = t.reward_state.as_deref() == Some(RewardState::Paid.as_str());
        if let (true, Some(day)) = (paid, t.paid_on) {
            tallies.push(Tally::new(Metric::RewardPaid, day, 1));
            let fen = t.reward_fen.unwrap_or(0);
            tallies.push(Tally::new(Metric::RewardPaidFen, day, fen));
        }
        sums.add(&place, tallies);
    }
    Ok(sums)
}
