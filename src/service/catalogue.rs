//! The versioned violation-type catalogue (违规行为目录, DESIGN §3): the default entries shipped in
//! `data/catalogue.json`, the version in force on a date, and new versions that close the one before.

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::identifiers::validate_name;
use crate::domain::policy::{Policy, Scale, Severity};
use crate::domain::scoring::SubjectKind;
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::audit;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::writer::Writer;
use entity::violation_type;

const DEFAULT_CATALOGUE: &str = include_str!("../../data/catalogue.json");

/// A new catalogue entry or a new version of one; also the shape of each entry of `data/catalogue.json`.
/// Catalogue versions are policy: admins only.
pub const EDITORS: [crate::domain::roles::Role; 0] = [];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewViolationType {
    /// Uppercase letters, digits and `-`, 3–64 characters.
    #[schema(example = "PRAC-IRRATIONAL-PRESCRIPTION")]
    pub code: String,
    #[schema(example = "不合理处方")]
    pub name: String,
    /// Kinds on one scale: `practitioner` (12 points), `institution` and/or `pharmacy` (100 points), or `insured`.
    pub applies_to: Vec<SubjectKind>,
    pub severity: Severity,
    /// 0 for insured persons, who have no points.
    pub points_min: u32,
    pub points_max: u32,
    #[schema(example = "《医疗保障基金使用监督管理条例》第三十八条")]
    pub legal_basis: String,
    /// First day in force (UTC+8 calendar date).
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub effective_from: NaiveDate,
    /// Last day in force, inclusive; omit while open-ended.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub effective_to: Option<NaiveDate>,
    /// Insured types only: approval suspends networked settlement (条例 art. 41).
    #[serde(default)]
    pub insured_settlement_suspension: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationTypeView {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub applies_to: Vec<SubjectKind>,
    pub severity: Severity,
    pub points_min: u32,
    pub points_max: u32,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    /// Last day in force, inclusive; absent (null) while current.
    pub effective_to: Option<NaiveDate>,
    pub insured_settlement_suspension: bool,
}

impl TryFrom<violation_type::Model> for ViolationTypeView {
    type Error = ServiceError;

    /// Rows are only written after validation, so anything unreadable is hand-edited data: an error naming
    /// the row, never a guessed severity or range.
    fn try_from(model: violation_type::Model) -> ServiceResult<Self> {
        let range = |n: i32| {
            u32::try_from(n).map_err(|_| {
                ServiceError::corrupt("violation_types", model.id, format!("points bound {n}"))
            })
        };
        Ok(Self {
            applies_to: applies_to(&model)?,
            severity: column("violation_types", model.id, &model.severity)?,
            points_min: range(model.points_min)?,
            points_max: range(model.points_max)?,
            code: model.code,
            version: model.version,
            name: model.name,
            legal_basis: model.legal_basis,
            effective_from: model.effective_from,
            effective_to: model.effective_to,
            insured_settlement_suspension: model.insured_settlement_suspension,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ViolationTypeQuery {
    /// Only types that apply to this kind of subject.
    pub kind: Option<SubjectKind>,
    /// Only the versions in force on this date (YYYY-MM-DD); without it every version is listed.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub as_of: Option<NaiveDate>,
    /// Only this code.
    pub code: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub fn applies_to(model: &violation_type::Model) -> ServiceResult<Vec<SubjectKind>> {
    model
        .applies_to
        .split(',')
        .map(|kind| column("violation_types", model.id, kind.trim()))
        .collect()
}

/// Versions whose `effective_from..=effective_to` contains `day`.
fn in_force_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(violation_type::Column::EffectiveFrom.lte(day))
        .add(
            Condition::any()
                .add(violation_type::Column::EffectiveTo.is_null())
                .add(violation_type::Column::EffectiveTo.gte(day)),
        )
}

pub async fn in_force<C: ConnectionTrait>(
    db: &C,
    code: &str,
    on: NaiveDate,
) -> Result<Option<violation_type::Model>, DbErr> {
    violation_type::Entity::find()
        .filter(violation_type::Column::Code.eq(code))
        .filter(in_force_on(on))
        .order_by_desc(violation_type::Column::Version)
        .one(db)
        .await
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    query: ViolationTypeQuery,
) -> ServiceResult<Page<ViolationTypeView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = violation_type::Entity::find()
        .order_by_asc(violation_type::Column::Code)
        .order_by_asc(violation_type::Column::Version);
    if let Some(code) = &query.code {
        select = select.filter(violation_type::Column::Code.eq(code.as_str()));
    }
    if let Some(day) = query.as_of {
        select = select.filter(in_force_on(day));
    }
    // The catalogue is tens of rows; filtering the comma-separated kinds here avoids LIKE on both backends.
    let views = select
        .all(db)
        .await?
        .into_iter()
        .map(ViolationTypeView::try_from)
        .collect::<ServiceResult<Vec<_>>>()?;
    // So the cursor is a position in this order (code, version) rather than an id: the catalogue is read
    // whole anyway, and a version added between two pages is the only thing that can shift it.
    let matching = views
        .into_iter()
        .filter(|v| query.kind.is_none_or(|k| v.applies_to.contains(&k)))
        .enumerate()
        .skip(usize::try_from(page.after).unwrap_or(usize::MAX))
        .take(page.fetch_limit() as usize)
        .collect();
    Ok(page.page(matching, |(i, _)| *i as i64 + 1, |(_, v)| v))
}

/// Point bounds of a scale under `policy`; `None` (insured) has no points at all.
fn points_bounds(scale: Option<Scale>, policy: &Policy) -> (u32, u32) {
    match scale {
        Some(Scale::Twelve) => (1, policy.practitioner.annual_points),
        Some(Scale::Hundred) => (1, policy.organisation.base_score),
        None => (0, 0),
    }
}

/// Dates outside these years are typos, and PostgreSQL and SQLite would not agree on storing them.
fn check_date(day: NaiveDate) -> Result<(), crate::i18n::Msg> {
    use chrono::Datelike;
    if (1900..=9999).contains(&day.year()) {
        Ok(())
    } else {
        Err(msg!("must-be-a-date-between-1900-01"))
    }
}

/// Every field problem of `input` at once.
fn validate(input: &NewViolationType, policy: &Policy) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    let code_ok = (3..=64).contains(&input.code.len())
        && input
            .code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !code_ok {
        errors.add("code", msg!("must-be-3-to-64-uppercase-letters"));
    }
    errors.check("name", validate_name(input.name.trim()));
    let basis = input.legal_basis.trim().chars().count();
    if !(1..=500).contains(&basis) {
        errors.add("legal_basis", msg!("must-be-1-to-500-characters"));
    }

    let kinds = &input.applies_to;
    let mut scale = None;
    if kinds.is_empty() {
        errors.add("applies_to", msg!("must-name-at-least-one-kind-of"));
    } else if kinds
        .iter()
        .enumerate()
        .any(|(i, k)| kinds[..i].contains(k))
    {
        errors.add("applies_to", msg!("must-not-repeat-a-kind"));
    } else if kinds.iter().any(|k| k.scale() != kinds[0].scale()) {
        errors.add(
            "applies_to",
            msg!("mixes-point-scales-practitioner-12-points-institution"),
        );
    } else {
        scale = Some(kinds[0].scale());
    }

    if input.points_min > input.points_max {
        errors.add("points_min", msg!("must-not-exceed-points-max"));
    }
    if let Some(points_scale) = scale {
        let (low, high) = points_bounds(points_scale, policy);
        let message = match points_scale {
            None => msg!("catalogue-points-insured-zero"),
            Some(_) => msg!("catalogue-points-on-scale", low = low, high = high),
        };
        for (field, value) in [
            ("points_min", input.points_min),
            ("points_max", input.points_max),
        ] {
            if !(low..=high).contains(&value) {
                errors.add(field, message.clone());
            }
        }
        if input.insured_settlement_suspension && points_scale.is_some() {
            errors.add(
                "insured_settlement_suspension",
                msg!("applies-only-to-types-for-insured-persons"),
            );
        }
    }

    errors.check("effective_from", check_date(input.effective_from));
    if let Some(to) = input.effective_to {
        errors.check("effective_to", check_date(to));
        if to < input.effective_from {
            errors.add("effective_to", msg!("must-not-be-before-effective-from"));
        }
    }
    errors.finish()
}

fn active_model(
    input: &NewViolationType,
    version: i32,
    now: DateTime<Utc>,
) -> violation_type::ActiveModel {
    let kinds: Vec<&str> = input.applies_to.iter().map(|k| k.as_str()).collect();
    violation_type::ActiveModel {
        code: Set(input.code.clone()),
        version: Set(version),
        name: Set(input.name.trim().to_string()),
        applies_to: Set(kinds.join(",")),
        severity: Set(input.severity.as_str().to_string()),
        // Validation bounds points by the policy's scale, far below i32::MAX.
        points_min: Set(i32::try_from(input.points_min).unwrap_or(i32::MAX)),
        points_max: Set(i32::try_from(input.points_max).unwrap_or(i32::MAX)),
        legal_basis: Set(input.legal_basis.trim().to_string()),
        effective_from: Set(input.effective_from),
        effective_to: Set(input.effective_to),
        insured_settlement_suspension: Set(input.insured_settlement_suspension),
        created_at: Set(now),
        ..Default::default()
    }
}

fn default_catalogue() -> Result<Vec<NewViolationType>, DbErr> {
    let entries: Vec<NewViolationType> = serde_json::from_str(DEFAULT_CATALOGUE)
        .map_err(|e| DbErr::Custom(format!("data/catalogue.json is invalid: {e}")))?;
    let policy = Policy::default();
    for entry in &entries {
        validate(entry, &policy).map_err(|e| {
            DbErr::Custom(format!("data/catalogue.json entry {}: {e:?}", entry.code))
        })?;
    }
    Ok(entries)
}

/// Inserts version 1 of every default entry whose code has no row yet. Runs at every start, so entries
/// added to the data file reach existing databases while codes an admin has versioned are left alone.
pub async fn ensure_default<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let entries = default_catalogue()?;
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Several nodes may start at once against one database; the second waits and then finds the rows.
        txn.execute_unprepared("LOCK TABLE violation_types IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let mut inserted = Vec::new();
    for entry in &entries {
        let exists = violation_type::Entity::find()
            .filter(violation_type::Column::Code.eq(entry.code.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if !exists {
            active_model(entry, 1, now).insert(&txn).await?;
            inserted.push(entry.code.clone());
        }
    }
    if !inserted.is_empty() {
        audit::append(
            &txn,
            &Actor::system("startup"),
            now,
            "catalogue.seed",
            "violation-types",
            &serde_json::json!(inserted),
        )
        .await?;
    }
    txn.commit().await
}

/// Adds a code (version 1) or a new version after the latest one, closing the latest if it is open-ended.
pub async fn create(w: &Writer, input: NewViolationType) -> ServiceResult<ViolationTypeView> {
    w.actor.require(&EDITORS)?;
    validate(&input, w.cx.policy())?;
    let txn = w.db();
    let latest = violation_type::Entity::find()
        .filter(violation_type::Column::Code.eq(input.code.as_str()))
        .order_by_desc(violation_type::Column::Version)
        .one(txn)
        .await?;
    let version = match latest {
        None => 1,
        Some(latest) => {
            let from = input.effective_from;
            if from <= latest.effective_from || latest.effective_to.is_some_and(|to| from <= to) {
                return Err(ServiceError::Conflict(msg!(
                    "version-of-is-in-force-from-to",
                    version = latest.version.to_string(),
                    code = latest.code.to_string(),
                    effective_from = latest.effective_from.to_string(),
                    detail = (latest
                        .effective_to
                        .map_or_else(|| "open end".to_string(), |to| to.to_string()))
                    .to_string()
                )));
            }
            let version = latest.version + 1;
            if latest.effective_to.is_none() {
                // `from` is after latest.effective_from, so the day before it exists and is not before that.
                let day_before = from.pred_opt().unwrap_or(from);
                let mut closing: violation_type::ActiveModel = latest.into();
                closing.effective_to = Set(Some(day_before));
                closing.update(txn).await?;
            }
            version
        }
    };
    let model = active_model(&input, version, w.cx.now).insert(txn).await?;
    w.audit("violation_type.create", &input.code, &input)
        .await?;
    model.try_into()
}

#[cfg(test)]
mod tests;
