//! Statistics (可视化监管, issue 23), read from the counters the writer keeps (`service::stats`), never from
//! the cases: figures by place, kind, type and period with the same period a year earlier beside them
//! (`table`), the public figures by province, prefecture and year (`public`), the distribution of grades and
//! points bands on a day (`grades`), and the CSV form of each (`csv`). A cell resting on too few subjects is
//! shown as `<N>`, never as its number: in public, any cell under the policy's minimum; for staff, a cell with
//! people in it that would be one person's figures.

pub mod csv;
pub mod figures;
pub mod grades;
pub mod measure;
pub mod public;
pub mod public_cube;
pub mod query;
pub mod rollup;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::regions::division_name;
use crate::domain::stats::{Compare, Dimension, SmallCells, period_a_year_later, previous_year};
use crate::pagination::{Page, PageRequest};
use crate::shared::error::ServiceResult;
use measure::measure;
use query::{Figure, Filter, Measured};

/// A figure, or `<N>` when the cell rests on fewer than N subjects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Count(i64),
    Hidden(String),
}

impl Cell {
    pub fn count(&self) -> Option<i64> {
        match self {
            Cell::Count(n) => Some(*n),
            Cell::Hidden(_) => None,
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Count(n) => write!(f, "{n}"),
            Cell::Hidden(text) => f.write_str(text),
        }
    }
}

/// In the document a cell is honest about both forms: an integer, or the string `<N>`.
impl utoipa::PartialSchema for Cell {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^<[0-9]+$"))
                    .description(Some(
                        "A cell resting on fewer subjects than the number, hidden",
                    )),
            )
            .description(Some(
                "A count or an amount in fen, or `<N>` where it rests on fewer than N subjects",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Cell {}

/// One value a row is grouped by, with the name of a place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct GroupValue {
    pub dimension: Dimension,
    /// A division code, a kind, a type code, a severity, a sanction type, or a period (`2026`, `2026-Q1`,
    /// `2026-03`); empty where the counted fact has none (a case has no sanction type, a tip no subject).
    #[schema(max_length = 64)]
    pub value: String,
    /// The division's name (GB/T 2260), for places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One row: what it is grouped by, its figures, and with `compare` last year's and the change.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatRow {
    pub group: Vec<GroupValue>,
    #[schema(value_type = BTreeMap<String, Cell>)]
    pub values: BTreeMap<String, Cell>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Cell>>)]
    pub previous: Option<BTreeMap<String, Cell>>,
    /// `values` minus `previous`; hidden where either is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Cell>>)]
    pub change: Option<BTreeMap<String, Cell>>,
}

/// A statistics answer: its rows, the period and the change-log position it reflects.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatsAnswer {
    /// The change-log position read before the counters: every change up to it is counted.
    pub seq: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Vec<Dimension>,
    /// The figures of each row, in order (a stock such as `pending` is left out of rows grouped by period).
    pub figures: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<Compare>,
    /// With `compare`: the same days a year earlier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_to: Option<NaiveDate>,
    pub items: Vec<StatRow>,
    pub next_cursor: Option<String>,
}

/// What a table is asked for.
pub struct Request<'a> {
    pub figures: &'a [Figure],
    pub filter: Filter,
    pub dims: Vec<Dimension>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub compare: Option<Compare>,
    pub cells: SmallCells,
}

type Cells = BTreeMap<Vec<String>, BTreeMap<&'static str, Measured>>;

