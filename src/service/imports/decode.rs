//! Reading an import's rows as they arrive: CSV through the `csv` crate or JSON lines, on a blocking thread, in
//! batches handed to the use case over a bounded channel. Only one batch at a time is held, never the body.
//! What a row is (its columns, its typed parse) is the `RowShape` of the kind imported: subjects or suspects.

use crate::i18n::msg;
use std::io::{BufRead, BufReader, Read};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc::Sender;

use super::{ImportFormat, MAX_ROWS};
use crate::service::error::{FieldError, parse_json};
use crate::service::subjects::NewSubject;
use crate::service::suspicions::{NewSuspicion, intake};

/// Rows handed over at once: enough to fill a batched INSERT, few enough to keep memory flat.
pub const BATCH: usize = 1000;
/// The columns of a CSV import: the fields of `POST /subjects`.
pub const COLUMNS: [&str; 11] = [
    "kind",
    "code",
    "name",
    "region",
    "uscc",
    "id_number",
    "profession",
    "insurance_type",
    "level",
    "responsible_person",
    "designated_since",
];
const REQUIRED: [&str; 3] = ["kind", "name", "region"];

/// What one row of an import is: the columns a CSV header may name, those it must, and how a CSV cell reads
/// as the JSON the row's typed parse (the one of its single-row `POST`) takes.
pub trait RowShape: DeserializeOwned + Send + 'static {
    const COLUMNS: &'static [&'static str];
    const REQUIRED: &'static [&'static str];
    fn cell(_column: &str, cell: &str) -> Value {
        Value::String(cell.to_string())
    }
}

impl RowShape for NewSubject {
    const COLUMNS: &'static [&'static str] = &COLUMNS;
    const REQUIRED: &'static [&'static str] = &REQUIRED;
}

impl RowShape for NewSuspicion {
    const COLUMNS: &'static [&'static str] = &intake::COLUMNS;
    const REQUIRED: &'static [&'static str] = &intake::REQUIRED;
    fn cell(column: &str, cell: &str) -> Value {
        intake::csv_cell(column, cell)
    }
}
/// A JSON line longer than this is refused rather than buffered (a subject is a few hundred bytes).
const MAX_LINE: usize = 64 * 1024;

/// One data row: its line and either the registration it asks for or what is wrong with it.
pub struct Parsed<T> {
    pub line: u64,
    pub row: Result<T, Vec<FieldError>>,
}

pub enum Decoded<T> {
    Rows(Vec<Parsed<T>>),
    /// The input ended; the SHA-256 of every byte read and the number of data rows.
    End {
        sha256: String,
        rows: u64,
    },
    /// More rows (or bytes) than an import may hold; reading stopped.
    TooMany,
    /// The input itself is unusable (a bad header, a broken stream): these errors, and reading stopped.
    Broken(Vec<FieldError>),
}

/// Reads `input` to its end (or until the receiver hangs up), sending batches. Runs on a blocking thread.
pub fn decode<T: RowShape>(format: ImportFormat, input: impl Read, out: Sender<Decoded<T>>) {
    let mut input = Hashing {
        inner: input,
        hash: Sha256::new(),
    };
    let mut rows = Rows {
        out,
        batch: Vec::with_capacity(BATCH),
        count: 0,
    };
    let finished = match format {
        ImportFormat::Csv => csv_rows(&mut input, &mut rows),
        ImportFormat::Jsonl => json_lines(&mut input, &mut rows),
    };
    let last = match finished {
        Ok(()) => {
            if rows.flush().is_err() {
                return;
            }
            Decoded::End {
                sha256: hex::encode(input.hash.finalize()),
                rows: rows.count,
            }
        }
        Err(Stop::TooMany) => Decoded::TooMany,
        Err(Stop::Broken(errors)) => Decoded::Broken(errors),
        Err(Stop::HungUp) => return,
    };
    let _ = rows.out.blocking_send(last);
}

enum Stop {
    TooMany,
    Broken(Vec<FieldError>),
    /// The use case stopped listening (too many errors, or the request went away).
    HungUp,
}

struct Rows<T> {
    out: Sender<Decoded<T>>,
    batch: Vec<Parsed<T>>,
    count: u64,
}

impl<T> Rows<T> {
    fn push(&mut self, line: u64, row: Result<T, Vec<FieldError>>) -> Result<(), Stop> {
        self.count += 1;
        if self.count > MAX_ROWS {
            return Err(Stop::TooMany);
        }
        self.batch.push(Parsed { line, row });
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Stop> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.out
            .blocking_send(Decoded::Rows(batch))
            .map_err(|_| Stop::HungUp)
    }
}

