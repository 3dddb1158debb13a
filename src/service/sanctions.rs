//! 处理措施 (DESIGN §6): approvers impose, lift and revoke sanctions; every role reads them within its visibility.
//! The threshold engine inserts its own rows; reading, lifting and revoking treat both kinds alike.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AuthUser, Role};
use crate::domain::cases::CaseState;
use crate::domain::dates::legal_date;
use crate::domain::masking::mask_id_number;
use crate::domain::sanctions::{
    MAX_VIOLATIONS, SanctionStatus, SanctionType, Scope, Terms, check_reason, check_terms, status,
};
use crate::domain::scoring::SubjectKind;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::pagination::{Page, PageRequest};
use crate::service::subjects::{ensure_visible, find_by_code, kind_of};
use crate::service::{affiliations, audit};
use crate::state::AppState;
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
    pub starts_on: NaiveDate,
    /// Last day in force, inclusive. Required for suspensions and as a rectification's due date; absent for
    /// terminations.
    pub ends_on: Option<NaiveDate>,
    /// Approved cases the sanction rests on: the subject's own, or a practitioner's case whose losses its
    /// institution bears (`institution_liable`) when sanctioning that institution. At most 100.
    #[serde(default)]
    pub violation_ids: Vec<i64>,
    /// Recovery and penalty only: the amount in fen, positive.
    pub amount_fen: Option<i64>,
    /// The decision's grounds, 1–2000 characters.
    #[schema(example = "滥用药、开具不合理处方，暂停普通门诊医保结算资格3个月")]
    pub reason: String,
}

/// Why a sanction is lifted or revoked.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionAction {
    /// 1–2000 characters.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionView {
    pub id: i64,
    /// Masked (`110105********002X`) for an insured person when the reader is a partner.
    pub subject_code: String,
    pub subject_kind: SubjectKind,
    #[serde(rename = "type")]
    pub sanction_type: SanctionType,
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Terminations: no new agreement or re-registration before this date.
    pub ban_until: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
    pub reason: String,
    /// Created by the threshold engine rather than by an approver.
    pub automatic: bool,
    pub violation_ids: Vec<i64>,
    /// On today (UTC+8), or on `active_on` when listing with it.
    pub status: SanctionStatus,
    pub lifted_on: Option<NaiveDate>,
    pub lifted_reason: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SanctionQuery {
    /// Code of the sanctioned subject.
    pub subject_code: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub sanction_type: Option<SanctionType>,
    /// Keep only sanctions active on this date; their `status` is then given for that date.
    pub active_on: Option<NaiveDate>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Sanctions whose status on `day` is `active`, as a filter: the SQL twin of `domain::sanctions::status`.
fn active_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(sanction::Column::RevokedAt.is_null())
        .add(sanction::Column::StartsOn.lte(day))
        .add(
            Condition::any()
                .add(sanction::Column::EndsOn.is_null())
                .add(sanction::Column::EndsOn.gte(day)),
        )
        .add(
            Condition::any()
                .add(sanction::Column::LiftedOn.is_null())
                .add(sanction::Column::LiftedOn.gt(day)),
        )
}

/// The sanctions of one subject that are active on `as_of`, oldest first.
pub async fn active_for_subject<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<sanction::Model>, DbErr> {
    sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(subject_id))
        .filter(active_on(as_of))
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await
}

/// Status of a stored sanction on `as_of`.
pub fn status_of(model: &sanction::Model, as_of: NaiveDate) -> SanctionStatus {
    let revoked = model.revoked_at.is_some();
    status(
        model.starts_on,
        model.ends_on,
        model.lifted_on,
        revoked,
        as_of,
    )
}

/// A stored value no longer parses: the row was written by something other than this code.
fn corrupt(id: i64, what: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("sanction {id}: {what}"))
}

/// What `reader` sees of one sanction, with its status on `as_of`.
pub async fn view_of<C: ConnectionTrait>(
    db: &C,
    model: sanction::Model,
    as_of: NaiveDate,
    reader: &AuthUser,
) -> Result<SanctionView, DbErr> {
    let mut views = views_of(db, vec![model], as_of, reader).await?;
    views
        .pop()
        .ok_or_else(|| DbErr::Custom("a sanction view went missing".into()))
}

