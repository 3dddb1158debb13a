//! Rule quality (issue 22 §5): per monitoring rule, how its suspects ended, the share converted (the rule's
//! precision), the median days each step took and the amounts; and the share of decisions second-reviewed per
//! month, which seed 002 wants at 5% or more.

use crate::i18n::msg;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::HANDLERS;
use crate::domain::dates::{legal_date, start_of_legal_day_utc};
use crate::domain::enums::string_enum;
use crate::domain::roles::Role;
use crate::domain::suspicions::{ReviewState, ReviewedStep, SuspicionState, effective_state};
use crate::service::error::{ServiceError, ServiceResult, column};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use entity::suspicion;

/// Who reads the statistics: staff and internal audit, never hospitals or partners.
pub const STATS_READERS: [Role; 4] = [HANDLERS[0], Role::Reviewer, Role::Approver, Role::Auditor];
/// The longest period one answer covers, in days.
const MAX_DAYS: i64 = 366 * 3;

string_enum! {
    /// What the statistics are grouped by.
    pub enum StatsGroup as "statistics grouping" {
        RuleCode = "rule_code",
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub group_by: StatsGroup,
    /// First day (received, China time), `YYYY-MM-DD`.
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    #[param(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day (inclusive), at most three years after `from`.
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    #[param(value_type = String, format = Date)]
    pub to: NaiveDate,
}

/// Median days each step took, over the suspects that took it (`null` when none did).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct StepDays {
    /// Intake to triage.
    pub triage: Option<f64>,
    /// Triage to the institution's answer.
    pub explanation: Option<f64>,
    /// Answer (or triage, when unanswered) to verification.
    pub verification: Option<f64>,
    /// Decision to second review.
    pub second_review: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RuleStats {
    pub rule_code: String,
    pub rule_name: String,
    pub total: u64,
    /// Suspects by the state they stand in today.
    pub by_state: BTreeMap<String, u64>,
    /// Converted among those decided for good (dismissed, cleared or converted); `null` when none is.
    pub precision: Option<f64>,
    pub median_days: StepDays,
    /// Fund money the rule flagged, in fen.
    pub amount_fen: i64,
    /// Of it, in suspects converted into cases.
    pub converted_amount_fen: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewMonth {
    /// `YYYY-MM` (China time) of the decisions.
    #[schema(example = "2026-12")]
    pub month: String,
    /// Triage and verification decisions taken in the month.
    pub decisions: u64,
    /// Of them, second-reviewed (confirmed or overturned).
    pub reviewed: u64,
    /// `reviewed / decisions`.
    pub share: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuspicionStats {
    pub group_by: StatsGroup,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One entry per rule, by rule code.
    pub rules: Vec<RuleStats>,
    /// The share of decisions second-reviewed, per month.
    pub second_review_by_month: Vec<ReviewMonth>,
}

fn days(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<f64> {
    Some((to? - from?).num_seconds() as f64 / 86_400.0)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let m = match values.len() % 2 {
        0 => (values[mid - 1] + values[mid]) / 2.0,
        _ => values[mid],
    };
    Some((m * 100.0).round() / 100.0)
}

#[derive(Default)]
struct Tally {
    name: String,
    total: u64,
    by_state: BTreeMap<String, u64>,
    amount: i64,
    converted_amount: i64,
    steps: [Vec<f64>; 4],
}

pub async fn stats<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: StatsQuery,
) -> ServiceResult<SuspicionStats> {
    reader.require(&STATS_READERS)?;
    let span = (query.to - query.from).num_days();
    if !(0..=MAX_DAYS).contains(&span) {
        return Err(ServiceError::validation("to", msg!("suspicion-stats-span")));
    }
    let end = query.to.succ_opt().unwrap_or(query.to);
    let rows = suspicion::Entity::find()
        .filter(suspicion::Column::ReceivedAt.gte(start_of_legal_day_utc(query.from)))
        .filter(suspicion::Column::ReceivedAt.lt(start_of_legal_day_utc(end)))
        .order_by_asc(suspicion::Column::Id)
        .all(db)
        .await?;
    let today = cx.today();
    let mut rules: BTreeMap<String, Tally> = BTreeMap::new();
    let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in rows {
        let stored: SuspicionState = column("suspicions", row.id, &row.state)?;
        let (state, _) = effective_state(stored, row.explain_due, today);
        let tally = rules.entry(row.rule_code.clone()).or_default();
        tally.name.clone_from(&row.rule_name);
        tally.total += 1;
        *tally
            .by_state
            .entry(state.as_str().to_string())
            .or_default() += 1;
        tally.amount += row.amount_fen;
        if state == SuspicionState::Converted {
            tally.converted_amount += row.amount_fen;
        }
        let answered_or_triaged = row.explained_at.or(row.triaged_at);
        let of_triage = row.review_of.as_deref() == Some(ReviewedStep::Triage.as_str());
        let decided = if of_triage {
            row.triaged_at
        } else {
            row.verified_at
        };
        let steps = [
            days(Some(row.received_at), row.triaged_at),
            days(row.triaged_at, row.explained_at),
            days(answered_or_triaged, row.verified_at),
            days(decided, row.reviewed_at),
        ];
        for (list, value) in tally.steps.iter_mut().zip(steps) {
            list.extend(value);
        }
        // Each decision counts in the month it was taken, and as reviewed once its second review is done.
        let done = matches!(
            row.review_state.as_deref(),
            Some(s) if s != ReviewState::Awaiting.as_str()
        );
        let verification_reviewed = done && !of_triage;
        for (at, reviewed) in [
            (row.triaged_at, row.triage_reviewed),
            (row.verified_at, verification_reviewed),
        ] {
            if let Some(at) = at {
                let month = legal_date(at).format("%Y-%m").to_string();
                let entry = months.entry(month).or_default();
                entry.0 += 1;
                entry.1 += u64::from(reviewed);
            }
        }
    }
    let rules = rules
        .into_iter()
        .map(|(code, t)| {
            let count = |s: SuspicionState| t.by_state.get(s.as_str()).copied().unwrap_or(0);
            let converted = count(SuspicionState::Converted);
            let closed =
                converted + count(SuspicionState::Cleared) + count(SuspicionState::Dismissed);
            let [triage, explanation, verification, second_review] = t.steps;
            RuleStats {
                rule_code: code,
                rule_name: t.name,
                total: t.total,
                precision: (closed > 0).then(|| converted as f64 / closed as f64),
                median_days: StepDays {
                    triage: median(triage),
                    explanation: median(explanation),
                    verification: median(verification),
                    second_review: median(second_review),
                },
                by_state: t.by_state,
                amount_fen: t.amount,
                converted_amount_fen: t.converted_amount,
            }
        })
        .collect();
    let second_review_by_month = months
        .into_iter()
        .map(|(month, (decisions, reviewed))| ReviewMonth {
            month,
            decisions,
            reviewed,
            share: reviewed as f64 / decisions as f64,
        })
        .collect();
    Ok(SuspicionStats {
        group_by: query.group_by,
        from: query.from,
        to: query.to,
        rules,
        second_review_by_month,
    })
}
