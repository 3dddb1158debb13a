//! The suspects (疑点) that wait for the caller: pending ones to triage and those waiting for verification (an
//! inspector's), decisions awaiting second review that the caller did not take (a reviewer's, by four eyes).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{Task, TaskKind, task};
use crate::domain::dates::legal_date;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::suspicions::{ReviewState, SuspicionState};
use crate::service::suspicions::read::in_state;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use entity::suspicion;

pub(super) async fn tasks<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    kind: TaskKind,
) -> ServiceResult<Vec<Task>> {
    let today = cx.today();
    let select = suspicion::Entity::find();
    let rows = match kind {
        TaskKind::SuspicionTriage => select.filter(in_state(SuspicionState::Pending, today)),
        // A decision awaiting its second review cannot be verified yet: it is the reviewer's task first.
        TaskKind::SuspicionVerification => select
            .filter(in_state(SuspicionState::ToVerify, today))
            .filter(
                sea_orm::Condition::any()
                    .add(suspicion::Column::ReviewState.is_null())
                    .add(suspicion::Column::ReviewState.ne(ReviewState::Awaiting.as_str())),
            ),
        _ => select.filter(suspicion::Column::ReviewState.eq(ReviewState::Awaiting.as_str())),
    }
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|row| {
            let parties = [
                (Party::Triager, row.triaged_by.as_deref()),
                (Party::Verifier, row.verified_by.as_deref()),
            ];
            kind != TaskKind::SuspicionReview
                || four_eyes::check(Decision::SuspicionReview, &reader.sub, &parties).is_ok()
        })
        .map(|row| {
            let (since, due) = match kind {
                TaskKind::SuspicionTriage => (legal_date(row.received_at), Some(row.triage_due)),
                TaskKind::SuspicionVerification => (
                    row.explained_at
                        .map_or_else(|| row.explain_due.unwrap_or(today), legal_date),
                    row.verify_due,
                ),
                _ => (
                    row.verified_at.or(row.triaged_at).map_or(today, legal_date),
                    row.review_due,
                ),
            };
            Task {
                suspicion_id: Some(row.id),
                violation_id: row.violation_id,
                ..task(cx, kind, row.subject_code, since, due.unwrap_or(today))
            }
        })
        .collect())
}
