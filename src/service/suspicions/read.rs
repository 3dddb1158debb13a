//! Reading suspects: the list, with filters (`overdue`, state, rule, subject), and one suspect. A hospital's
//! office reads only its own institution's; partners none.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{SuspicionView, view};
use super::{READERS, find_for};
use crate::domain::roles::Role;
use crate::domain::suspicions::{ReviewState, SuspicionState};
use crate::pagination::{Page, PageRequest};
use crate::service::error::ServiceResult;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use entity::suspicion;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuspicionQuery {
    /// Where they stand today (`to_verify` includes those whose explanation deadline passed unanswered).
    pub state: Option<SuspicionState>,
    #[param(max_length = 64)]
    pub rule_code: Option<String>,
    #[param(max_length = 64)]
    pub subject_code: Option<String>,
    /// `true`: only those waiting for a step (or a second review) past its due day; `false`: only the others.
    pub overdue: Option<bool>,
    /// `true`: only those awaiting second review.
    pub awaiting_review: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn stored(state: SuspicionState) -> Condition {
    Condition::all().add(suspicion::Column::State.eq(state.as_str()))
}

/// Suspects in `state` as read on `today`: the deadline moves an unanswered `to_explain` on to `to_verify`.
pub fn in_state(state: SuspicionState, today: NaiveDate) -> Condition {
    let explaining = stored(SuspicionState::ToExplain);
    match state {
        SuspicionState::ToExplain => explaining.add(suspicion::Column::ExplainDue.gte(today)),
        SuspicionState::ToVerify => Condition::any()
            .add(stored(SuspicionState::ToVerify))
            .add(explaining.add(suspicion::Column::ExplainDue.lt(today))),
        other => stored(other),
    }
}

/// Null-safe, so that `overdue=false` (its negation) keeps rows without a second review.
fn awaiting() -> Condition {
    Condition::all()
        .add(suspicion::Column::ReviewState.is_not_null())
        .add(suspicion::Column::ReviewState.eq(ReviewState::Awaiting.as_str()))
}

/// Suspects waiting, on `today`, for a step past its due day: as `view::is_overdue` reads one. A `to_explain`
/// one's `verify_due` lies after its explanation deadline, so it is late only once it has moved on. Every
/// nullable column is tested for null first: the negation (`overdue=false`) must not turn unknown into absent.
pub fn overdue(today: NaiveDate) -> Condition {
    Condition::any()
        .add(stored(SuspicionState::Pending).add(suspicion::Column::TriageDue.lt(today)))
        .add(
            Condition::all()
                .add(
                    Condition::any()
                        .add(stored(SuspicionState::ToVerify))
                        .add(stored(SuspicionState::ToExplain)),
                )
                .add(suspicion::Column::VerifyDue.is_not_null())
                .add(suspicion::Column::VerifyDue.lt(today)),
        )
        .add(
            awaiting()
                .add(suspicion::Column::ReviewDue.is_not_null())
                .add(suspicion::Column::ReviewDue.lt(today)),
        )
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: SuspicionQuery,
) -> ServiceResult<Page<SuspicionView>> {
    reader.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let today = cx.today();
    let mut select = suspicion::Entity::find()
        .filter(suspicion::Column::Id.gt(page.after))
        .order_by_asc(suspicion::Column::Id)
        .limit(page.fetch_limit());
    if reader.role == Role::Hospital {
        let org = reader.org.clone().unwrap_or_default();
        select = select.filter(suspicion::Column::SubjectCode.eq(org));
    }
    if let Some(state) = query.state {
        select = select.filter(in_state(state, today));
    }
    if let Some(code) = &query.rule_code {
        select = select.filter(suspicion::Column::RuleCode.eq(code.trim()));
    }
    if let Some(code) = &query.subject_code {
        select = select.filter(suspicion::Column::SubjectCode.eq(code.trim()));
    }
    select = match query.overdue {
        Some(true) => select.filter(overdue(today)),
        Some(false) => select.filter(overdue(today).not()),
        None => select,
    };
    select = match query.awaiting_review {
        Some(true) => select.filter(awaiting()),
        Some(false) => select.filter(
            Condition::any()
                .add(suspicion::Column::ReviewState.is_null())
                .add(awaiting().not()),
        ),
        None => select,
    };
    let rows = select.all(db).await?;
    let page = page.page(rows, |r| r.id, |r| r);
    let audience = reader.audience();
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|row| view(row, audience, today))
            .collect::<ServiceResult<_>>()?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    id: i64,
) -> ServiceResult<SuspicionView> {
    reader.require(&READERS)?;
    let row = find_for(db, reader, id).await?;
    view(row, reader.audience(), cx.today())
}
