//! Exports for what people take away (issue 24): the black list, cases, sanctions, the red list and a hospital's
//! roster, each as JSON lines (one item per line, as the API's own read gives it) or CSV. One set of rules for
//! all of them:
//! - every row is built by the same use case and the same audience view as the list it exports, so an export
//!   shows no more than the list does (masking by audience, publication, a hospital's own subjects only);
//! - everything is read in one snapshot, with the change-log `seq` it reflects, so that an export and the feed
//!   after its `seq` reproduce the data exactly;
//! - a CSV opens correctly in a spreadsheet on a Chinese desktop (a UTF-8 byte-order mark first, headers in the
//!   reader's language from the catalogue) and no cell is ever run as a formula.

pub mod black;
pub mod cases;
pub mod red;
pub mod roster;
pub mod sanctions;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::enums::string_enum;
use crate::i18n;
pub use crate::shared::csv::csv_table;
use crate::shared::error::{ServiceError, ServiceResult};

string_enum! {
    pub enum ExportFormat as "export format" {
        Csv = "csv",
        Jsonl = "jsonl",
    }
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Jsonl => "application/x-ndjson",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` or `jsonl` (default).
    pub format: Option<ExportFormat>,
}

/// An export's body, with the change-log position it reflects.
pub struct Export {
    pub seq: i64,
    pub format: ExportFormat,
    pub body: Vec<u8>,
}

/// One CSV column: the catalogue key of its header (`export-column-…`) and the cell of a row.
pub struct Column<T> {
    pub header: &'static str,
    pub cell: fn(&T) -> String,
}

/// Shorthand for a column table.
pub const fn column<T>(header: &'static str, cell: fn(&T) -> String) -> Column<T> {
    Column { header, cell }
}

/// The export of `rows` in `format`: JSON lines of the rows as the API serialises them, or CSV by `columns`.
pub fn encode<T: Serialize>(
    seq: i64,
    format: Option<ExportFormat>,
    rows: &[T],
    columns: &[Column<T>],
) -> ServiceResult<Export> {
    let format = format.unwrap_or(ExportFormat::Jsonl);
    let body = match format {
        ExportFormat::Jsonl => jsonl(rows)?,
        ExportFormat::Csv => csv(rows, columns)?,
    };
    Ok(Export { seq, format, body })
}

fn jsonl<T: Serialize>(rows: &[T]) -> ServiceResult<Vec<u8>> {
    let mut out = Vec::new();
    for row in rows {
        serde_json::to_writer(&mut out, row).map_err(|e| {
            ServiceError::corrupt("export", "jsonl", format!("cannot serialise: {e}"))
        })?;
        out.push(b'\n');
    }
    Ok(out)
}

fn csv<T>(rows: &[T], columns: &[Column<T>]) -> ServiceResult<Vec<u8>> {
    let headers = columns.iter().map(|c| i18n::t(c.header)).collect();
    let cells = rows
        .iter()
        .map(|row| columns.iter().map(|c| (c.cell)(row)).collect())
        .collect();
    csv_table(headers, cells)
}

/// Cells shared by the column tables.
pub mod cell {
    use chrono::NaiveDate;

    pub fn date(day: Option<NaiveDate>) -> String {
        day.map(|d| d.to_string()).unwrap_or_default()
    }

    pub fn flag(value: bool) -> String {
        crate::i18n::t(if value { "export-yes" } else { "export-no" })
    }

    pub fn list<T: ToString>(values: &[T]) -> String {
        values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(";")
    }

    /// An amount in fen as yuan with two decimals, as a spreadsheet user reads money.
    pub fn yuan(fen: i64) -> String {
        let sign = if fen < 0 { "-" } else { "" };
        let fen = fen.unsigned_abs();
        format!("{sign}{}.{:02}", fen / 100, fen % 100)
    }
}

/// Every page of a paginated list use case, followed to its end inside the caller's snapshot.
pub async fn all_pages<T, F, Fut>(mut page: F) -> ServiceResult<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = ServiceResult<crate::pagination::Page<T>>>,
{
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let next = page(cursor.take()).await?;
        items.extend(next.items);
        match next.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(items),
        }
    }
}
