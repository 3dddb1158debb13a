//! The red list (守信名单, DESIGN §7): the engine proposes every institution and pharmacy with grade A in each
//! of the last N completed years (policy) and no sanction in them; an approver confirms or declines each. A new
//! approved case against a red-listed subject ends its entry, with the case as the reason.

use crate::i18n::{Msg, msg};
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{EntryRow, end_entry, insert_entry};
use crate::domain::enums::string_enum;
use crate::domain::four_eyes::{self, Decision, Party};
use crate::domain::lists::{EndKind, ListKind};
use crate::domain::roles::Role;
use crate::domain::scoring::{Grade, SubjectKind};
use crate::domain::standing::standing_on;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::error::{ServiceError, ServiceResult, column};
use crate::service::standings::load_facts_many;
use crate::service::writer::Writer;
use entity::{list_entry, red_proposal, sanction, subject};

string_enum! {
    pub enum ProposalState as "proposal state" {
        Pending = "pending",
        Confirmed = "confirmed",
        Declined = "declined",
    }
}

string_enum! {
    pub enum ProposalOutcome as "proposal outcome" {
        Confirmed = "confirmed",
        Declined = "declined",
    }
}

/// Who asks the engine for proposals.
pub const PROPOSERS: [Role; 0] = [];
/// Who confirms or declines them.
pub const CONFIRMERS: [Role; 1] = [Role::Approver];
/// Staff read proposals; hospitals and partners read only the confirmed list.
pub const PROPOSAL_READERS: [Role; 4] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeRed {
    /// The year the red list is for (1901–9999); the N years before it (policy, default 2) must be completed.
    #[schema(minimum = 1901, maximum = 9999)]
    pub year: i32,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedDecision {
    pub outcome: ProposalOutcome,
    /// Required to decline; up to 2000 characters.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RedProposalView {
    pub id: i64,
    pub year: i32,
    pub subject_code: String,
    pub state: ProposalState,
    /// Why the engine proposes it (grades and years), in the reader's language.
    #[schema(value_type = String)]
    pub grounds: Msg,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// The red-list entry a confirmation created.
    pub entry_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    pub state: Option<ProposalState>,
    pub year: Option<i32>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn view(m: red_proposal::Model) -> ServiceResult<RedProposalView> {
    Ok(RedProposalView {
        state: column("red_proposals", m.id, &m.state)?,
        id: m.id,
        year: m.year,
        subject_code: m.subject_code,
        grounds: Msg::from_column(&m.grounds),
        proposed_at: m.proposed_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        decision_reason: m.decision_reason,
        entry_id: m.entry_id,
    })
}

fn year_bounds(year: i32) -> ServiceResult<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1);
    let last = NaiveDate::from_ymd_opt(year, 12, 31);
    first
        .zip(last)
        .ok_or_else(|| ServiceError::validation("year", msg!("is-not-a-calendar-year")))
}

