//! 处理措施 (DESIGN §6): approvers impose, lift and revoke sanctions; every role reads them within its visibility.
//! The threshold engine inserts its own rows; reading, lifting and revoking treat both kinds alike.

use crate::i18n::msg;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::domain::cases::CaseState;
use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::cycle_of_instant;
use crate::domain::effects::LiveSanction;
use crate::domain::roles::Role;
use crate::domain::sanctions::{
    MAX_VIOLATIONS, SanctionStatus, SanctionType, Scope, Terms, check_reason, check_terms,
};
use crate::domain::scoring::SubjectKind;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::affiliations;
use crate::service::context::Ctx;
use crate::service::error::column;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::subjects::{ensure_visible, find_by_code, find_visible, kind_of};
pub use crate::service::views::{
    SanctionChange, SanctionEvent, SanctionView, status_of, view_of, views_of,
};
use crate::service::writer::Writer;
use entity::{sanction, sanction_violation, subject, violation};

/// Roles that impose, lift and revoke sanctions (admin too, as everywhere).
pub const WRITERS: [Role; 1] = [Role::Approver];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSanction {
    #[schema(example = "D370102000001")]
    pub subject_code: String,
    #[serde(rename = "type")]
    pub sanction_type: SanctionType,
    /// Required for `qualification_suspension`; `settlement_suspension` defaults to `all`; other types take none.
    pub scope: Option<Scope>,
    /// First day in force (UTC+8 calendar date).
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub starts_on: NaiveDate,
    /// Last day in force, inclusive. Required for suspensions and as a rectification's due date; absent for
    /// terminations.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub ends_on: Option<NaiveDate>,
    /// Approved cases the sanction rests on, 1 to 100: the subject's own, or a practitioner's case whose losses
    /// its institution bears (`institution_liable`) when sanctioning that institution.
    pub violation_ids: Vec<i64>,
    /// Recovery and penalty only: the amount in fen, positive.
    pub amount_fen: Option<i64>,
    /// The decision's grounds, 1–2000 characters.
    #[schema(
        example = "滥用药、开具不合理处方，暂停普通门诊医保结算资格3个月",
        min_length = 1,
        max_length = 2000
    )]
    pub reason: String,
}

/// Why a sanction is lifted or revoked.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionAction {
    /// 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A sanction with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionDetail {
    #[serde(flatten)]
    pub sanction: SanctionView,
    /// Extensions of this sanction (newer rows that continue it), oldest first.
    pub extended_by: Vec<i64>,
    pub history: Vec<SanctionEvent>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SanctionQuery {
    /// Code of the sanctioned subject.
    pub subject_code: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub sanction_type: Option<SanctionType>,
    /// Keep only sanctions active on this date; their `status` is then given for that date.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub active_on: Option<NaiveDate>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

mod views;
mod write;
pub use views::*;
pub use write::*;

pub(super) async fn find<C: ConnectionTrait>(
    db: &C,
    id: i64,
    for_update: bool,
) -> ServiceResult<sanction::Model> {
    let mut select = sanction::Entity::find_by_id(id);
    if for_update {
        // Two approvers lifting at once on PostgreSQL: the second waits and then sees the first's lift.
        select = select.lock_exclusive();
    }
    select
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("no-sanction-with-id", id = id.to_string())))
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    id: i64,
) -> ServiceResult<SanctionDetail> {
    let model = find(db, id, false).await?;
    let owner = subject::Entity::find_by_id(model.subject_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::corrupt("sanctions", id, "names no subject"))?;
    ensure_visible(db, cx.today(), reader, &owner).await?;
    let extended_by = sanction::Entity::find()
        .filter(sanction::Column::ExtendsId.eq(id))
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let history =
        crate::service::outward::history(db, ChangeEntity::Sanction, id, reader.audience()).await?;
    let sanction = view_of(db, model, cx.today(), reader).await?;
    Ok(SanctionDetail {
        sanction,
        extended_by,
        history,
    })
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: SanctionQuery,
) -> ServiceResult<Page<SanctionView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = sanction::Entity::find()
        .filter(sanction::Column::Id.gt(page.after))
        .order_by_asc(sanction::Column::Id)
        .limit(page.fetch_limit());
    let code = query.subject_code.as_deref().map(str::trim);
    if let Some(code) = code.filter(|code| !code.is_empty()) {
        // A masked reader filters by a code it may read, never by a person's ID number (DESIGN §14).
        if reader.sees_masked_identities() {
            find_visible(db, cx, reader, code).await?;
        }
        select = select.filter(sanction::Column::SubjectCode.eq(code));
    }
    if let Some(sanction_type) = query.sanction_type {
        select = select.filter(sanction::Column::SanctionType.eq(sanction_type.as_str()));
    }
    if let Some(day) = query.active_on {
        select = select.filter(active_on(day));
    }
    if reader.role == Role::Hospital {
        select = select.filter(hospital_visible(db, cx.today(), reader).await?);
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    let as_of = query.active_on.unwrap_or_else(|| cx.today());
    Ok(Page {
        items: views_of(db, rows.items, as_of, reader).await?,
        next_cursor: rows.next_cursor,
    })
}

/// The list-query form of `subjects::ensure_visible`: the hospital's own institution and the practitioners
/// affiliated with it on the same day that check uses.
pub(super) async fn hospital_visible<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    reader: &Actor,
) -> ServiceResult<Condition> {
    let org = reader.org.as_deref().unwrap_or_default();
    let visible = Condition::any().add(sanction::Column::SubjectCode.eq(org));
    match find_by_code(db, org).await {
        Ok(institution) => {
            let ids = affiliations::practitioner_ids_from(db, institution.id, today).await?;
            Ok(visible.add(sanction::Column::SubjectId.is_in(ids)))
        }
        Err(ServiceError::NotFound(_)) => Ok(visible),
        Err(e) => Err(e),
    }
}
