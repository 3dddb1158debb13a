//! The error of the use-case layer. Use cases know no HTTP: they say what went wrong in domain words, keep the
//! database error they came from, and `routes/` (through `ApiError: From<ServiceError>`) decides the status.

use crate::i18n::msg;
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;

use crate::i18n::Msg;
use utoipa::ToSchema;

/// One invalid field of a request.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct FieldError {
    /// Bulk imports only: the 1-based line of the input the field is on (a CSV header is line 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 2)]
    pub line: Option<u64>,
    /// JSON path or parameter name, e.g. `id_number`.
    pub field: String,
    /// What is wrong, in the request's language.
    #[schema(value_type = String)]
    pub message: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Msg) -> Self {
        Self {
            line: None,
            field: field.into(),
            message,
        }
    }

    /// The same error, placed on a line of a bulk import.
    pub fn on_line(self, line: u64) -> Self {
        Self {
            line: Some(line),
            ..self
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Fields that break their rules; all of them at once.
    #[error("request validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Forbidden(Msg),
    #[error("{0}")]
    NotFound(Msg),
    /// The state of things forbids the step (illegal transition, duplicate, a ban still running).
    #[error("{0}")]
    Conflict(Msg),
    /// Well-formed but against a business rule (out-of-range points, a type not in force…).
    #[error("{0}")]
    Unprocessable(Msg),
    /// What was asked for is no longer kept (a feed position older than the retention window).
    #[error("{0}")]
    Gone(Msg),
    /// More than a request may carry (codes in one screening).
    #[error("{0}")]
    TooLarge(Msg),
    /// A daily quota is used up until `retry_after` seconds from now (person look-ups of a partner).
    #[error("{detail}")]
    QuotaExceeded { detail: Msg, retry_after: u64 },
    /// A stored row this code cannot read: written by something else, or tampered with. Never defaulted.
    #[error("stored row {table}#{id} cannot be read: {detail}")]
    Corrupt {
        table: &'static str,
        id: String,
        detail: String,
    },
    #[error("database error: {0}")]
    Db(#[source] DbErr),
}

impl From<DbErr> for ServiceError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            // A unique index caught what a read-then-insert race let through: the same answer as the check.
            Some(SqlErr::UniqueConstraintViolation(message)) => {
                Self::Conflict(unique_conflict(&message))
            }
            _ => Self::Db(err),
        }
    }
}

/// The refusal of a unique index, in domain words where the index is one of the one-file rules (PostgreSQL names
/// the index, SQLite the columns).
fn unique_conflict(message: &str) -> Msg {
    let names = |index: &str, columns: &str| message.contains(index) || message.contains(columns);
    if names(migration::ORGANISATION_INDEX, "subjects.uscc") {
        msg!("conflict-uscc-registered")
    } else if names(migration::PERSON_INDEX, "subjects.kind, subjects.id_number") {
        msg!("conflict-id-number-registered")
    } else {
        msg!("conflict-same-key")
    }
}

impl ServiceError {
    pub fn validation(field: &str, message: Msg) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// What a person is told of this error, in words of the catalogue.
    pub fn message(&self) -> Msg {
        match self {
            Self::Validation(_) => msg!("problem-validation"),
            Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::Unprocessable(m)
            | Self::Gone(m)
            | Self::TooLarge(m) => m.clone(),
            Self::QuotaExceeded { detail, .. } => detail.clone(),
            Self::Corrupt { table, id, detail } => msg!(
                "problem-corrupt-row",
                table = *table,
                id = id,
                detail = detail
            ),
            Self::Db(_) => msg!("problem-internal"),
        }
    }

    pub fn corrupt(table: &'static str, id: impl ToString, detail: impl ToString) -> Self {
        Self::Corrupt {
            table,
            id: id.to_string(),
            detail: detail.to_string(),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Parses a closed-set column of a stored row. A value that names no variant is a `Corrupt` error naming the
/// row, never a silent default (a kind defaulting to `insured` once skipped a ledger deduction).
pub fn column<T>(table: &'static str, id: impl ToString, text: &str) -> ServiceResult<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| ServiceError::corrupt(table, id, e))
}

/// A typed view of a JSON value, refusing control characters in any string first. A failure names the field
/// the way a client wrote it (`evidence[0].name`), and a missing field by its own name.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    mut value: serde_json::Value,
) -> ServiceResult<T> {
    let mut errors = FieldErrors::default();
    check_strings(&value, String::new(), &mut errors);
    errors.finish()?;
    whole_numbers_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // serde says "missing field `x`" at the parent's path; name the field itself.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (missing, path.as_str()) {
            (Some(name), ".") => name.to_string(),
            (Some(name), parent) => format!("{parent}.{name}"),
            (None, ".") => "body".to_string(),
            (None, path) => path.to_string(),
        };
        ServiceError::validation(&field, serde_message(&message))
    })
}

