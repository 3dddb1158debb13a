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

/// The kinds that are people, as an SQL list: a cell with any of them in it is hidden by the staff's rule.
pub(super) fn people_sql() -> String {
    [SubjectKind::Practitioner, SubjectKind::Insured]
        .map(|k| format!("'{}'", k.as_str()))
        .join(", ")
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
    let people = people_sql();
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
    pub metric: Metric,
    /// `None` for a fact without one (a case, a list entry).
    pub sanction_type: Option<SanctionType>,
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

/// The parts `q` sums: its rows (groups `g0`…, then `metric`, `sanction_type`, `total`, `subjects`,
/// `persons`) packed into one text in SQL and unpacked here. sqlx hands SQLite's rows over one at a time from
/// its worker thread, some microseconds each, so a national question's tens of thousands of parts cost more in
/// the handing over than in the summing; one text of them costs a split.
pub(super) async fn parts<C: ConnectionTrait>(
    db: &C,
    q: &SelectStatement,
    dims: &[Dimension],
) -> Result<Vec<Part>, DbErr> {
    let n = dims.len();
    let Some(row) = db.query_one(&packed(q, n)).await? else {
        return Ok(Vec::new());
    };
    let Some(text) = row.try_get_by_index::<Option<String>>(0)? else {
        return Ok(Vec::new());
    };
    // Unpacked off the request's task, so that the two years of a comparison are unpacked side by side.
    tokio::task::spawn_blocking(move || unpack(&text, n))
        .await
        .map_err(|e| DbErr::Custom(format!("statistics: unpacking stopped: {e}")))?
}

/// The parts of a packed text.
fn unpack(text: &str, n: usize) -> Result<Vec<Part>, DbErr> {
    // A statement may give a cell's metric in several rows (the roll-ups' kinds and places, read as they
    // are): they add up, each subject being of one kind and one place. A part is known by its record's text
    // up to the figures (groups, metric, sanction type), borrowed rather than copied.
    let mut out: Vec<Part> = Vec::new();
    let mut index: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    let mut words = Words::default();
    for record in text.split(RECORD) {
        let (name, figures) = split_at_field(record, n + 2).ok_or_else(|| bad(record))?;
        let measured = measured(figures).ok_or_else(|| bad(record))?;
        match index.get(name) {
            Some(&i) => {
                let m = &mut out[i].measured;
                m.total += measured.total;
                m.subjects += measured.subjects;
                m.persons += measured.persons;
            }
            None => {
                let mut fields = name.split(FIELD);
                let key: Vec<String> = fields.by_ref().take(n).map(str::to_string).collect();
                let (Some(metric), Some(sanction_type)) = (fields.next(), fields.next()) else {
                    return Err(bad(record));
                };
                let metric = words.metric(metric).ok_or_else(|| bad(record))?;
                let sanction_type = words
                    .sanction_type(sanction_type)
                    .ok_or_else(|| bad(record))?;
                index.insert(name, out.len());
                out.push(Part {
                    key,
                    metric,
                    sanction_type,
                    measured,
                });
            }
        }
    }
    Ok(out)
}

/// The metrics and sanction types met so far, by their text: a handful, read once each rather than once per
/// part.
#[derive(Default)]
struct Words<'t> {
    metrics: Vec<(&'t str, Metric)>,
    types: Vec<(&'t str, Option<SanctionType>)>,
}

impl<'t> Words<'t> {
    fn metric(&mut self, text: &'t str) -> Option<Metric> {
        if let Some((_, m)) = self.metrics.iter().find(|(t, _)| *t == text) {
            return Some(*m);
        }
        let m = text.parse().ok()?;
        self.metrics.push((text, m));
        Some(m)
    }

    /// `Some(None)` for the empty text of a fact without a sanction type.
    fn sanction_type(&mut self, text: &'t str) -> Option<Option<SanctionType>> {
        if let Some((_, t)) = self.types.iter().find(|(t, _)| *t == text) {
            return Some(*t);
        }
        let t = if text.is_empty() {
            None
        } else {
            Some(text.parse().ok()?)
        };
        self.types.push((text, t));
        Some(t)
    }
}

fn bad(record: &str) -> DbErr {
    DbErr::Custom(format!("statistics: a part reads {record:?}"))
}

/// `record` cut before its `k`-th field separator: the first `k` fields, and the rest.
fn split_at_field(record: &str, k: usize) -> Option<(&str, &str)> {
    let (at, _) = record.match_indices(FIELD).nth(k.checked_sub(1)?)?;
    Some((&record[..at], &record[at + 1..]))
}

/// A part's total, subjects and persons.
fn measured(text: &str) -> Option<Measured> {
    let mut numbers = text.split(FIELD).map(|f| f.parse::<i64>().ok());
    let measured = Measured {
        total: numbers.next()??,
        subjects: numbers.next()??,
        persons: numbers.next()??,
    };
    numbers.next().is_none().then_some(measured)
}

/// Between the fields of a part, and between parts: neither occurs in a code, a kind, a period or a number.
const FIELD: char = '|';
const RECORD: char = ';';

fn packed(q: &SelectStatement, n: usize) -> SelectStatement {
    let text = |column: String| format!("COALESCE({column}, '')");
    let number = |column: &str| format!("CAST(COALESCE({column}, 0) AS TEXT)");
    let fields: Vec<String> = (0..n)
        .map(|i| text(format!("g{i}")))
        .chain([text("metric".into()), text("sanction_type".into())])
        .chain(["total", "subjects", "persons"].map(number))
        .collect();
    let record = fields.join(&format!(" || '{FIELD}' || "));
    Query::select()
        .expr_as(
            Expr::cust(format!("string_agg({record}, '{RECORD}')")),
            Alias::new("parts"),
        )
        .from_subquery(q.clone(), Alias::new("t"))
        .to_owned()
}

impl Figure {
    /// How a part counts in this figure: +1, −1 (a metric subtracted), or not at all.
    pub fn sign(&self, part: &Part) -> Option<i64> {
        let types = self.sanction_types;
        if !types.is_empty() && !part.sanction_type.is_some_and(|t| types.contains(&t)) {
            return None;
        }
        if self.metrics.contains(&part.metric) {
            Some(1)
        } else if self.minus.contains(&part.metric) {
            Some(-1)
        } else {
            None
        }
    }
}
