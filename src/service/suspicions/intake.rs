//! Taking suspects in: the rules every row meets (one by `POST /suspicions`, a day's file by
//! `POST /suspicions:import`), and the checks against the database, made once for a whole batch of rows.
//! `(source, external_id)` identifies a suspect: a row already taken with the same content is a duplicate (a
//! monitoring system may re-send a whole day), with other content an error.

use crate::i18n::msg;

use chrono::NaiveDate;
use sea_orm::EntityTrait;

pub use super::checked::CheckedSuspicion;
use super::registry::{Resolution, resolve};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::text::check_no_controls;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::writer::Writer;
use crate::shared::context::Ctx;
use entity::suspicion;

/// The source of a row that names none.
pub const DEFAULT_SOURCE: &str = "smart_monitoring";
/// The columns of a CSV file of suspects (`claim_ids` separated by `;`).
pub const COLUMNS: [&str; 10] = [
    "source",
    "external_id",
    "rule_code",
    "rule_name",
    "subject_code",
    "practitioner_code",
    "occurred_on",
    "amount_fen",
    "detail",
    "claim_ids",
];
pub const REQUIRED: [&str; 7] = [
    "external_id",
    "rule_code",
    "rule_name",
    "subject_code",
    "occurred_on",
    "amount_fen",
    "detail",
];
/// The largest amount one suspect may name (10 billion yuan): more is a typing error.
const MAX_AMOUNT_FEN: i64 = 1_000_000_000_000;
const MAX_CLAIMS: usize = 100;

/// One suspect as the monitoring system sends it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSuspicion {
    /// The system that flagged it (default `smart_monitoring`): lower-case letters, digits and `_`.
    #[schema(pattern = "^[a-z0-9_]{1,32}$", example = "smart_monitoring")]
    pub source: Option<String>,
    /// The system's own id of the suspect, 1–128 characters.
    #[schema(min_length = 1, max_length = 128, example = "ZNJK-20261205-000001")]
    pub external_id: String,
    /// The rule (两库 knowledge and rules) that flagged it.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$", example = "R-DUP-CHARGE")]
    pub rule_code: String,
    #[schema(min_length = 1, max_length = 200, example = "重复收费")]
    pub rule_name: String,
    /// The registered subject flagged (an institution or pharmacy, usually).
    #[schema(min_length = 1, max_length = 64, example = "H37010200001")]
    pub subject_code: String,
    /// A practitioner registered with that subject on `occurred_on`.
    #[schema(min_length = 1, max_length = 64, example = "D370102000001")]
    pub practitioner_code: Option<String>,
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    #[schema(value_type = String, format = Date, example = "2026-12-01")]
    pub occurred_on: NaiveDate,
    /// Fund money involved, in fen, 0 to 10^12.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub amount_fen: i64,
    /// What the rule found, 1–4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub detail: String,
    /// The claims (结算单) the rule fired on, at most 100 of 1–64 characters.
    #[schema(max_items = 100)]
    pub claim_ids: Option<Vec<String>>,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, msg!("suspicion-text-required"));
    } else if value.chars().count() > max {
        errors.add(field, msg!("suspicion-text-too-long", max = max as i64));
    }
    errors.check(field, check_no_controls(value));
    value.to_string()
}

fn code_like(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    max: usize,
    extra: &str,
) -> String {
    let value = value.trim();
    let ok = |c: char| c.is_ascii_alphanumeric() || extra.contains(c);
    if value.is_empty() || value.len() > max || !value.chars().all(ok) {
        errors.add(field, msg!("suspicion-code-invalid", max = max as i64));
    }
    value.to_string()
}

