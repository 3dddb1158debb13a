//! The figures of the public statistics page, cut from the same disclosure decision as `/public/v1/stats`:
//! the prefecture table is the year's public cube (`read::stats::public_cube`) cell for cell; cases by month and
//! sanctions by type are read from the statistics counters, never from the cases, and withheld under
//! `domain::stats::disclosure` — a month beside the nation's yearly total the cube publishes (or withholds), the
//! agreements suspended and terminated as the cube's nation cells. Grades are folded from the standings on the
//! day. Organisations (institutions and pharmacies) only, never a person; every figure resting on 1 to
//! `stats.public_min_subjects` − 1 organisations withheld.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::dates::{cycle_of_date, start_of_legal_day_utc};
use crate::domain::masking::Audience;
use crate::domain::regions::division_name;
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::{Grade, SubjectKind};
use crate::domain::standing::{StandingFacts, standing_on};
use crate::domain::stats::Dimension;
use crate::domain::stats::Metric as M;
use crate::domain::stats::disclosure::withheld_parts;
use crate::pages::public_stats::{Cell, PrefectureRow, PublicFigures};
use crate::read::stats::figures::started;
use crate::read::stats::public;
use crate::read::stats::public_cube::{Cube, Place};
use crate::read::stats::query::{Figure, Filter};
use crate::read::stats::{self as stats, cells};
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{facts_of, last_seq, load_facts_many};
use entity::{standing, subject};

const ORGANISATIONS: [SubjectKind; 2] = [SubjectKind::Institution, SubjectKind::Pharmacy];

fn organisation_kinds() -> Vec<String> {
    ORGANISATIONS.iter().map(ToString::to_string).collect()
}

const CASES: &[Figure] = &[Figure::flow("cases_approved", &[M::CaseApproved])];
const SANCTIONS: &[Figure] = &[started("started", &[])];

/// A cube's cell as the page prints it.
fn page_cell(cell: Option<&stats::Cell>) -> Cell {
    match cell {
        Some(stats::Cell::Count(n)) => Cell::Count(u64::try_from(*n).unwrap_or(0)),
        Some(stats::Cell::Hidden(_)) => Cell::Suppressed,
        None => Cell::Count(0),
    }
}

/// The figures of `year` (a year up to the current one, China Standard Time), read in one snapshot.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    year: i32,
) -> ServiceResult<PublicFigures> {
    let first = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let as_of = (first(year + 1) - Days::new(1)).min(cx.today());
    let min = cx.policy().stats.public_min_subjects;
    let request = |dims, year| public::request(cx, dims, year, Filter::default(), None);
    let cube = Cube::read(db, &request(vec![Dimension::Prefecture], year)).await?;
    let last_cube = Cube::read(db, &request(vec![Dimension::Prefecture], year - 1)).await?;

    let prefectures = cube
        .prefectures()
        .map(|(_, code)| {
            let values = cube.values(&Place::Prefecture(code.to_string()));
            // The names of `read::stats::public::PUBLIC`, the cube's figures.
            let cell = |name: &str| page_cell(values.get(name));
            PrefectureRow {
                code: code.to_string(),
                name: division_name(code).unwrap_or_else(|| code.to_string()),
                cases_approved: cell("cases_approved"),
                amount_recovered_fen: cell("amount_recovered_fen"),
                agreements_suspended: cell("agreements_suspended"),
                agreements_terminated: cell("agreements_terminated"),
                black_list: cell("black_list_entries"),
            }
        })
        .collect();

    let registered_by = start_of_legal_day_utc(as_of + Days::new(1));
    let organisations = organisations(db, registered_by).await?;
    Ok(PublicFigures {
        year,
        as_of,
        as_of_seq: last_seq(db).await?,
        suppressed_below: min,
        cases_by_month: months(db, cx, year, &cube).await?,
        cases_by_month_last_year: months(db, cx, year - 1, &last_cube).await?,
        sanctions_by_type: sanctions(db, cx, year, &cube).await?,
        grade_distribution: grades(db, cx, &organisations, as_of)
            .await?
            .into_iter()
            .map(|(grade, n)| {
                (
                    grade,
                    Cell::of(n, i64::try_from(n).unwrap_or(i64::MAX), min),
                )
            })
            .collect(),
        prefectures,
    })
}

