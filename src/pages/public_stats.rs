//! 监管统计: the public statistics page (`GET /public/stats`), figures about organisations only, drawn as SVG
//! on the server. Its input is [`PublicFigures`], a plain value `read::public_figures` fills: the page neither
//! queries nor decides what may be published, it prints what it is given (a withheld cell as `<N`, a withheld
//! point or bar with no height or length).

use askama::Template;
use axum::response::Response;
use chrono::NaiveDate;

use super::charts::{Bar, Series, Words, bar_chart, grouped, line_chart};
use super::words::long_date;
use super::{STYLE, lang, respond};
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::Grade;
use crate::i18n::{t, t_with};
use crate::shared::error::ServiceError;

/// Everything the page shows for one year. Counts are of organisations' records (institutions and pharmacies),
/// never of persons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicFigures {
    pub year: i32,
    /// The day the grades are taken on: the year's last day, or today for the current year.
    pub as_of: NaiveDate,
    /// The change-log position the figures reflect.
    pub as_of_seq: i64,
    /// A cell counting fewer organisations than this is suppressed; the page prints `<` and this number.
    pub suppressed_below: u32,
    /// Cases approved in each month of `year` (China Standard Time), January first.
    pub cases_by_month: [Cell; 12],
    /// The same for the year before.
    pub cases_by_month_last_year: [Cell; 12],
    /// Sanctions started in `year`, by type, in the order to draw them.
    pub sanctions_by_type: Vec<(SanctionType, Cell)>,
    /// Organisations of each grade on `as_of`, A first.
    pub grade_distribution: Vec<(Grade, Cell)>,
    /// One row per prefecture, in the order to print them.
    pub prefectures: Vec<PrefectureRow>,
}

/// A published figure, or one withheld because too few organisations are behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Count(u64),
    Suppressed,
}

impl Cell {
    /// `value` when no organisation or at least `min_subjects` are behind it, else suppressed.
    pub fn of(value: u64, subjects: i64, min_subjects: u32) -> Cell {
        if crate::domain::stats::disclosure::enough(subjects, i64::from(min_subjects)) {
            Cell::Count(value)
        } else {
            Cell::Suppressed
        }
    }

    fn value(self) -> Option<u64> {
        match self {
            Cell::Count(n) => Some(n),
            Cell::Suppressed => None,
        }
    }
}

/// A prefecture's figures for the year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefectureRow {
    pub code: String,
    pub name: String,
    pub cases_approved: Cell,
    pub amount_recovered_fen: Cell,
    pub agreements_suspended: Cell,
    pub agreements_terminated: Cell,
    pub black_list: Cell,
}

#[derive(Template)]
#[template(path = "public_stats.html")]
struct PublicStats {
    lang: &'static str,
    style: &'static str,
    title: String,
    heading: String,
    intro: String,
    as_of: String,
    previous: Link,
    next: Option<Link>,
    charts: Vec<Chart>,
    table_title: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    no_rows: String,
}

struct Link {
    href: String,
    label: String,
}

/// A chart's heading and its markup, escaped when it was drawn.
struct Chart {
    id: &'static str,
    heading: String,
    svg: String,
}

/// Dark to light, apart in colour and in grey print alike.
const GRADE_COLOURS: [&str; 4] = ["#1a7f37", "#7fb800", "#f0a500", "#b3261e"];

/// The page for `figures`; `current_year` decides whether a link to the next year is offered.
pub fn render(figures: &PublicFigures, current_year: i32) -> Result<Response, ServiceError> {
    let year = figures.year;
    let year_link = |y: i32, key: &str| Link {
        href: format!("?year={y}"),
        label: t_with(key, &[("year", i64::from(y).into())]),
    };
    respond(&PublicStats {
        lang: lang(),
        style: STYLE,
        title: t_with("public-stats-title", &[("year", i64::from(year).into())]),
        heading: t("public-stats-heading"),
        intro: t_with(
            "public-stats-intro",
            &[
                ("year", i64::from(year).into()),
                ("min", i64::from(figures.suppressed_below).into()),
            ],
        ),
        as_of: t_with(
            "public-stats-as-of",
            &[
                ("date", long_date(figures.as_of).into()),
                ("seq", figures.as_of_seq.into()),
            ],
        ),
        previous: year_link(year - 1, "public-stats-previous-year"),
        next: (year < current_year).then(|| year_link(year + 1, "public-stats-next-year")),
        charts: charts(figures),
        table_title: t("public-stats-prefectures-title"),
        columns: [
            "public-stats-col-region",
            "public-stats-col-cases",
            "public-stats-col-amount",
            "public-stats-col-suspended",
            "public-stats-col-terminated",
            "public-stats-col-black",
        ]
        .iter()
        .map(|key| t(key))
        .collect(),
        rows: figures
            .prefectures
            .iter()
            .map(|row| table_row(row, figures.suppressed_below))
            .collect(),
        no_rows: t("public-stats-no-prefectures"),
    })
}

