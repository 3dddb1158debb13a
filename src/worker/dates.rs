//! Changes that happen by date alone (issue 10): a suspension starting or ending at midnight UTC+8, a list entry
//! expiring. Standing answers derive these from dates already; the scheduler writes their change-log rows so
//! that feeds and webhooks see them. Each day is written once: the day's row in `scheduled_days` commits with
//! its changes, and a second node's attempt fails on its primary key and rolls back.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::config::Config;
use crate::db::Db;
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::legal_date;
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::ServiceResult;
use crate::service::lists::views;
use crate::service::sanctions::view_of;
use crate::service::writer::Writer;
use entity::{list_entry, sanction, scheduled_day};

/// One pass of the background scheduler: the days due, and its outcome in the metrics (a pass that finds its
/// day written by another node succeeded too).
pub async fn pass(state: &crate::state::AppState) {
    let now = state.clock.now();
    match run_due(&state.db, state.config.clone(), now).await {
        // Wall time, not the legal clock: the alert compares it with Prometheus' `time()`.
        Ok(_) => state
            .metrics
            .operator
            .scheduler_succeeded(chrono::Utc::now()),
        Err(e) => {
            state.metrics.operator.scheduler_failed();
            tracing::warn!(error = %e, "date scheduler failed");
        }
    }
}

/// Writes the date-driven changes of every day up to today not yet written. On a database that has never run
/// it, today is taken as done (there is no history to replay). Returns the days written.
pub async fn run_due(db: &Db, config: Arc<Config>, now: DateTime<Utc>) -> ServiceResult<u32> {
    let today = legal_date(now);
    let mut written = 0;
    loop {
        let last = scheduled_day::Entity::find()
            .order_by_desc(scheduled_day::Column::Day)
            .one(&db.conn)
            .await?
            .map(|d| d.day);
        let day = match last {
            None => today,
            Some(last) if last >= today => return Ok(written),
            Some(last) => last + Days::new(1),
        };
        let w = Writer::begin(
            db,
            Ctx::new(now, config.clone()),
            Actor::system("scheduler"),
        )
        .await?;
        if last.is_some() {
            write_day(&w, day).await?;
        }
        let claimed = scheduled_day::ActiveModel {
            day: Set(day),
            done_at: Set(now),
        }
        .insert(w.db())
        .await;
        if claimed.is_err() {
            // Another node wrote this day first: ours rolls back.
            return Ok(written);
        }
        w.commit().await?;
        written += 1;
        if last.is_none() {
            return Ok(written);
        }
    }
}

async fn write_day(w: &Writer, day: NaiveDate) -> ServiceResult<()> {
    let db = w.db();
    crate::service::bonuses::award_new_cycle_bonuses(w, day).await?;
    let yesterday = day - Days::new(1);
    let system = w.actor.clone();
    let starting = sanction::Entity::find()
        .filter(sanction::Column::StartsOn.eq(day))
        .filter(sanction::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    let ending = sanction::Entity::find()
        .filter(sanction::Column::EndsOn.eq(yesterday))
        .filter(sanction::Column::RevokedAt.is_null())
        .filter(sanction::Column::LiftedOn.is_null())
        .all(db)
        .await?;
    for (rows, op, event) in [
        (starting, ChangeOp::Changed, "started"),
        (ending, ChangeOp::Ended, "ended"),
    ] {
        for model in rows {
            let subject = (model.subject_id, model.subject_code.clone());
            let mut value = serde_json::to_value(view_of(db, model.clone(), day, &system).await?)
                .unwrap_or_default();
            value["event"] = serde_json::json!(event);
            value["on"] = serde_json::json!(day);
            w.change(
                ChangeEntity::Sanction,
                model.id,
                (subject.0, &subject.1),
                op,
                &value,
            )
            .await?;
        }
    }
    let expiring = list_entry::Entity::find()
        .filter(list_entry::Column::ExpiresOn.eq(yesterday))
        .filter(list_entry::Column::EndedOn.is_null())
        .all(db)
        .await?;
    for entry in views(db, expiring, day, &system).await? {
        let subject = list_entry::Entity::find_by_id(entry.id)
            .one(db)
            .await?
            .map(|e| (e.subject_id, e.subject_code))
            .unwrap_or_default();
        w.change(
            ChangeEntity::ListEntry,
            entry.id,
            (subject.0, &subject.1),
            ChangeOp::Ended,
            &entry,
        )
        .await?;
    }
    Ok(())
}