/// Proposes every organisation that qualifies and has no proposal for the year yet; returns the new ones.
pub async fn propose(w: &Writer, body: ProposeRed) -> ServiceResult<Vec<RedProposalView>> {
    w.actor.require(&PROPOSERS)?;
    if !(1901..=9999).contains(&body.year) {
        return Err(ServiceError::validation(
            "year",
            msg!("must-be-a-year-from-1901-to"),
        ));
    }
    let n = w.cx.policy().lists.red_list_years.clamp(1, 100) as i32;
    let years: Vec<i32> = (body.year - n..body.year).collect();
    let current = w.cx.cycle();
    if let Some(open) = years.iter().find(|y| **y >= current) {
        return Err(ServiceError::validation(
            "year",
            msg!(
                "the-red-list-for-needs-completed-years",
                year = body.year.to_string(),
                n = n.to_string(),
                open = open.to_string()
            ),
        ));
    }
    year_bounds(body.year)?;
    let db = w.db();
    // Only years the organisation was designated throughout count: one designated (or registered) after the
    // first of them has no record for the whole of it.
    let (first_day, _) = year_bounds(*years.first().unwrap_or(&body.year))?;
    let organisations: Vec<subject::Model> = subject::Entity::find()
        .filter(subject::Column::Kind.is_in([
            SubjectKind::Institution.as_str(),
            SubjectKind::Pharmacy.as_str(),
        ]))
        .order_by_asc(subject::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|s| crate::service::subjects::designated_since(s).is_some_and(|d| d <= first_day))
        .collect();
    let kinds = organisations
        .iter()
        .map(|s| Ok((s.id, column::<SubjectKind>("subjects", s.id, &s.kind)?)))
        .collect::<ServiceResult<Vec<_>>>()?;
    let mut scores: HashMap<i64, Vec<String>> = HashMap::new();
    let mut qualified: Vec<i64> = kinds.iter().map(|(id, _)| *id).collect();
    for &year in &years {
        let (_, last) = year_bounds(year)?;
        let facts = load_facts_many(db, &kinds, year).await?;
        qualified.retain(|id| {
            facts.get(id).is_some_and(|f| {
                let answer = standing_on(f, last, w.cx.policy());
                let score = answer.score.unwrap_or_default();
                scores
                    .entry(*id)
                    .or_default()
                    .push(format!("{year}: {score}"));
                answer.grade == Some(Grade::A)
            })
        });
    }
    let (from, _) = year_bounds(*years.first().unwrap_or(&body.year))?;
    let (_, to) = year_bounds(*years.last().unwrap_or(&body.year))?;
    let sanctioned: Vec<i64> = sanction::Entity::find()
        .filter(sanction::Column::SubjectId.is_in(qualified.clone()))
        .filter(sanction::Column::RevokedAt.is_null())
        .filter(sanction::Column::StartsOn.lte(to))
        .filter(
            Condition::any()
                .add(sanction::Column::EndsOn.is_null())
                .add(sanction::Column::EndsOn.gte(from)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.subject_id)
        .collect();
    let existing: Vec<i64> = red_proposal::Entity::find()
        .filter(red_proposal::Column::Year.eq(body.year))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.subject_id)
        .collect();
    let mut proposed = Vec::new();
    for subject in organisations.iter().filter(|s| {
        qualified.contains(&s.id) && !sanctioned.contains(&s.id) && !existing.contains(&s.id)
    }) {
        let grounds = msg!(
            "red-grounds",
            from = years.first().unwrap_or(&body.year).to_string(),
            to = years.last().unwrap_or(&body.year).to_string(),
            scores = scores
                .get(&subject.id)
                .map(|s| s.join(", "))
                .unwrap_or_default()
        );
        let row = red_proposal::ActiveModel {
            year: Set(body.year),
            subject_id: Set(subject.id),
            subject_code: Set(subject.code.clone()),
            state: Set(ProposalState::Pending.as_str().to_string()),
            grounds: Set(grounds.to_column()),
            proposed_by: Set(w.actor.sub.clone()),
            proposed_at: Set(w.cx.now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        proposed.push(view(row)?);
    }
    w.audit(
        "red_list.propose",
        &format!("red-list:{}", body.year),
        &proposed,
    )
    .await?;
    Ok(proposed)
}

/// Confirms (a red-list entry through the end of the proposal's year) or declines (with a reason) a proposal.
pub async fn decide(w: &Writer, id: i64, body: RedDecision) -> ServiceResult<RedProposalView> {
    w.actor.require(&CONFIRMERS)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if body.outcome == ProposalOutcome::Declined && reason.is_none() {
        return Err(ServiceError::validation(
            "reason",
            msg!("is-required-to-decline"),
        ));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(ServiceError::validation(
            "reason",
            msg!("must-be-at-most-2000-characters"),
        ));
    }
    let db = w.db();
    let pending = red_proposal::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("no-red-list-proposal", id = id.to_string())))?;
    let state: ProposalState = column("red_proposals", id, &pending.state)?;
    if state != ProposalState::Pending {
        return Err(ServiceError::Conflict(msg!(
            "proposal-is-already",
            id = id.to_string(),
            state = state.to_string()
        )));
    }
    let proposer = [(Party::Proposer, Some(pending.proposed_by.as_str()))];
    four_eyes::check(Decision::RedListProposal, &w.actor.sub, &proposer)
        .map_err(ServiceError::Forbidden)?;
    let mut row: red_proposal::ActiveModel = pending.clone().into();
    if body.outcome == ProposalOutcome::Confirmed {
        let target = subject::Entity::find_by_id(pending.subject_id)
            .one(db)
            .await?
            .ok_or_else(|| ServiceError::corrupt("red_proposals", id, "names a missing subject"))?;
        let (_, last) = year_bounds(pending.year)?;
        let listed_on = w.cx.today();
        let entry = EntryRow {
            list: ListKind::Red,
            reason: Msg::from_column(&pending.grounds),
            listed_on,
            expires_on: Some(last.max(listed_on)),
            published: true,
            cause_key: None,
        };
        let entry = insert_entry(w, &target, entry, &[]).await?;
        row.entry_id = Set(Some(entry.id));
        row.state = Set(ProposalState::Confirmed.as_str().to_string());
    } else {
        row.state = Set(ProposalState::Declined.as_str().to_string());
    }
    row.decided_by = Set(Some(w.actor.sub.clone()));
    row.decided_at = Set(Some(w.cx.now));
    row.decision_reason = Set(reason);
    let decided = view(row.update(db).await?)?;
    // A confirmation's change row is its entry's; the decision itself is in the audit log.
    w.audit("red_list.decide", &pending.subject_code, &decided)
        .await?;
    Ok(decided)
}

pub async fn proposals<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    query: ProposalQuery,
) -> ServiceResult<Page<RedProposalView>> {
    reader.require(&PROPOSAL_READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = red_proposal::Entity::find()
        .filter(red_proposal::Column::Id.gt(page.after))
        .order_by_asc(red_proposal::Column::Id)
        .limit(page.fetch_limit());
    if let Some(state) = query.state {
        select = select.filter(red_proposal::Column::State.eq(state.as_str()));
    }
    if let Some(year) = query.year {
        select = select.filter(red_proposal::Column::Year.eq(year));
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(view)
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}

/// A new approved case ends the subject's running red-list entries, naming the case.
pub async fn end_on_approval(
    w: &Writer,
    subject_id: i64,
    case_id: i64,
    label: &str,
) -> ServiceResult<()> {
    let running = list_entry::Entity::find()
        .filter(list_entry::Column::SubjectId.eq(subject_id))
        .filter(list_entry::Column::List.eq(ListKind::Red.as_str()))
        .filter(super::active_on(w.cx.today()))
        .all(w.db())
        .await?;
    for entry in running {
        let reason = msg!("reason-red-ended-by-case", id = case_id, label = label);
        end_entry(w, entry, EndKind::Removed, reason).await?;
    }
    Ok(())
}
