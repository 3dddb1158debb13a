//! The daily quota of person look-ups (DESIGN §14): every read of a person by a reader who sees people masked
//! (a single read, or a screening row) counts against its principal's quota for the day (UTC+8). A masked ID
//! number leaves a few thousand candidates; the quota keeps a partner from walking them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::dates::start_of_legal_day_utc;
use crate::domain::masking::Audience;
use crate::domain::roles::Role;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult};
use entity::lookup_quota;

/// Spends `n` look-ups of `reader`'s quota for today, or refuses all of them with 429 when they would pass
/// it. Readers who do not see people masked have no quota.
pub async fn spend<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    n: u64,
) -> ServiceResult<()> {
    if reader.audience() != Audience::Masked || n == 0 {
        return Ok(());
    }
    let (principal, day) = (reader.principal_key(), cx.today());
    let limit = i64::from(cx.policy().screenings.daily_person_lookups);
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    lookup_quota::Entity::insert(lookup_quota::ActiveModel {
        principal: Set(principal.clone()),
        day: Set(day),
        used: Set(0),
    })
    .on_conflict(
        OnConflict::columns([lookup_quota::Column::Principal, lookup_quota::Column::Day])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    // One statement checks and spends, so two requests at once cannot both take the last look-ups.
    let spent = lookup_quota::Entity::update_many()
        .col_expr(
            lookup_quota::Column::Used,
            Expr::col(lookup_quota::Column::Used).add(n),
        )
        .filter(lookup_quota::Column::Principal.eq(principal.as_str()))
        .filter(lookup_quota::Column::Day.eq(day))
        .filter(Expr::col(lookup_quota::Column::Used).add(n).lte(limit))
        .exec(db)
        .await?;
    if spent.rows_affected == 1 {
        return Ok(());
    }
    let resets_at = next_midnight(cx.now, day);
    Err(ServiceError::QuotaExceeded {
        detail: crate::i18n::msg!(
            "quota-used-up",
            limit = limit,
            n = n,
            resets_at = resets_at.to_rfc3339()
        ),
        retry_after: u64::try_from(Ord::max((resets_at - cx.now).num_seconds(), 1)).unwrap_or(1),
    })
}

/// The start of the day after `day` in UTC+8, when a quota resets.
fn next_midnight(now: DateTime<Utc>, day: NaiveDate) -> DateTime<Utc> {
    day.succ_opt()
        .map_or(now + Duration::days(1), start_of_legal_day_utc)
}

/// A principal's quota on one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaView {
    pub issuer: String,
    #[schema(value_type = crate::domain::roles::Role)]
    pub role: String,
    pub org: Option<String>,
    pub sub: String,
    /// The day (UTC+8) the count is for.
    pub day: NaiveDate,
    pub used: i64,
    pub limit: i64,
    pub remaining: i64,
    pub resets_at: DateTime<Utc>,
}

/// Today's quotas: a partner its own, an admin every principal's.
pub async fn today<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
) -> ServiceResult<Vec<QuotaView>> {
    reader.require(&[Role::Partner])?;
    let day = cx.today();
    let limit = i64::from(cx.policy().screenings.daily_person_lookups);
    let mut select = lookup_quota::Entity::find()
        .filter(lookup_quota::Column::Day.eq(day))
        .order_by_asc(lookup_quota::Column::Principal);
    if reader.role != Role::Admin {
        select = select.filter(lookup_quota::Column::Principal.eq(reader.principal_key()));
    }
    let rows = select.all(db).await?;
    let view = |principal: &str, used: i64| -> ServiceResult<QuotaView> {
        let (issuer, role, org, sub): (String, String, Option<String>, String) =
            serde_json::from_str(principal)
                .map_err(|e| ServiceError::corrupt("lookup_quotas", principal, e))?;
        Ok(QuotaView {
            issuer,
            role,
            org,
            sub,
            day,
            used,
            limit,
            remaining: Ord::max(limit - used, 0),
            resets_at: next_midnight(cx.now, day),
        })
    };
    let mut views = rows
        .iter()
        .map(|r| view(&r.principal, r.used))
        .collect::<ServiceResult<Vec<_>>>()?;
    if views.is_empty() && reader.role == Role::Partner {
        views.push(view(&reader.principal_key(), 0)?);
    }
    Ok(views)
}
