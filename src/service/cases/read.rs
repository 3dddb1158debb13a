//! Reading cases back (DESIGN §4): one case with its history and sanctions, and the list.

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Evidence, READERS, find, kind_of_case, state_of};
use crate::domain::cases::{CaseState, Responsibility};
use crate::domain::scoring::SubjectKind;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::error::column;
use crate::service::error::{ServiceError, ServiceResult};
use std::collections::HashMap;

use entity::{sanction_violation, suspicion, violation, violation_transition, violation_type};

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionView {
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub actor: String,
    #[schema(value_type = crate::domain::roles::Role)]
    pub role: String,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationView {
    pub id: i64,
    pub subject_code: String,
    pub subject_kind: SubjectKind,
    pub type_code: String,
    /// Catalogue version in force on `occurred_on`.
    pub type_version: i32,
    pub state: CaseState,
    pub occurred_on: NaiveDate,
    pub discovered_on: NaiveDate,
    pub description: String,
    pub amount_involved_fen: i64,
    pub amount_to_recover_fen: i64,
    pub evidence: Vec<Evidence>,
    pub responsibility: Option<Responsibility>,
    pub institution_code: Option<String>,
    pub institution_liable: bool,
    pub transferred_to_judiciary: bool,
    /// 重大案件: over 50,000 yuan involved or transferred to the judiciary.
    pub major: bool,
    pub points: Option<i32>,
    pub settlement_suspension_months: Option<i32>,
    pub fine_multiple: Option<i32>,
    pub recorded_by: String,
    pub reviewed_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    /// Major cases: report due 2 working days after approval.
    pub report_due: Option<NaiveDate>,
    /// Credit cycle (year, UTC+8) the approval counts in.
    pub cycle: Option<i32>,
    /// Sanctions resting on this case.
    pub sanction_ids: Vec<i64>,
    /// The smart-monitoring suspect (疑点) whose conversion recorded this case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspicion_id: Option<i64>,
    pub history: Vec<TransitionView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ViolationQuery {
    pub subject_code: Option<String>,
    pub state: Option<CaseState>,
    pub type_code: Option<String>,
    pub major: Option<bool>,
    /// Earliest `occurred_on`.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub from: Option<NaiveDate>,
    /// Latest `occurred_on` (inclusive).
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub to: Option<NaiveDate>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Builds the full view: transitions, linked sanctions and the catalogue version.
pub async fn view<C: ConnectionTrait>(
    db: &C,
    model: violation::Model,
) -> ServiceResult<ViolationView> {
    let mut views = views(db, vec![model]).await?;
    views
        .pop()
        .ok_or_else(|| ServiceError::NotFound(msg!("the-case-went-missing-while-it-was")))
}

/// Full views of several cases with three queries in all, whatever their number (a page of a list).
pub async fn views<C: ConnectionTrait>(
    db: &C,
    models: Vec<violation::Model>,
) -> ServiceResult<Vec<ViolationView>> {
    let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
    let type_ids: Vec<i64> = models.iter().map(|m| m.type_id).collect();
    let mut histories: HashMap<i64, Vec<TransitionView>> = HashMap::new();
    for t in violation_transition::Entity::find()
        .filter(violation_transition::Column::ViolationId.is_in(ids.clone()))
        .order_by_asc(violation_transition::Column::Id)
        .all(db)
        .await?
    {
        histories
            .entry(t.violation_id)
            .or_default()
            .push(TransitionView {
                from_state: t
                    .from_state
                    .as_deref()
                    .map(|s| column("violation_transitions", t.id, s))
                    .transpose()?,
                to_state: column("violation_transitions", t.id, &t.to_state)?,
                actor: t.actor,
                role: t.role,
                reason: t.reason,
                at: t.at,
            });
    }
    let suspects: HashMap<i64, i64> = suspicion::Entity::find()
        .select_only()
        .columns([suspicion::Column::ViolationId, suspicion::Column::Id])
        .filter(suspicion::Column::ViolationId.is_in(ids.clone()))
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut sanctions: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in sanction_violation::Entity::find()
        .filter(sanction_violation::Column::ViolationId.is_in(ids))
        .order_by_asc(sanction_violation::Column::SanctionId)
        .all(db)
        .await?
    {
        sanctions
            .entry(link.violation_id)
            .or_default()
            .push(link.sanction_id);
    }
    let versions: HashMap<i64, i32> = violation_type::Entity::find()
        .filter(violation_type::Column::Id.is_in(type_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.version))
        .collect();
    models
        .into_iter()
        .map(|model| {
            Ok(ViolationView {
                id: model.id,
                subject_kind: kind_of_case(&model)?,
                state: state_of(&model)?,
                evidence: serde_json::from_str(&model.evidence)
                    .map_err(|e| ServiceError::corrupt("violations", model.id, e))?,
                responsibility: model
                    .responsibility
                    .as_deref()
                    .map(|r| column("violations", model.id, r))
                    .transpose()?,
                type_version: *versions.get(&model.type_id).ok_or_else(|| {
                    ServiceError::corrupt("violations", model.id, "names a missing catalogue entry")
                })?,
                sanction_ids: sanctions.remove(&model.id).unwrap_or_default(),
                suspicion_id: suspects.get(&model.id).copied(),
                history: histories.remove(&model.id).unwrap_or_default(),
                subject_code: model.subject_code,
                type_code: model.type_code,
                occurred_on: model.occurred_on,
                discovered_on: model.discovered_on,
                description: model.description,
                amount_involved_fen: model.amount_involved_fen,
                amount_to_recover_fen: model.amount_to_recover_fen,
                institution_code: model.institution_code,
                institution_liable: model.institution_liable,
                transferred_to_judiciary: model.transferred_to_judiciary,
                major: model.major,
                points: model.points,
                settlement_suspension_months: model.settlement_suspension_months,
                fine_multiple: model.fine_multiple,
                recorded_by: model.recorded_by,
                reviewed_by: model.reviewed_by,
                approved_by: model.approved_by,
                approved_at: model.approved_at,
                report_due: model.report_due,
                cycle: model.cycle,
                created_at: model.created_at,
                updated_at: model.updated_at,
            })
        })
        .collect()
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    id: i64,
) -> ServiceResult<ViolationView> {
    reader.require(&READERS)?;
    let model = find(db, id).await?;
    view(db, model).await
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    query: ViolationQuery,
) -> ServiceResult<Page<ViolationView>> {
    reader.require(&READERS)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = violation::Entity::find()
        .filter(violation::Column::Id.gt(page.after))
        .order_by_asc(violation::Column::Id)
        .limit(page.fetch_limit());
    if let Some(code) = &query.subject_code {
        select = select.filter(violation::Column::SubjectCode.eq(code.as_str()));
    }
    if let Some(case_state) = query.state {
        select = select.filter(violation::Column::State.eq(case_state.as_str()));
    }
    if let Some(code) = &query.type_code {
        select = select.filter(violation::Column::TypeCode.eq(code.as_str()));
    }
    if let Some(major) = query.major {
        select = select.filter(violation::Column::Major.eq(major));
    }
    if let Some(from) = query.from {
        select = select.filter(violation::Column::OccurredOn.gte(from));
    }
    if let Some(to) = query.to {
        select = select.filter(violation::Column::OccurredOn.lte(to));
    }
    let mut rows = select.all(db).await?;
    let more = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    let items = views(db, rows).await?;
    let last = items.last().map(|v| v.id);
    Ok(page.page_of_views(items, more, last))
}