/// Views of many sanctions in two queries, whatever their number.
pub async fn views_of<C: ConnectionTrait>(
    db: &C,
    models: Vec<sanction::Model>,
    as_of: NaiveDate,
    reader: &AuthUser,
) -> Result<Vec<SanctionView>, DbErr> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let subject_ids: HashSet<i64> = models.iter().map(|m| m.subject_id).collect();
    let kinds: HashMap<i64, SubjectKind> = subject::Entity::find()
        .filter(subject::Column::Id.is_in(subject_ids))
        .all(db)
        .await?
        .iter()
        .map(|s| (s.id, kind_of(s)))
        .collect();
    let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in sanction_violation::Entity::find()
        .filter(sanction_violation::Column::SanctionId.is_in(models.iter().map(|m| m.id)))
        .order_by_asc(sanction_violation::Column::ViolationId)
        .all(db)
        .await?
    {
        links
            .entry(link.sanction_id)
            .or_default()
            .push(link.violation_id);
    }
    models
        .into_iter()
        .map(|m| {
            let kind = *kinds
                .get(&m.subject_id)
                .ok_or_else(|| corrupt(m.id, "no subject"))?;
            let sanction_type = m.sanction_type.parse().map_err(|e| corrupt(m.id, e))?;
            let scope = m.scope.as_deref().map(str::parse::<Scope>);
            let scope = scope.transpose().map_err(|e| corrupt(m.id, e))?;
            let masked = reader.sees_masked_identities() && kind == SubjectKind::Insured;
            let status = status_of(&m, as_of);
            Ok(SanctionView {
                id: m.id,
                subject_code: if masked {
                    mask_id_number(&m.subject_code)
                } else {
                    m.subject_code
                },
                subject_kind: kind,
                sanction_type,
                scope,
                starts_on: m.starts_on,
                ends_on: m.ends_on,
                ban_until: m.ban_until,
                amount_fen: m.amount_fen,
                reason: m.reason,
                automatic: m.automatic,
                violation_ids: links.remove(&m.id).unwrap_or_default(),
                status,
                lifted_on: m.lifted_on,
                lifted_reason: m.lifted_reason,
                revoked_at: m.revoked_at,
                revoked_reason: m.revoked_reason,
                created_by: m.created_by,
                created_at: m.created_at,
            })
        })
        .collect()
}

async fn find<C: ConnectionTrait>(db: &C, id: i64, for_update: bool) -> ApiResult<sanction::Model> {
    let mut select = sanction::Entity::find_by_id(id);
    if for_update {
        // Two approvers lifting at once on PostgreSQL: the second waits and then sees the first's lift.
        select = select.lock_exclusive();
    }
    select
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no sanction with id {id}")))
}

pub async fn get(state: &AppState, reader: &AuthUser, id: i64) -> ApiResult<SanctionView> {
    let db = &state.db.conn;
    let model = find(db, id, false).await?;
    let owner = subject::Entity::find_by_id(model.subject_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("sanction {id} has no subject")))?;
    ensure_visible(db, reader, &owner).await?;
    let today = legal_date(state.clock.now());
    Ok(view_of(db, model, today, reader).await?)
}

pub async fn list(
    state: &AppState,
    reader: &AuthUser,
    query: SanctionQuery,
) -> ApiResult<Page<SanctionView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let db = &state.db.conn;
    let mut select = sanction::Entity::find()
        .filter(sanction::Column::Id.gt(page.after))
        .order_by_asc(sanction::Column::Id)
        .limit(page.fetch_limit());
    let code = query.subject_code.as_deref().map(str::trim);
    if let Some(code) = code.filter(|code| !code.is_empty()) {
        select = select.filter(sanction::Column::SubjectCode.eq(code));
    }
    if let Some(sanction_type) = query.sanction_type {
        select = select.filter(sanction::Column::SanctionType.eq(sanction_type.as_str()));
    }
    if let Some(day) = query.active_on {
        select = select.filter(active_on(day));
    }
    if reader.role == Role::Hospital {
        select = select.filter(hospital_visible(db, reader).await?);
    }
    let rows = page.page(select.all(db).await?, |m| m.id, |m| m);
    let as_of = query
        .active_on
        .unwrap_or_else(|| legal_date(state.clock.now()));
    Ok(Page {
        items: views_of(db, rows.items, as_of, reader).await?,
        next_cursor: rows.next_cursor,
    })
}

/// The list-query form of `subjects::ensure_visible`: the hospital's own institution and the practitioners
/// affiliated with it on the same day that check uses.
async fn hospital_visible<C: ConnectionTrait>(db: &C, reader: &AuthUser) -> ApiResult<Condition> {
    let org = reader.org.as_deref().unwrap_or_default();
    let visible = Condition::any().add(sanction::Column::SubjectCode.eq(org));
    match find_by_code(db, org).await {
        Ok(institution) => {
            let today = legal_date(Utc::now());
            let ids = affiliations::practitioner_ids_of(db, institution.id, today).await?;
            Ok(visible.add(sanction::Column::SubjectId.is_in(ids)))
        }
        Err(ApiError::NotFound(_)) => Ok(visible),
        Err(e) => Err(e),
    }
}

/// A case grounds a sanction on `subject` when it is against that subject, or when it is a practitioner's
/// case whose losses the named institution bears (seed 003: 由定点医疗机构承担).
fn grounds(case: &violation::Model, subject: &subject::Model) -> bool {
    case.subject_id == subject.id
        || (case.institution_liable
            && case.subject_kind == SubjectKind::Practitioner.as_str()
            && case.institution_code.as_deref() == Some(subject.code.as_str()))
}