fn csv_rows<T: RowShape>(input: &mut impl Read, rows: &mut Rows<T>) -> Result<(), Stop> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(str::to_string).collect(),
        Err(e) => return Err(Stop::Broken(vec![unreadable(1, &e)])),
    };
    check_header::<T>(&header)?;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                let object: Map<String, Value> = header
                    .iter()
                    .zip(record.iter())
                    // An empty cell is an absent field, as an omitted key is in JSON.
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(name, cell)| (name.clone(), T::cell(name, cell)))
                    .collect();
                rows.push(line, parse_row(Value::Object(object), line))?;
            }
            // A row of the wrong width or bad UTF-8 is that row's error; a broken stream ends the import.
            Err(e) => match e.kind() {
                csv::ErrorKind::Io(io) => return Err(broken(io, line)),
                _ => {
                    let line = e.position().map_or(line, |p| p.line());
                    rows.push(line, Err(vec![unreadable(line, &e)]))?;
                }
            },
        }
    }
}

/// A header must name only known columns, each once, and the ones every row needs.
fn check_header<T: RowShape>(header: &[String]) -> Result<(), Stop> {
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if !T::COLUMNS.contains(&name.as_str()) {
            let message = msg!("import-unknown-column", columns = T::COLUMNS.join(", "));
            errors.push(FieldError::new(name.clone(), message).on_line(1));
        } else if header[..i].contains(name) {
            errors.push(
                FieldError::new(name.clone(), msg!("appears-twice-in-the-header")).on_line(1),
            );
        }
    }
    for &required in T::REQUIRED {
        if !header.iter().any(|name| name == required) {
            errors.push(FieldError::new(required, msg!("is-a-required-column")).on_line(1));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Stop::Broken(errors))
    }
}

fn json_lines<T: RowShape>(input: &mut impl Read, rows: &mut Rows<T>) -> Result<(), Stop> {
    let mut reader = BufReader::new(input);
    let mut text = Vec::new();
    let mut line = 0u64;
    loop {
        text.clear();
        line += 1;
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut text)
            .map_err(|e| broken(&e, line))?;
        if read == 0 {
            return Ok(());
        }
        if text.len() > MAX_LINE && !text.ends_with(b"\n") {
            let message = msg!("import-line-too-long", max = MAX_LINE);
            return Err(Stop::Broken(vec![
                FieldError::new("line", message).on_line(line),
            ]));
        }
        let text = match line {
            1 => text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&text),
            _ => &text[..],
        };
        let trimmed = text.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        let row = match serde_json::from_slice::<Value>(trimmed) {
            Ok(value @ Value::Object(_)) => parse_row(value, line),
            Ok(_) => Err(vec![
                FieldError::new("body", msg!("each-line-must-be-one-json-object")).on_line(line),
            ]),
            Err(e) => Err(vec![
                FieldError::new("body", msg!("is-not-json", e = e.to_string())).on_line(line),
            ]),
        };
        rows.push(line, row)?;
    }
}

/// One row read by the same typed parse as its single-row `POST` body, so its errors read the same.
fn parse_row<T: RowShape>(value: Value, line: u64) -> Result<T, Vec<FieldError>> {
    parse_json::<T>(value).map_err(|e| match e {
        crate::service::error::ServiceError::Validation(errors) => {
            errors.into_iter().map(|e| e.on_line(line)).collect()
        }
        other => vec![FieldError::new("body", other.message()).on_line(line)],
    })
}

/// A body that could not be read to its end: too large (the route marks that `FileTooLarge`), or broken off.
fn broken(error: &std::io::Error, line: u64) -> Stop {
    match error.kind() {
        std::io::ErrorKind::FileTooLarge => Stop::TooMany,
        _ => {
            let message = msg!("import-body-broken", detail = error.to_string());
            Stop::Broken(vec![FieldError::new("body", message).on_line(line)])
        }
    }
}

fn unreadable(line: u64, error: &csv::Error) -> FieldError {
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => msg!(
            "import-unequal-fields",
            len = *len,
            expected = *expected_len
        ),
        csv::ErrorKind::Utf8 { .. } => msg!("import-not-utf8"),
        _ => msg!("field-invalid", detail = error.to_string()),
    };
    FieldError::new("row", message).on_line(line)
}

/// Hashes what passes through, so the import's record names exactly the file it read.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}