/// The rules a row meets on its own: lengths, characters, a date not after `today`, an amount in range.
pub fn check_row(input: NewSuspicion, today: NaiveDate) -> Result<CheckedSuspicion, FieldErrors> {
    let mut errors = FieldErrors::default();
    let source = match input.source.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_SOURCE.to_string(),
        Some(source) => {
            let ok = source.len() <= 32
                && source
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                errors.add("source", msg!("suspicion-source-invalid"));
            }
            source.to_string()
        }
    };
    let external_id = text(&mut errors, "external_id", &input.external_id, 128);
    let rule_code = code_like(&mut errors, "rule_code", &input.rule_code, 64, "._-");
    let rule_name = text(&mut errors, "rule_name", &input.rule_name, 200);
    let subject_code = text(&mut errors, "subject_code", &input.subject_code, 64);
    let practitioner_code = input
        .practitioner_code
        .as_deref()
        .map(|code| text(&mut errors, "practitioner_code", code, 64));
    if input.occurred_on > today {
        errors.add("occurred_on", msg!("suspicion-date-in-future"));
    }
    if !(0..=MAX_AMOUNT_FEN).contains(&input.amount_fen) {
        errors.add("amount_fen", msg!("suspicion-amount-out-of-range"));
    }
    let detail = text(&mut errors, "detail", &input.detail, 4000);
    let claims = input.claim_ids.unwrap_or_default();
    if claims.len() > MAX_CLAIMS {
        errors.add(
            "claim_ids",
            msg!("suspicion-too-many-claims", max = MAX_CLAIMS as i64),
        );
    }
    let claim_ids = claims
        .iter()
        .enumerate()
        .map(|(i, claim)| text(&mut errors, &format!("claim_ids[{i}]"), claim, 64))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedSuspicion {
        source,
        external_id,
        rule_code,
        rule_name,
        subject_code,
        practitioner_code,
        occurred_on: input.occurred_on,
        amount_fen: input.amount_fen,
        detail,
        claim_ids,
    })
}

/// The change-log value of a suspect, as staff read it.
pub fn change_value(row: &suspicion::Model, cx: &Ctx) -> ServiceResult<String> {
    let view = super::view::view(
        row.clone(),
        crate::domain::masking::Audience::Full,
        cx.today(),
    )?;
    crate::i18n::storing(|| serde_json::to_string(&view))
        .map_err(|e| ServiceError::corrupt("suspicions", row.id, e))
}

/// Whether one suspect was taken in, or was a duplicate of one already there.
pub struct Received {
    pub row: suspicion::Model,
    pub duplicate: bool,
}

/// Takes one suspect in (`POST /suspicions`): the same rules as a row of a file. An identical re-send answers
/// the suspect already there and writes nothing.
pub async fn receive(w: &Writer, body: serde_json::Value) -> ServiceResult<Received> {
    w.actor.require(&super::HANDLERS)?;
    let input: NewSuspicion = crate::service::error::parse_json(body)?;
    let checked = check_row(input, w.cx.today()).map_err(ServiceError::from)?;
    let resolution = resolve(w.db(), &[&checked]).await?.pop();
    let subject_id = match resolution {
        Some(Resolution::New(id)) => id,
        Some(Resolution::Duplicate(id)) => {
            let row = suspicion::Entity::find_by_id(id)
                .one(w.db())
                .await?
                .ok_or_else(|| ServiceError::corrupt("suspicions", id, "went missing"))?;
            return Ok(Received {
                row,
                duplicate: true,
            });
        }
        Some(Resolution::Refused(errors)) => {
            return Err(match errors.iter().any(|e| e.field == "external_id") {
                true => ServiceError::Conflict(errors[0].message.clone()),
                false => ServiceError::Validation(errors),
            });
        }
        None => return Err(ServiceError::corrupt("suspicions", 0, "nothing resolved")),
    };
    let triage_due = triage_due(&w.cx);
    let row =
        sea_orm::ActiveModelTrait::insert(checked.row(subject_id, w, triage_due), w.db()).await?;
    w.audit("suspicion.receive", &super::target(row.id), &checked)
        .await?;
    let value = view_value(&row, &w.cx)?;
    w.note(
        ChangeEntity::Suspicion,
        row.id,
        &row.subject_code,
        ChangeOp::Added,
        &value,
    )
    .await?;
    Ok(Received {
        row,
        duplicate: false,
    })
}

/// The change-log value as JSON, for one row written through `Writer::note`.
pub(crate) fn view_value(row: &suspicion::Model, cx: &Ctx) -> ServiceResult<serde_json::Value> {
    serde_json::from_str(&change_value(row, cx)?)
        .map_err(|e| ServiceError::corrupt("suspicions", row.id, e))
}

/// The day triage of a suspect received today is due.
pub fn triage_due(cx: &Ctx) -> NaiveDate {
    let days = cx.policy().suspicions.triage_working_days;
    cx.config.calendar.add_working_days(cx.today(), days)
}

/// A CSV cell as JSON for the typed parse: the amount as a number, the claims split on `;`.
pub fn csv_cell(column: &str, cell: &str) -> serde_json::Value {
    use serde_json::Value;
    match column {
        "amount_fen" => cell
            .parse::<i64>()
            .map_or_else(|_| Value::String(cell.into()), Value::from),
        "claim_ids" => Value::Array(
            cell.split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| Value::String(c.into()))
                .collect(),
        ),
        _ => Value::String(cell.into()),
    }
}