fn charts(figures: &PublicFigures) -> Vec<Chart> {
    let empty = t("public-stats-empty");
    let months: Vec<String> = (1..=12_i64)
        .map(|m| t_with("public-stats-month", &[("month", m.into())]))
        .collect();
    let year_name = |y: i32| t_with("public-stats-year", &[("year", i64::from(y).into())]);
    let cases_title = t("public-stats-cases-title");
    let this_year = figures.cases_by_month.map(Cell::value);
    let last_year = figures.cases_by_month_last_year.map(Cell::value);
    let series = [
        Series {
            name: year_name(figures.year),
            values: &this_year,
            colour: "#1f4e9c",
            dashed: false,
        },
        Series {
            name: year_name(figures.year - 1),
            values: &last_year,
            colour: "#777",
            dashed: true,
        },
    ];
    let sanctions_title = t("public-stats-sanctions-title");
    let sanctions: Vec<Bar> = figures
        .sanctions_by_type
        .iter()
        .map(|(ty, n)| Bar {
            label: t(&format!("label-sanction-type-{ty}")),
            value: n.value(),
        })
        .collect();
    let grades_title = t_with(
        "public-stats-grades-title",
        &[("date", long_date(figures.as_of).into())],
    );
    let grades: Vec<Bar> = figures
        .grade_distribution
        .iter()
        .map(|(grade, n)| Bar {
            label: t_with("public-stats-grade", &[("grade", grade.to_string().into())]),
            value: n.value(),
        })
        .collect();
    let withheld = format!("<{}", figures.suppressed_below);
    let words = |title| Words {
        title,
        empty: &empty,
        withheld: &withheld,
    };
    vec![
        Chart {
            id: "cases-by-month",
            svg: line_chart("cases-by-month-svg", &words(&cases_title), &months, &series),
            heading: cases_title.clone(),
        },
        Chart {
            id: "sanctions-by-type",
            svg: bar_chart(
                "sanctions-by-type-svg",
                &words(&sanctions_title),
                &sanctions,
                &["#1f4e9c"],
            ),
            heading: sanctions_title.clone(),
        },
        Chart {
            id: "grades",
            svg: bar_chart("grades-svg", &words(&grades_title), &grades, &GRADE_COLOURS),
            heading: grades_title.clone(),
        },
    ]
}

/// A prefecture's cells as printed: counts grouped, amounts in yuan with their fen, suppressed cells as `<N`.
fn table_row(row: &PrefectureRow, suppressed_below: u32) -> Vec<String> {
    let show = |cell: Cell, as_text: fn(u64) -> String| match cell {
        Cell::Count(n) => as_text(n),
        Cell::Suppressed => format!("<{suppressed_below}"),
    };
    vec![
        format!("{}（{}）", row.name, row.code),
        show(row.cases_approved, grouped),
        show(row.amount_recovered_fen, yuan),
        show(row.agreements_suspended, grouped),
        show(row.agreements_terminated, grouped),
        show(row.black_list, grouped),
    ]
}

/// An amount in fen as yuan (1,234.56).
fn yuan(fen: u64) -> String {
    format!("{}.{:02}", grouped(fen / 100), fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_of_fewer_organisations_than_the_policy_are_suppressed() {
        assert_eq!(Cell::of(12, 5, 5), Cell::Count(12));
        assert_eq!(Cell::of(12, 4, 5), Cell::Suppressed);
        assert_eq!(Cell::of(1, 1, 5), Cell::Suppressed);
        // Nothing rests on no organisation: a zero is shown.
        assert_eq!(Cell::of(0, 0, 5), Cell::Count(0));
        assert_eq!(Cell::of(3, 1, 1), Cell::Count(3));
    }

    #[test]
    fn amounts_are_printed_in_yuan() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(123_456_789), "1,234,567.89");
        assert_eq!(yuan(5), "0.05");
    }
}