async fn check_violations<C: ConnectionTrait>(
    db: &C,
    subject: &subject::Model,
    ids: &[i64],
    errors: &mut FieldErrors,
) -> ApiResult<()> {
    if ids.len() > MAX_VIOLATIONS {
        errors.add("violation_ids", format!("at most {MAX_VIOLATIONS} cases"));
        return Ok(());
    }
    // Shared row locks on PostgreSQL: a case cannot be voided between this check and the commit.
    let cases: HashMap<i64, violation::Model> = violation::Entity::find()
        .filter(violation::Column::Id.is_in(ids.iter().copied()))
        .lock_shared()
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let approved = CaseState::Approved.as_str();
    let mut seen = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("violation_ids[{i}]");
        match cases.get(id) {
            _ if !seen.insert(id) => errors.add(&field, format!("case {id} is listed twice")),
            None => errors.add(&field, format!("no case with id {id}")),
            Some(case) if !grounds(case, subject) => {
                let owner = &case.subject_code;
                errors.add(
                    &field,
                    format!("case {id} is against {owner}, not this subject"),
                );
            }
            Some(case) if case.state != approved => {
                let state = &case.state;
                errors.add(
                    &field,
                    format!("case {id} is {state}; only approved cases count"),
                );
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Imposes a sanction: the row, its links to the cases and the audit row commit together.
pub async fn create(
    state: &AppState,
    actor: &AuthUser,
    input: NewSanction,
) -> ApiResult<SanctionView> {
    actor.require(&WRITERS)?;
    let reason = input.reason.trim().to_string();
    let policy = &state.config.policy;
    let txn = state.db.begin_write().await?;
    let target = find_by_code(&*txn, input.subject_code.trim()).await?;
    let mut errors = FieldErrors::default();
    let terms = Terms {
        kind: kind_of(&target),
        sanction_type: input.sanction_type,
        scope: input.scope,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        amount_fen: input.amount_fen,
    };
    let scope = check_terms(&terms, policy).unwrap_or_else(|broken| {
        for (field, message) in broken {
            errors.add(field, message);
        }
        None
    });
    check_violations(&*txn, &target, &input.violation_ids, &mut errors).await?;
    errors.check("reason", check_reason(&reason));
    errors.finish()?;

    let now = state.clock.now();
    let model = sanction::ActiveModel {
        subject_id: Set(target.id),
        subject_code: Set(target.code.clone()),
        sanction_type: Set(input.sanction_type.as_str().to_string()),
        scope: Set(scope.map(|s| s.as_str().to_string())),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        ban_until: Set(input.sanction_type.ban_until(input.starts_on, policy)),
        amount_fen: Set(input.amount_fen),
        reason: Set(reason),
        automatic: Set(false),
        threshold_key: Set(None),
        created_by: Set(actor.sub.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    sanction_violation::Entity::insert_many(input.violation_ids.iter().map(|&violation_id| {
        sanction_violation::ActiveModel {
            sanction_id: Set(model.id),
            violation_id: Set(violation_id),
        }
    }))
    .exec_without_returning(&*txn)
    .await?;
    let view = view_of(&*txn, model, legal_date(now), actor).await?;
    let change = serde_json::to_value(&view).unwrap_or_default();
    audit::append(&*txn, actor, "sanction.create", &target.code, &change).await?;
    txn.commit().await?;
    Ok(view)
}

#[derive(Clone, Copy, Debug)]
pub enum Ending {
    /// Ends it from today (UTC+8) on; refused once lifted, revoked or expired.
    Lift,
    /// Withdraws it as if it never counted; refused once revoked.
    Revoke,
}

/// Lifts or revokes a sanction, with its audit row.
pub async fn end(
    state: &AppState,
    actor: &AuthUser,
    id: i64,
    body: SanctionAction,
    ending: Ending,
) -> ApiResult<SanctionView> {
    actor.require(&WRITERS)?;
    let reason = body.reason.trim().to_string();
    let mut errors = FieldErrors::default();
    errors.check("reason", check_reason(&reason));
    errors.finish()?;
    let now = state.clock.now();
    let today = legal_date(now);
    let txn = state.db.begin_write().await?;
    let current = find(&*txn, id, true).await?;
    if current.revoked_at.is_some() {
        return Err(ApiError::Conflict(format!("sanction {id} is revoked")));
    }
    let mut model: sanction::ActiveModel = current.clone().into();
    let (action, change) = match ending {
        Ending::Lift => {
            let now_status = status_of(&current, today);
            if matches!(now_status, SanctionStatus::Lifted | SanctionStatus::Expired) {
                return Err(ApiError::Conflict(format!("sanction {id} is {now_status}")));
            }
            model.lifted_on = Set(Some(today));
            model.lifted_reason = Set(Some(reason.clone()));
            let change = json!({"id": id, "lifted_on": today, "reason": reason});
            ("sanction.lift", change)
        }
        Ending::Revoke => {
            model.revoked_at = Set(Some(now));
            model.revoked_reason = Set(Some(reason.clone()));
            let change = json!({"id": id, "revoked_at": now, "reason": reason});
            ("sanction.revoke", change)
        }
    };
    model.updated_at = Set(now);
    let updated = model.update(&*txn).await?;
    audit::append(&*txn, actor, action, &updated.subject_code, &change).await?;
    let view = view_of(&*txn, updated, today, actor).await?;
    txn.commit().await?;
    Ok(view)
}
