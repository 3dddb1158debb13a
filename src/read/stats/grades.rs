//! `GET /api/v1/stats/grades`: how many organisations hold each grade, and how many practitioners fall in each
//! points band, on a day. Read from the materialised `standings` table — one row per subject, the facts of its
//! current cycle already gathered — folded in memory for the day asked: one pass over organisations and
//! practitioners, never over cases. A day of an earlier cycle would need every subject's ledger of that
//! cycle, so it is refused.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::query::Measured;
use super::{Cell, StatRow, group};
use crate::domain::masking::Audience;
use crate::domain::regions::{Level, prefecture_of, province_of};
use crate::domain::scoring::{Grade, SubjectKind};
use crate::domain::standing::standing_on;
use crate::domain::stats::{Dimension, SmallCells, parse_dimensions};
use crate::i18n::msg;
use crate::pagination::PageRequest;
use crate::shared::context::Ctx;
use crate::shared::error::{FieldErrors, ServiceError, ServiceResult};
use crate::shared::facts::facts_of;
use entity::standing;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GradesQuery {
    /// The day (UTC+8), default today; a day of the current credit cycle or later.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub date: Option<NaiveDate>,
    /// A county, prefecture or province code.
    #[param(pattern = "^[0-9]{6}$")]
    pub region: Option<String>,
    pub subject_kind: Option<SubjectKind>,
    /// One or two of `region`, `prefecture`, `province`, `subject_kind`.
    #[param(
        pattern = "^(region|prefecture|province|subject_kind)(,(region|prefecture|province|subject_kind))?$"
    )]
    pub group_by: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The distribution on one day: each row's `values` has `grade_A`…`grade_D` (organisations) and
/// `points_0`, `points_1-5`… (practitioners, the policy's bands).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GradesAnswer {
    pub seq: i64,
    pub date: NaiveDate,
    pub group_by: Vec<Dimension>,
    pub figures: Vec<String>,
    pub items: Vec<StatRow>,
    pub next_cursor: Option<String>,
}

/// The figure names of the distribution, in order.
pub fn figure_names(cx: &Ctx) -> Vec<String> {
    let bands = &cx.policy().stats;
    let mut names: Vec<String> = Grade::ALL.iter().map(|g| format!("grade_{g}")).collect();
    for &top in &bands.points_band_tops {
        names.push(format!("points_{}", bands.points_band(top)));
    }
    let above = bands.points_band_tops.last().map_or(0, |top| top + 1);
    names.push(format!("points_{}", bands.points_band(above)));
    names
}

/// Counts per group of subjects in each grade or band on `date`, for `audience` (publication is part of it).
pub async fn distribution<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    (date, audience): (NaiveDate, Audience),
    place: Option<(Level, String)>,
    kinds: &[SubjectKind],
    dims: &[Dimension],
) -> ServiceResult<BTreeMap<Vec<String>, BTreeMap<String, i64>>> {
    let rows = standing::Entity::find()
        .filter(standing::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .all(db)
        .await?;
    let mut out: BTreeMap<Vec<String>, BTreeMap<String, i64>> = BTreeMap::new();
    if dims.is_empty() {
        out.insert(Vec::new(), BTreeMap::new());
    }
    let policy = cx.policy();
    for row in rows {
        let province = province_of(&row.region).map(|d| d.code).unwrap_or_default();
        let prefecture = prefecture_of(&row.region).map_or_else(|| province.clone(), |d| d.code);
        let inside = match &place {
            None => true,
            Some((Level::County, code)) => &row.region == code,
            Some((Level::Prefecture, code)) => &prefecture == code,
            Some((Level::Province, code)) => &province == code,
        };
        if !inside {
            continue;
        }
        let facts = facts_of(&row)?;
        if !facts.covers(date) {
            return Err(ServiceError::validation(
                "date",
                msg!("stats-grades-earlier-cycle"),
            ));
        }
        let s = standing_on(&facts.for_audience(audience), date, policy);
        let figure = match (s.grade, s.points) {
            (Some(grade), _) => format!("grade_{grade}"),
            (None, Some(points)) => format!("points_{}", policy.stats.points_band(points)),
            (None, None) => continue,
        };
        let key = dims
            .iter()
            .map(|d| match d {
                Dimension::Region => row.region.clone(),
                Dimension::Prefecture => prefecture.clone(),
                Dimension::Province => province.clone(),
                _ => row.kind.clone(),
            })
            .collect();
        *out.entry(key).or_default().entry(figure).or_default() += 1;
    }
    Ok(out)
}

/// The rows of a distribution, each cell counting subjects: hidden when too few, by `cells`.
pub fn rows(
    names: &[String],
    dims: &[Dimension],
    counts: BTreeMap<Vec<String>, BTreeMap<String, i64>>,
    cells: SmallCells,
) -> Vec<StatRow> {
    counts
        .into_iter()
        .map(|(key, counts)| {
            let values = names
                .iter()
                .map(|name| {
                    let n = counts.get(name).copied().unwrap_or(0);
                    let persons = if name.starts_with("points_") { n } else { 0 };
                    let m = Measured {
                        total: n,
                        subjects: n,
                        persons,
                    };
                    (name.clone(), super::cell(cells, m))
                })
                .collect::<BTreeMap<String, Cell>>();
            StatRow {
                group: group(dims, &key),
                values,
                previous: None,
                change: None,
            }
        })
        .collect()
}

pub async fn read<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    query: GradesQuery,
) -> ServiceResult<GradesAnswer> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let date = query.date.unwrap_or_else(|| cx.today());
    let mut errors = FieldErrors::default();
    let dims = match query.group_by.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => match parse_dimensions(text) {
            Ok(dims)
                if dims
                    .iter()
                    .all(|d| d.is_place() || *d == Dimension::SubjectKind) =>
            {
                dims
            }
            Ok(_) => {
                errors.add(
                    "group_by",
                    msg!("stats-group-by-unknown", word = text.to_string()),
                );
                Vec::new()
            }
            Err(word) => {
                errors.add("group_by", msg!("stats-group-by-unknown", word = word));
                Vec::new()
            }
        },
    };
    let place = super::figures::place(query.region.as_deref(), &mut errors);
    errors.finish()?;
    let seq = crate::shared::facts::last_seq(db).await?;
    let kinds: Vec<SubjectKind> = match query.subject_kind {
        Some(kind) => vec![kind],
        None => vec![
            SubjectKind::Institution,
            SubjectKind::Pharmacy,
            SubjectKind::Practitioner,
        ],
    };
    let counts = distribution(db, cx, (date, Audience::Full), place, &kinds, &dims).await?;
    let names = figure_names(cx);
    let rows = rows(&names, &dims, counts, super::staff_cells(cx));
    let page = super::paged(rows, page);
    Ok(GradesAnswer {
        seq,
        date,
        group_by: dims,
        figures: names,
        items: page.items,
        next_cursor: page.next_cursor,
    })
}
