//! Standings rows written before registrations were part of the facts (issue 20): a practitioner with
//! affiliations whose row names none is rewritten at start-up, so existing affiliations become registrations
//! (`filed`, or `active` once a commitment is signed) with no manual step.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::ServiceResult;
use crate::service::writer::Writer;
use entity::{affiliation, standing};

/// Rows per transaction.
const BATCH: u64 = 2000;

/// Rewrites those rows in batches, acting as the system; returns how many. Rows that carry registrations are
/// found by their text, so a start-up after the first looks at nothing.
pub async fn refresh_unregistered(db: &crate::db::Db, cx: Ctx) -> ServiceResult<u64> {
    let mut done = 0u64;
    loop {
        let affiliated = affiliation::Entity::find()
            .select_only()
            .column(affiliation::Column::PractitionerId)
            .into_query();
        let ids: Vec<i64> = standing::Entity::find()
            .select_only()
            .column(standing::Column::SubjectId)
            .filter(standing::Column::SubjectId.in_subquery(affiliated))
            .filter(standing::Column::Facts.not_like("%\"registrations\"%"))
            .limit(BATCH)
            .into_tuple()
            .all(&db.conn)
            .await?;
        if ids.is_empty() {
            return Ok(done);
        }
        let w = Writer::begin(db, cx.clone(), Actor::system("refresh-registrations")).await?;
        for id in &ids {
            w.touch(*id);
        }
        w.commit().await?;
        done += ids.len() as u64;
    }
}
