//! The statistics read from the roll-ups (`stat_rollups`): a question about whole months, by place down to the
//! prefecture, kind, sanction type and period, is summed from a few thousand rows however many cases there
//! are. Anything finer — a county, a catalogue type, a severity, an institution's own figures, days that are
//! not whole months — is read from the daily counters (`query`).
//!
//! A roll-up knows its period's distinct subjects exactly. Places and kinds do not share subjects, so those
//! add up; periods do, so a cell over several periods rests on at least as many subjects as its largest one:
//! a lower bound, and a cell is hidden rather than shown when in doubt.

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Query, SelectStatement};

use super::query::Filter;
use crate::domain::regions::Level;
use crate::domain::stats::grains::{Grain, spans, whole_within};
use crate::domain::stats::{Dimension, Metric};
use entity::stat_rollup::{Column as R, Entity as Rollups};

fn dimension_sql(d: Dimension) -> Option<&'static str> {
    match d {
        Dimension::Prefecture => Some("prefecture"),
        Dimension::Province => Some("province"),
        Dimension::SubjectKind => Some("subject_kind"),
        Dimension::SanctionType => Some("sanction_type"),
        // Rows grouped by a period are read at its grain: the label is the period's.
        Dimension::Month | Dimension::Quarter | Dimension::Year => Some("period"),
        Dimension::Region | Dimension::TypeCode | Dimension::Severity => None,
    }
}

/// The period dimension a question is grouped by, if any, or `None` for a question finer than the roll-ups
/// (`Some(None)`: not grouped by a period).
fn period_of_question(filter: &Filter, dims: &[Dimension]) -> Option<Option<Grain>> {
    if filter.org.is_some() || filter.type_code.is_some() {
        return None;
    }
    if matches!(&filter.place, Some((Level::County, _))) {
        return None;
    }
    if dims.iter().any(|d| dimension_sql(*d).is_none()) {
        return None;
    }
    let periods: Vec<Grain> = dims
        .iter()
        .filter_map(|d| Grain::of_dimension(*d))
        .collect();
    match periods.as_slice() {
        [] => Some(None),
        [one] => Some(Some(*one)),
        _ => None,
    }
}

/// How a question is read: its whole periods (months, or those of its period dimension) from the roll-ups,
/// and the days at either edge from the daily counters.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    pub whole: (Option<NaiveDate>, NaiveDate),
    pub edges: Vec<(NaiveDate, NaiveDate)>,
}

/// The split of a question, or `None` when it is finer than the roll-ups or holds no whole period.
pub fn split(
    filter: &Filter,
    dims: &[Dimension],
    (from, to): (Option<NaiveDate>, NaiveDate),
) -> Option<Split> {
    let grain = period_of_question(filter, dims)?.unwrap_or(Grain::Month);
    let (first, last) = whole_within(from, to, grain)?;
    let mut edges = Vec::new();
    if let (Some(from), Some(first)) = (from, first)
        && from < first
    {
        edges.push((from, first.pred_opt()?));
    }
    if last < to {
        edges.push((last.succ_opt()?, to));
    }
    Some(Split {
        whole: (first, last),
        edges,
    })
}

/// The statement answering `metrics` over whole periods from the roll-ups, with the columns of
/// `query::statement`, or `None` when the question is finer than they are or its days are not whole periods.
pub fn statement(
    metrics: &[Metric],
    filter: &Filter,
    dims: &[Dimension],
    (from, to): (Option<NaiveDate>, NaiveDate),
) -> Option<SelectStatement> {
    let period = period_of_question(filter, dims)?;
    let columns: Vec<&str> = dims
        .iter()
        .map(|d| dimension_sql(*d))
        .collect::<Option<_>>()?;
    let spans = spans(from, to, period)?;

    let mut within = Cond::any();
    for span in &spans {
        let mut one = Cond::all()
            .add(Expr::col(R::Grain).eq(span.grain.as_str()))
            .add(Expr::col(R::Period).lte(span.last.as_str()));
        if !span.first.is_empty() {
            one = one.add(Expr::col(R::Period).gte(span.first.as_str()));
        }
        within = within.add(one);
    }
    let persons = format!(
        "CASE WHEN subject_kind IN ({}) THEN subjects ELSE 0 END",
        super::query::people_sql()
    );
    let mut rows = Query::select();
    rows.from(Rollups);
    for (i, column) in columns.iter().enumerate() {
        rows.expr_as(Expr::cust(*column), Alias::new(format!("g{i}")));
    }
    rows.column(R::Metric)
        .column(R::SanctionType)
        .and_where(Expr::col(R::Metric).is_in(metrics.iter().map(|m| m.as_str())))
        .cond_where(within);
    if let Some((level, code)) = &filter.place {
        let column = match level {
            Level::Province => R::Province,
            _ => R::Prefecture,
        };
        rows.and_where(Expr::col(column).eq(code.as_str()));
    }
    if let Some(kinds) = &filter.kinds {
        rows.and_where(Expr::col(R::SubjectKind).is_in(kinds.iter().map(|k| k.as_str())));
    }
    // Grouped by a period, a cell lies within one period: places and kinds add up exactly, so the rows are
    // read as they are and `query::parts` adds up those of a cell (cheaper than a GROUP BY in SQLite).
    if period.is_some() {
        rows.expr_as(Expr::col(R::Value), Alias::new("total"))
            .expr_as(Expr::col(R::Subjects), Alias::new("subjects"))
            .expr_as(Expr::cust(persons), Alias::new("persons"));
        return Some(rows);
    }
    // Otherwise the periods of a cell are summed first, and its subjects are the largest period's.
    let mut inner = rows;
    inner
        .column(R::Grain)
        .column(R::Period)
        .expr_as(Expr::cust("SUM(value)"), Alias::new("v"))
        .expr_as(Expr::cust("SUM(subjects)"), Alias::new("s"))
        .expr_as(Expr::cust(format!("SUM({persons})")), Alias::new("p"));
    for i in 0..columns.len() {
        inner.group_by_col(Alias::new(format!("g{i}")));
    }
    inner
        .group_by_col(R::Metric)
        .group_by_col(R::SanctionType)
        .group_by_col(R::Grain)
        .group_by_col(R::Period);

    let mut outer = Query::select();
    outer.from_subquery(inner, Alias::new("t"));
    for i in 0..columns.len() {
        outer.column(Alias::new(format!("g{i}")));
    }
    outer
        .column(Alias::new("metric"))
        .column(Alias::new("sanction_type"))
        .expr_as(Expr::cust("CAST(SUM(v) AS BIGINT)"), Alias::new("total"))
        .expr_as(Expr::cust("CAST(MAX(s) AS BIGINT)"), Alias::new("subjects"))
        .expr_as(Expr::cust("CAST(MAX(p) AS BIGINT)"), Alias::new("persons"));
    for i in 0..columns.len() {
        outer.group_by_col(Alias::new(format!("g{i}")));
    }
    outer
        .group_by_col(Alias::new("metric"))
        .group_by_col(Alias::new("sanction_type"));
    Some(outer)
}