/// JSON does not tell `6` from `6.0`, and neither does the document's `type: integer`; serde does. A number
/// with no fraction is read as the integer it is, so a client whose JSON library writes `6.0` is not refused.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// serde's words about a value, as a message: the common refusals by key with their parts as arguments (the
/// parts are machine words: field names, JSON types, enum values), anything else quoted as serde said it.
pub fn serde_message(text: &str) -> Msg {
    let quoted = |rest: &str| rest.split('`').nth(1).unwrap_or("").to_string();
    if text.starts_with("missing field `") {
        msg!("field-is-required")
    } else if let Some(rest) = text.strip_prefix("unknown field ") {
        msg!("field-unknown", name = quoted(rest))
    } else if let Some(rest) = text.strip_prefix("unknown variant ") {
        let expected = rest.split_once("expected ").map_or("", |(_, e)| e);
        msg!(
            "field-unknown-variant",
            value = quoted(rest),
            expected = expected.trim_start_matches("one of ")
        )
    } else if let Some(rest) = text.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        msg!("field-invalid-type", found = found, expected = expected)
    } else {
        msg!("field-invalid", detail = text)
    }
}

/// Every string in the value (object keys too) must be free of control characters.
fn check_strings(value: &serde_json::Value, path: String, errors: &mut FieldErrors) {
    use serde_json::Value;
    let name = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match value {
        Value::String(text) => {
            errors.check(&name(&path), crate::domain::text::check_no_controls(text));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_strings(item, format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Err(message) = crate::domain::text::check_no_controls(key) {
                    errors.add(&name(&path), msg!("a-field-name", message = message));
                    continue;
                }
                check_strings(item, child, errors);
            }
        }
        _ => {}
    }
}

/// The grounds of a decision that needs only them (lift, revoke, remove, decide): trimmed, 1–2000 characters,
/// else a validation error on `reason`.
pub fn required_reason(text: &str) -> ServiceResult<String> {
    let reason = text.trim().to_string();
    let mut errors = FieldErrors::default();
    errors.check("reason", crate::domain::sanctions::check_reason(&reason));
    errors.finish()?;
    Ok(reason)
}

/// Collects every invalid field of a request so the client learns about all of them at once.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn check(&mut self, field: &str, result: Result<(), Msg>) {
        if let Err(message) = result {
            self.0.push(FieldError::new(field, message));
        }
    }

    pub fn add(&mut self, field: &str, message: Msg) {
        self.0.push(FieldError::new(field, message));
    }

    /// Takes in the findings of `validator` derives.
    pub fn extend(&mut self, errors: validator::ValidationErrors) {
        let mut fields: Vec<FieldError> = errors
            .field_errors()
            .into_iter()
            .flat_map(|(field, errs)| {
                errs.iter().map(move |e| {
                    // A derive's `message` is a catalogue key.
                    let message = e.message.as_ref().map_or_else(
                        || msg!("field-invalid", detail = e.code.to_string()),
                        |key| Msg::new(key.to_string()),
                    );
                    FieldError::new(field.to_string(), message)
                })
            })
            .collect();
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        self.0.extend(fields);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Validation(self.0))
        }
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors.0)
    }
}

#[cfg(test)]
mod tests {
    use super::unique_conflict;

    #[test]
    fn the_one_file_indexes_are_named_in_domain_words_on_both_databases() {
        let postgres = "duplicate key value violates unique constraint \"ux_subjects_uscc\"";
        assert_eq!(unique_conflict(postgres).key(), "conflict-uscc-registered");
        let sqlite = "UNIQUE constraint failed: subjects.kind, subjects.id_number";
        assert_eq!(
            unique_conflict(sqlite).key(),
            "conflict-id-number-registered"
        );
        let other = "UNIQUE constraint failed: subjects.code";
        assert_eq!(unique_conflict(other).key(), "conflict-same-key");
    }
}