pub(crate) async fn cells<C: ConnectionTrait>(
    db: &C,
    r: &Request<'_>,
    (from, to): (NaiveDate, NaiveDate),
) -> ServiceResult<Cells> {
    // Summed in a hash map, ordered once at the end: a national question has tens of thousands of parts.
    let mut out: foldhash::HashMap<Vec<String>, BTreeMap<&'static str, Measured>> =
        foldhash::HashMap::default();
    if r.dims.is_empty() {
        out.insert(Vec::new(), BTreeMap::new());
    }
    for stock in [false, true] {
        let figures: Vec<&Figure> = shown_figures(r).filter(|f| f.stock == stock).collect();
        let mut metrics: Vec<_> = figures
            .iter()
            .flat_map(|f| f.metrics.iter().chain(f.minus))
            .copied()
            .collect();
        metrics.sort_by_key(|m| m.as_str());
        metrics.dedup();
        if metrics.is_empty() {
            continue;
        }
        let since = (!stock).then_some(from);
        for mut part in measure(db, &metrics, &r.filter, &r.dims, (since, to)).await? {
            if !figures.iter().any(|f| f.sign(&part).is_some()) {
                continue;
            }
            // The key moves into the map; a figure's sign reads only the metric and the sanction type.
            let row = out.entry(std::mem::take(&mut part.key)).or_default();
            for figure in &figures {
                let Some(sign) = figure.sign(&part) else {
                    continue;
                };
                let cell = row.entry(figure.name).or_default();
                cell.total += sign * part.measured.total;
                cell.subjects = cell.subjects.max(part.measured.subjects);
                cell.persons = cell.persons.max(part.measured.persons);
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// A stock is a figure at one day: it has no place in rows by period.
fn shown_figures<'a>(r: &'a Request<'a>) -> impl Iterator<Item = &'a Figure> {
    let by_period = r.dims.iter().any(|d| d.is_period());
    r.figures.iter().filter(move |f| !(f.stock && by_period))
}

/// A measured cell as shown: its total, or `<N>` when it rests on too few subjects.
pub fn cell(cells: SmallCells, m: Measured) -> Cell {
    if cells.shows(m.subjects, m.persons) {
        Cell::Count(m.total)
    } else {
        Cell::Hidden(format!("<{}", cells.threshold()))
    }
}

/// The staff's small-cell rule: only cells that would be one person's figures are hidden.
pub fn staff_cells(cx: &crate::shared::context::Ctx) -> SmallCells {
    let policy = &cx.policy().stats;
    SmallCells {
        public: false,
        min_subjects: policy.public_min_subjects,
        min_persons: policy.person_min_subjects,
    }
}

/// The public's: every cell resting on fewer than the policy's minimum of subjects is hidden.
pub fn public_cells(cx: &crate::shared::context::Ctx) -> SmallCells {
    SmallCells {
        public: true,
        ..staff_cells(cx)
    }
}

/// One page of rows already computed (the cursor is the number of rows before it).
pub fn paged(rows: Vec<StatRow>, page: PageRequest) -> Page<StatRow> {
    let total = rows.len();
    let (skip, take) = window(total, page);
    let items: Vec<StatRow> = rows.into_iter().skip(skip).take(take).collect();
    page_of(items, total - skip, page)
}

/// The rows a page holds: how many to skip and how many to take of `total`.
fn window(total: usize, page: PageRequest) -> (usize, usize) {
    let skip = usize::try_from(page.after.max(0)).unwrap_or(usize::MAX);
    let take = usize::try_from(page.limit).unwrap_or(usize::MAX);
    (skip.min(total), take.min(total.saturating_sub(skip)))
}

/// The page of `items`, the first of the `left` rows from the cursor on.
fn page_of(items: Vec<StatRow>, left: usize, page: PageRequest) -> Page<StatRow> {
    let more = left > items.len();
    let last = page.after + items.len() as i64;
    page.page_of_views(items, more, Some(last))
}

fn values_of(
    r: &Request<'_>,
    cells: Option<&BTreeMap<&'static str, Measured>>,
) -> BTreeMap<String, Cell> {
    shown_figures(r)
        .map(|f| {
            let m = cells
                .and_then(|c| c.get(f.name))
                .copied()
                .unwrap_or_default();
            (f.name.to_string(), cell(r.cells, m))
        })
        .collect()
}

pub(super) fn change(
    now: &BTreeMap<String, Cell>,
    before: &BTreeMap<String, Cell>,
) -> BTreeMap<String, Cell> {
    now.iter()
        .map(|(name, cell)| {
            let diff = match (cell, before.get(name)) {
                (Cell::Count(a), Some(Cell::Count(b))) => Cell::Count(a - b),
                (Cell::Hidden(h), _) | (_, Some(Cell::Hidden(h))) => Cell::Hidden(h.clone()),
                (Cell::Count(a), None) => Cell::Count(*a),
            };
            (name.clone(), diff)
        })
        .collect()
}

pub(crate) fn group(dims: &[Dimension], key: &[String]) -> Vec<GroupValue> {
    dims.iter()
        .zip(key)
        .map(|(d, value)| GroupValue {
            dimension: *d,
            value: value.clone(),
            name: d.is_place().then(|| division_name(value)).flatten(),
        })
        .collect()
}

/// One page of the table's rows, ordered by what they are grouped by; with `compare`, each row of either year
/// beside its partner (last year's periods moved a year on). Both years are read at once, on two connections
/// where the database has them, and only the page's rows are built.
pub async fn table<C: ConnectionTrait>(
    db: &C,
    r: &Request<'_>,
    page: PageRequest,
) -> ServiceResult<Page<StatRow>> {
    let (now, before) = match r.compare {
        Some(Compare::PreviousYear) => {
            let (now, shifted) = tokio::try_join!(
                cells(db, r, (r.from, r.to)),
                cells(db, r, previous_year(r.from, r.to))
            )?;
            (now, Some(moved_a_year_on(&r.dims, shifted)))
        }
        None => (cells(db, r, (r.from, r.to)).await?, None),
    };
    let keys: BTreeSet<&Vec<String>> = now
        .keys()
        .chain(before.iter().flat_map(|b| b.keys()))
        .collect();
    let (skip, take) = window(keys.len(), page);
    let items = keys
        .iter()
        .skip(skip)
        .take(take)
        .map(|key| {
            let values = values_of(r, now.get(*key));
            let previous = before.as_ref().map(|b| values_of(r, b.get(*key)));
            let change = previous.as_ref().map(|p| change(&values, p));
            StatRow {
                group: group(&r.dims, key),
                values,
                previous,
                change,
            }
        })
        .collect();
    Ok(page_of(items, keys.len() - skip, page))
}

/// Last year's cells keyed as this year's: their periods moved a year on.
fn moved_a_year_on(dims: &[Dimension], shifted: Cells) -> Cells {
    let periods: Vec<bool> = dims.iter().map(|d| d.is_period()).collect();
    shifted
        .into_iter()
        .map(|(key, cells)| {
            let key = key
                .into_iter()
                .zip(&periods)
                .map(|(v, p)| if *p { period_a_year_later(&v) } else { v })
                .collect::<Vec<_>>();
            (key, cells)
        })
        .collect()
}

/// The names of the figures the rows carry.
pub fn figure_names(r: &Request<'_>) -> Vec<String> {
    shown_figures(r).map(|f| f.name.to_string()).collect()
}
