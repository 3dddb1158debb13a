//! The CSV rules every table a person takes away follows (exports, statistics): a UTF-8 byte-order mark so that a
//! spreadsheet on a Chinese desktop reads it as UTF-8, headers already in the reader's language, and no cell that
//! a spreadsheet would run as a formula (OWASP, CSV injection).

use crate::domain::text::csv_cell;
use crate::shared::error::{ServiceError, ServiceResult};

/// A table as CSV under the export rules: a byte-order mark, the headers (already in the reader's language),
/// and every cell made safe from running as a formula. For tables whose columns are known only at run time
/// (statistics grouped as asked).
pub fn csv_table(headers: Vec<String>, rows: Vec<Vec<String>>) -> ServiceResult<Vec<u8>> {
    let fail = |e: csv::Error| ServiceError::corrupt("export", "csv", format!("cannot write: {e}"));
    // A byte-order mark first: without it a spreadsheet on a Chinese desktop reads UTF-8 as GBK.
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(headers).map_err(fail)?;
    for row in rows {
        // Every cell, whoever typed it, is written so that a spreadsheet shows it rather than runs it.
        writer
            .write_record(row.iter().map(|cell| csv_cell(cell).into_owned()))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| ServiceError::corrupt("export", "csv", format!("cannot write: {e}")))
}
