//! The public statistics (`GET /public/v1/stats`, and the figures of the page `/public/stats`): organisations
//! only — institutions and pharmacies, never a person — by province, prefecture and year, every cell resting
//! on fewer than the policy's minimum of subjects shown as `<N>`, and only published black-list entries.

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use utoipa::IntoParams;

use super::figures::started;
use super::public_cube::{Cube, Place};
use super::query::{Figure, Filter};
use super::{Request, StatRow, StatsAnswer, figure_names, public_cells};
use crate::domain::regions::Level;
use crate::domain::sanctions::SanctionType as S;
use crate::domain::scoring::SubjectKind;
use crate::domain::stats::{Compare, Dimension, Metric as M, parse_dimensions};
use crate::i18n::msg;
use crate::pagination::PageRequest;
use crate::shared::context::Ctx;
use crate::shared::error::{FieldErrors, ServiceResult};
use std::collections::BTreeSet;

const ORGANISATIONS: [SubjectKind; 2] = [SubjectKind::Institution, SubjectKind::Pharmacy];

/// The public figures: cases approved, the amount to recover on them, agreements suspended and terminated,
/// and published black-list entries.
pub const PUBLIC: &[Figure] = &[
    Figure::flow("cases_approved", &[M::CaseApproved]),
    Figure::flow("amount_recovered_fen", &[M::AmountToRecoverFen]),
    started("agreements_suspended", &[S::AgreementSuspension]),
    started("agreements_terminated", &[S::AgreementTermination]),
    Figure::flow("black_list_entries", &[M::BlackPublished]),
];

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicStatsQuery {
    /// The year (UTC+8), default this year.
    #[param(minimum = 1900, maximum = 2199)]
    pub year: Option<i32>,
    /// A province or prefecture code to narrow to.
    #[param(pattern = "^[0-9]{6}$")]
    pub region: Option<String>,
    /// One or two of `province`, `prefecture`, `year` (default `prefecture`).
    #[param(pattern = "^(province|prefecture|year)(,(province|prefecture|year))?$")]
    pub group_by: Option<String>,
    /// `previous_year` adds the year before and the change.
    pub compare: Option<Compare>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    (first, last)
}

pub(crate) fn request(
    cx: &Ctx,
    dims: Vec<Dimension>,
    year: i32,
    filter: Filter,
    compare: Option<Compare>,
) -> Request<'static> {
    let (from, to) = year_bounds(year);
    Request {
        figures: PUBLIC,
        filter: Filter {
            kinds: Some(ORGANISATIONS.to_vec()),
            ..filter
        },
        dims,
        from,
        to,
        compare,
        cells: public_cells(cx),
    }
}

/// `GET /public/v1/stats`.
pub async fn read<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    query: PublicStatsQuery,
) -> ServiceResult<StatsAnswer> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut errors = FieldErrors::default();
    let year = query.year.unwrap_or_else(|| cx.today().year());
    if !(1900..=2199).contains(&year) {
        errors.add("year", msg!("stats-year-out-of-range"));
    }
    let allowed = [Dimension::Province, Dimension::Prefecture, Dimension::Year];
    let dims = match parse_dimensions(query.group_by.as_deref().unwrap_or("prefecture")) {
        Ok(dims) if dims.iter().all(|d| allowed.contains(d)) => dims,
        _ => {
            let word = query.group_by.clone().unwrap_or_default();
            errors.add("group_by", msg!("stats-group-by-unknown", word = word));
            Vec::new()
        }
    };
    let place = super::figures::place(query.region.as_deref(), &mut errors);
    if let Some((Level::County, _)) = place {
        errors.add("region", msg!("stats-public-region-level"));
    }
    errors.finish()?;
    let seq = crate::shared::facts::last_seq(db).await?;
    let r = request(cx, dims, year, Filter::default(), query.compare);
    let now = Cube::read(db, &r).await?;
    let before = match query.compare {
        Some(_) => {
            let last_year = request(cx, r.dims.clone(), year - 1, Filter::default(), None);
            Some(Cube::read(db, &last_year).await?)
        }
        None => None,
    };
    let rows = rows(&r.dims, place, year, &now, before.as_ref());
    let page = super::paged(rows, page);
    let previous = query.compare.map(|_| year_bounds(year - 1));
    Ok(StatsAnswer {
        seq,
        from: r.from,
        to: r.to,
        figures: figure_names(&r),
        group_by: r.dims,
        compare: query.compare,
        previous_from: previous.map(|p| p.0),
        previous_to: previous.map(|p| p.1),
        items: page.items,
        next_cursor: page.next_cursor,
    })
}

/// The rows of a public answer, each a place of the cube labelled by the dimensions asked for: prefectures
/// (grouped by prefecture), provinces (by province), or the region asked for, else the nation. A prefecture
/// asked for is its own cell whatever the grouping.
fn rows(
    dims: &[Dimension],
    region: Option<(Level, String)>,
    year: i32,
    now: &Cube,
    before: Option<&Cube>,
) -> Vec<StatRow> {
    let cubes = || std::iter::once(now).chain(before);
    let in_region = |province: &str, prefecture: &str| match &region {
        Some((Level::Province, code)) => province == code,
        Some((_, code)) => prefecture == code,
        None => true,
    };
    let places: Vec<(String, Place)> = if dims.contains(&Dimension::Prefecture)
        || matches!(region, Some((Level::Prefecture, _)))
    {
        let found: BTreeSet<(String, String)> = cubes()
            .flat_map(|c| c.prefectures())
            .filter(|(province, prefecture)| in_region(province, prefecture))
            .map(|(province, prefecture)| (province.to_string(), prefecture.to_string()))
            .collect();
        found
            .into_iter()
            .map(|(province, prefecture)| (province, Place::Prefecture(prefecture)))
            .collect()
    } else if dims.contains(&Dimension::Province) {
        let found: BTreeSet<String> = cubes()
            .flat_map(|c| c.provinces())
            .filter(|province| in_region(province, ""))
            .map(str::to_string)
            .collect();
        found
            .into_iter()
            .map(|province| (province.clone(), Place::Province(province)))
            .collect()
    } else {
        match region {
            Some((_, code)) => vec![(code.clone(), Place::Province(code))],
            None => vec![(String::new(), Place::Nation)],
        }
    };
    places
        .into_iter()
        .map(|(province, place)| {
            let key: Vec<String> = dims
                .iter()
                .map(|d| match (d, &place) {
                    (Dimension::Year, _) => format!("{year:04}"),
                    (Dimension::Prefecture, Place::Prefecture(code)) => code.clone(),
                    _ => province.clone(),
                })
                .collect();
            let values = now.values(&place);
            let previous = before.map(|b| b.values(&place));
            let change = previous.as_ref().map(|p| super::change(&values, p));
            StatRow {
                group: super::group(dims, &key),
                values,
                previous,
                change,
            }
        })
        .collect()
}