/// Cases approved in each month of `year`, from the counters, withheld beside the year's national total as
/// `cube` (that year's) publishes or withholds it.
async fn months<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    year: i32,
    cube: &Cube,
) -> ServiceResult<[Cell; 12]> {
    let r = stats::Request {
        figures: CASES,
        ..public::request(cx, vec![Dimension::Month], year, Filter::default(), None)
    };
    let mut measured = [(0_u64, 0_i64); 12];
    for (key, figures) in cells(db, &r, (r.from, r.to)).await? {
        let month = key.first().and_then(|m| m.get(5..7)?.parse::<usize>().ok());
        if let (Some(month @ 1..=12), Some(m)) = (month, figures.get(CASES[0].name)) {
            measured[month - 1] = (u64::try_from(m.total).unwrap_or(0), m.subjects);
        }
    }
    let total_withheld = cube.withholds(CASES[0].name, &Place::Nation);
    let subjects = measured.map(|(_, subjects)| subjects);
    let min = i64::from(r.cells.min_subjects);
    let withheld = withheld_parts(&subjects, total_withheld, min);
    let mut out = [Cell::Count(0); 12];
    for (i, (total, _)) in measured.into_iter().enumerate() {
        out[i] = if withheld[i] {
            Cell::Suppressed
        } else {
            Cell::Count(total)
        };
    }
    Ok(out)
}

/// Sanctions of organisations started in `year`, by type, of the types that have any: each withheld when it
/// rests on too few; the agreements suspended and terminated are the cube's nation cells, withheld as it
/// withholds them. No total over the types is printed, so nothing is withheld beside them.
async fn sanctions<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    year: i32,
    cube: &Cube,
) -> ServiceResult<Vec<(SanctionType, Cell)>> {
    let r = stats::Request {
        figures: SANCTIONS,
        ..public::request(
            cx,
            vec![Dimension::SanctionType],
            year,
            Filter::default(),
            None,
        )
    };
    let by_type: HashMap<String, _> = cells(db, &r, (r.from, r.to))
        .await?
        .into_iter()
        .filter_map(|(key, figures)| {
            Some((key.into_iter().next()?, *figures.get(SANCTIONS[0].name)?))
        })
        .collect();
    let nation = cube.values(&Place::Nation);
    Ok(SanctionType::ALL
        .iter()
        .filter_map(|ty| {
            let m = by_type
                .get(ty.as_str())
                .filter(|m| m.total != 0 || m.subjects > 0)?;
            let cell = match ty {
                SanctionType::AgreementSuspension => page_cell(nation.get("agreements_suspended")),
                SanctionType::AgreementTermination => {
                    page_cell(nation.get("agreements_terminated"))
                }
                _ => Cell::of(
                    u64::try_from(m.total).unwrap_or(0),
                    m.subjects,
                    r.cells.min_subjects,
                ),
            };
            Some((*ty, cell))
        })
        .collect())
}

/// Organisations registered before `registered_by`, by id, with their kind.
async fn organisations<C: ConnectionTrait>(
    db: &C,
    registered_by: DateTime<Utc>,
) -> ServiceResult<HashMap<i64, SubjectKind>> {
    let rows = subject::Entity::find()
        .select_only()
        .columns([subject::Column::Id, subject::Column::Kind])
        .filter(subject::Column::Kind.is_in(organisation_kinds()))
        .filter(subject::Column::CreatedAt.lt(registered_by))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind)| {
            let kind = ORGANISATIONS.into_iter().find(|k| k.to_string() == kind)?;
            Some((id, kind))
        })
        .collect())
}

/// How many organisations hold each grade on `as_of`, as the public would see their standing: from the
/// standings rows for a day of their cycle, from that cycle's ledger folded for an earlier year.
async fn grades<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    organisations: &HashMap<i64, SubjectKind>,
    as_of: NaiveDate,
) -> ServiceResult<Vec<(Grade, u64)>> {
    let mut facts: Vec<StandingFacts> = Vec::new();
    let mut earlier: Vec<(i64, SubjectKind)> = Vec::new();
    let rows = standing::Entity::find()
        .filter(standing::Column::Kind.is_in(organisation_kinds()))
        .all(db)
        .await?;
    let mut seen = HashSet::new();
    for row in &rows {
        let Some(kind) = organisations.get(&row.subject_id) else {
            continue;
        };
        seen.insert(row.subject_id);
        let stored = facts_of(row)?;
        if stored.covers(as_of) {
            facts.push(stored);
        } else {
            earlier.push((row.subject_id, *kind));
        }
    }
    // An organisation without a row yet stands on its ledger, folded.
    earlier.extend(
        organisations
            .iter()
            .filter(|(id, _)| !seen.contains(*id))
            .map(|(id, kind)| (*id, *kind)),
    );
    if !earlier.is_empty() {
        let folded = load_facts_many(db, &earlier, cycle_of_date(as_of)).await?;
        facts.extend(folded.into_values());
    }
    let mut counts: HashMap<Grade, u64> = HashMap::new();
    for f in &facts {
        let standing = standing_on(&f.for_audience(Audience::Public), as_of, cx.policy());
        if let Some(grade) = standing.grade {
            *counts.entry(grade).or_default() += 1;
        }
    }
    Ok(Grade::ALL
        .iter()
        .map(|g| (*g, counts.get(g).copied().unwrap_or(0)))
        .collect())
}
