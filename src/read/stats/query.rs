//! The one SQL statement behind every statistic: sums of the counters of an answer's metrics over a period in one
//! pass, grouped by the dimensions asked for (and by metric and sanction type, which the figures are made of), with the number of distinct subjects (and people) behind each cell so that small
//! cells can be hidden. It never reads the fact tables.

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr};

use crate::domain::regions::Level;
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::SubjectKind;
use crate::domain::stats::{Dimension, Metric};
use entity::stat_counter::{Column as C, Entity as Counters};

/// One column of an answer: the metrics it sums (those in `minus` subtracted), optionally only some sanction
/// types. A stock sums everything up to the end of the period instead of within it.
pub struct Figure {
    pub name: &'static str,
    pub metrics: &'static [Metric],
    pub minus: &'static [Metric],
    pub sanction_types: &'static [SanctionType],
    pub stock: bool,
}

impl Figure {
    pub const fn flow(name: &'static str, metrics: &'static [Metric]) -> Self {
        Figure {
            name,
            metrics,
            minus: &[],
            sanction_types: &[],
            stock: false,
        }
    }
}

/// What every cell of an answer is restricted to.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub place: Option<(Level, String)>,
    /// Subject kinds counted; `None` counts all (and tips, which have none).
    pub kinds: Option<Vec<SubjectKind>>,
    /// An organisation's own code (a hospital reads its institution's figures).
    pub org: Option<String>,
    pub type_code: Option<String>,
}

/// One cell as summed: the total and how many distinct subjects, and people among them, it rests on. A figure
/// made of several parts (all sanction types, added minus ended) takes the largest part's subjects: a lower
/// bound, so a cell is hidden rather than shown when in doubt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measured {
    pub total: i64,
    pub subjects: i64,
    pub persons: i64,
}

fn dimension_sql(d: Dimension) -> &'static str {
    match d {
        Dimension::Region => "region",
        Dimension::Prefecture => "prefecture",
        Dimension::Province => "province",
        Dimension::SubjectKind => "subject_kind",
        Dimension::TypeCode => "type_code",
        Dimension::Severity => "severity",
        Dimension::SanctionType => "sanction_type",
        Dimension::Month => "month",
        Dimension::Year => "SUBSTR(month, 1, 4)",
        Dimension::Quarter => {
            "SUBSTR(month, 1, 4) || '-Q' || CAST((CAST(SUBSTR(month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"
        }
    }
}

fn statement(
    metrics: &[Metric],
    filter: &Filter,
    dims: &[Dimension],
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> SelectStatement {
    let mut q = Query::select();
    q.from(Counters);
    for (i, d) in dims.iter().enumerate() {
        q.expr_as(Expr::cust(dimension_sql(*d)), Alias::new(format!("g{i}")));
    }
    let people = [SubjectKind::Practitioner, SubjectKind::Insured]
        .map(|k| format!("'{}'", k.as_str()))
        .join(", ");
    q.column(C::Metric)
        .column(C::SanctionType)
        .expr_as(
            Expr::cust("CAST(SUM(value) AS BIGINT)"),
            Alias::new("total"),
        )
        .expr_as(
            Expr::cust("COUNT(DISTINCT CASE WHEN subject_id <> 0 THEN subject_id END)"),
            Alias::new("subjects"),
        )
        .expr_as(
            Expr::cust(format!(
                "COUNT(DISTINCT CASE WHEN subject_kind IN ({people}) THEN subject_id END)"
            )),
            Alias::new("persons"),
        );
    q.and_where(Expr::col(C::Metric).is_in(metrics.iter().map(|m| m.as_str())));
    if let Some(from) = from {
        q.and_where(Expr::col(C::Day).gte(from));
    }
    q.and_where(Expr::col(C::Day).lte(to));
    if let Some((level, code)) = &filter.place {
        let column = match level {
            Level::County => C::Region,
            Level::Prefecture => C::Prefecture,
            Level::Province => C::Province,
        };
        q.and_where(Expr::col(column).eq(code.as_str()));
    }
    if let Some(kinds) = &filter.kinds {
        q.and_where(Expr::col(C::SubjectKind).is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(org) = &filter.org {
        q.and_where(Expr::col(C::Org).eq(org.as_str()));
    }
    if let Some(code) = &filter.type_code {
        q.and_where(Expr::col(C::TypeCode).eq(code.as_str()));
    }
    for i in 0..dims.len() {
        q.group_by_col(Alias::new(format!("g{i}")));
    }
    q.group_by_col(C::Metric).group_by_col(C::SanctionType);
    q
}

/// One part of a cell: a metric (and sanction type) summed under the values of the dimensions.
pub struct Part {
    pub key: Vec<String>,
    pub metric: String,
    pub sanction_type: String,
    pub measured: Measured,
}

/// The same parts summed from the daily counters, whatever the question.
pub async fn measure_daily<C: ConnectionTrait>(
    db: &C,
    metrics: &[Metric],
    filter: &Filter,
    dims: &[Dimension],
    (from, to): (Option<NaiveDate>, NaiveDate),
) -> Result<Vec<Part>, DbErr> {
    parts(db, &statement(metrics, filter, dims, from, to), dims).await
}

pub(super) async fn parts<C: ConnectionTrait>(
    db: &C,
    q: &SelectStatement,
    dims: &[Dimension],
) -> Result<Vec<Part>, DbErr> {
    let rows = db.query_all(q).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut key = Vec::with_capacity(dims.len());
        for i in 0..dims.len() {
            key.push(row.try_get::<String>("", &format!("g{i}"))?);
        }
        out.push(Part {
            key,
            metric: row.try_get("", "metric")?,
            sanction_type: row.try_get("", "sanction_type")?,
            measured: Measured {
                total: row.try_get::<Option<i64>>("", "total")?.unwrap_or(0),
                subjects: row.try_get::<i64>("", "subjects")?,
                persons: row.try_get::<i64>("", "persons")?,
            },
        });
    }
    Ok(out)
}

impl Figure {
    /// How a part counts in this figure: +1, −1 (a metric subtracted), or not at all.
    pub fn sign(&self, part: &Part) -> Option<i64> {
        let types = self.sanction_types;
        if !types.is_empty() && !types.iter().any(|t| t.as_str() == part.sanction_type) {
            return None;
        }
        let is = |m: &&Metric| m.as_str() == part.metric;
        if self.metrics.iter().any(|m| is(&m)) {
            Some(1)
        } else if self.minus.iter().any(|m| is(&m)) {
            Some(-1)
        } else {
            None
        }
    }
}
