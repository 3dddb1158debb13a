//! Tip-offs (举报, issue 21): anyone tells the authority something without a token; the reporter is protected.
//!
//! - [`intake`] takes a tip and answers its number and a claim code, a random secret shown once; only the code's
//!   hash is kept. [`status`] and [`claim`] answer whoever holds the code, and a wrong code answers exactly as an
//!   unknown number does.
//! - [`handling`]: an inspector takes a tip up (立案, linked to its subject) or not, links the cases it led to;
//!   the tip closes when they are decided; a reward is proposed from the amounts the approved cases confirmed
//!   and approved by someone who did not handle the tip, then paid or declined.
//! - [`register`]: the register (举报台账) for staff, and its export.
//!
//! Confidentiality: contact and payment details are sealed at rest (`shared::sealed`) and opened only for the
//! handling inspector and admins, each opening an audit row. Tips write no change-log rows, so nothing of them
//! reaches the feed, webhooks, exports for other audiences or standings; hospitals and partners are refused
//! every staff operation on them before anything is looked up.

pub mod handling;
pub mod register;
pub mod reporter;
pub mod rewards;

use crate::domain::stats::Metric;
use crate::i18n::msg;
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::domain::roles::Role;
use crate::domain::text::check_no_controls;
use crate::domain::tips::{RewardState, TipState};
use crate::service::error::{FieldErrors, ServiceError, ServiceResult, column};
use crate::service::writer::Writer;
use crate::shared::sealed::TipKey;
use entity::tip;

/// The tip, found by id for the use cases that check their own readers; a missing one is 404.
pub(crate) async fn find<C: ConnectionTrait>(db: &C, id: i64) -> ServiceResult<tip::Model> {
    tip::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(msg!("tip-not-found")))
}

pub use handling::*;
pub use register::*;
pub use reporter::*;
pub use rewards::*;

/// Who reads the register (举报台账): never hospitals or partners.
pub const READERS: [Role; 4] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
];
/// Who takes a tip up or not and links its cases (admin too).
pub const HANDLERS: [Role; 1] = [Role::Inspector];
/// Who approves rewards and records their payment (admin too).
pub const REWARDERS: [Role; 1] = [Role::Approver];

/// The largest tip body the intake reads (issue 21: abuse).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

const CLAIM_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A tip as the reporter sends it.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTip {
    /// The reported subject's code, if the reporter knows it (e.g. `H37010200001`).
    #[schema(max_length = 64, example = "H37010200001")]
    pub subject_code: Option<String>,
    /// Otherwise its name as the reporter knows it, 1–200 characters…
    #[schema(max_length = 200)]
    pub subject_name: Option<String>,
    /// …and its region (6-digit administrative division code).
    #[schema(pattern = r"^\d{6}$", example = "370102")]
    pub region: Option<String>,
    /// What happened, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub facts: String,
    /// When, as the reporter puts it (up to 200 characters).
    #[schema(max_length = 200)]
    pub occurred: Option<String>,
    /// Where (up to 200 characters).
    #[schema(max_length = 200)]
    pub place: Option<String>,
    /// References to evidence the reporter holds (file names, links), at most 20 of 1–500 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub evidence: Vec<String>,
    /// Whether the reporter wants a reward (举报奖励).
    #[serde(default)]
    pub wants_reward: bool,
    /// How to reach the reporter (up to 500 characters), only if they want to be reached. Sealed at rest and
    /// shown only to the handling inspector and admins.
    #[schema(max_length = 500)]
    pub contact: Option<String>,
}

/// The answer to a new tip: the claim code is shown this once and cannot be recovered.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TipReceipt {
    /// The tip's number (举报编号).
    #[schema(example = "JB20261206-7K3M9QXA")]
    pub number: String,
    /// The secret that proves the tip is yours: keep it. Needed to follow the tip and to claim a reward.
    #[schema(example = "K7M2Q-9XRT4-HN3PW-ZC8VB")]
    pub claim_code: String,
    pub state: TipState,
    pub received_on: NaiveDate,
    /// The authority decides whether to take it up by this day (working days).
    pub decision_due: NaiveDate,
}

/// SHA-256 of a claim code, as stored. A claim code carries 100 random bits, so a plain hash is enough.
pub(crate) fn claim_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_uppercase().as_bytes()))
}

fn random_chars(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| CLAIM_ALPHABET[rng.random_range(0..CLAIM_ALPHABET.len())] as char)
        .collect()
}

/// 20 characters in four groups: about 98 bits, typed from paper without confusing 0/O or 1/I/L.
fn new_claim_code() -> String {
    let code = random_chars(20);
    [&code[0..5], &code[5..10], &code[10..15], &code[15..20]].join("-")
}

/// Trimmed text of at most `max` characters, free of control characters; empty counts as absent.
pub(crate) fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let text = value.map(str::trim).filter(|v| !v.is_empty())?;
    errors.check(field, check_no_controls(text));
    if text.chars().count() > max {
        errors.add(field, msg!("tip-text-too-long", max = max as i64));
    }
    Some(text.to_string())
}

/// A tip's checked fields.
struct Checked {
    code: Option<String>,
    name: Option<String>,
    region: Option<String>,
    facts: String,
    occurred: Option<String>,
    place: Option<String>,
    evidence: Vec<String>,
    contact: Option<String>,
}

fn check(body: &NewTip) -> ServiceResult<Checked> {
    let mut errors = FieldErrors::default();
    let code = optional_text(
        &mut errors,
        "subject_code",
        body.subject_code.as_deref(),
        64,
    );
    let name = optional_text(
        &mut errors,
        "subject_name",
        body.subject_name.as_deref(),
        200,
    );
    let region = optional_text(&mut errors, "region", body.region.as_deref(), 6);
    if let Some(region) = &region
        && !(region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.add("region", msg!("tip-region-invalid"));
    }
    if code.is_none() && (name.is_none() || region.is_none()) {
        errors.add("subject_code", msg!("tip-subject-required"));
    }
    let facts = optional_text(&mut errors, "facts", Some(&body.facts), 5000);
    if facts.is_none() {
        errors.add("facts", msg!("tip-facts-required"));
    }
    let occurred = optional_text(&mut errors, "occurred", body.occurred.as_deref(), 200);
    let place = optional_text(&mut errors, "place", body.place.as_deref(), 200);
    if body.evidence.len() > 20 {
        errors.add("evidence", msg!("tip-evidence-too-many", max = 20));
    }
    let mut evidence = Vec::new();
    for (i, item) in body.evidence.iter().enumerate() {
        let field = format!("evidence[{i}]");
        match optional_text(&mut errors, &field, Some(item), 500) {
            Some(text) => evidence.push(text),
            None => errors.add(&field, msg!("tip-evidence-empty")),
        }
    }
    let contact = optional_text(&mut errors, "contact", body.contact.as_deref(), 500);
    errors.finish()?;
    Ok(Checked {
        code,
        name,
        region,
        facts: facts.unwrap_or_default(),
        occurred,
        place,
        evidence,
        contact,
    })
}

/// Seals `text` for the tip `number`, or refuses when the server has no key.
pub(crate) fn seal(
    key: Option<&TipKey>,
    field: &str,
    text: &str,
    number: &str,
) -> ServiceResult<String> {
    let key = key.ok_or_else(|| ServiceError::validation(field, msg!("tip-no-key")))?;
    key.seal(text, number)
        .map_err(|e| ServiceError::corrupt("tips", number, e))
}

/// Takes a tip from anyone. The audit row names the tip, never the reporter's details.
pub async fn intake(w: &Writer, key: Option<&TipKey>, body: NewTip) -> ServiceResult<TipReceipt> {
    let checked = check(&body)?;
    let today = w.cx.today();
    let decision_due =
        w.cx.config
            .calendar
            .add_working_days(today, w.cx.policy().tips.decision_working_days);
    let claim_code = new_claim_code();
    let number = format!("JB{}-{}", today.format("%Y%m%d"), random_chars(8));
    let contact = match &checked.contact {
        Some(text) => Some(seal(key, "contact", text, &number)?),
        None => None,
    };
    let row = tip::ActiveModel {
        number: Set(number.clone()),
        claim_hash: Set(claim_hash(&claim_code)),
        state: Set(TipState::Received.as_str().to_string()),
        reported_code: Set(checked.code),
        reported_name: Set(checked.name),
        reported_region: Set(checked.region),
        facts: Set(checked.facts),
        occurred: Set(checked.occurred),
        place: Set(checked.place),
        evidence: Set(serde_json::to_string(&checked.evidence).unwrap_or_else(|_| "[]".into())),
        wants_reward: Set(body.wants_reward),
        named: Set(contact.is_some()),
        insider: Set(false),
        contact_sealed: Set(contact),
        received_at: Set(w.cx.now),
        decision_due: Set(decision_due),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let region = row.reported_region.as_deref();
    crate::service::stats::tip(w.db(), region, Metric::TipReceived, today, 1).await?;
    let audit = serde_json::json!({"number": row.number, "named": row.named, "wants_reward": row.wants_reward});
    w.audit("tip.receive", &target(&row), &audit).await?;
    Ok(TipReceipt {
        number: row.number,
        claim_code,
        state: TipState::Received,
        received_on: today,
        decision_due,
    })
}

/// The audit target of a tip.
pub(crate) fn target(row: &tip::Model) -> String {
    format!("tip:{}", row.id)
}

pub(crate) fn state_of(row: &tip::Model) -> ServiceResult<TipState> {
    column("tips", row.id, &row.state)
}

pub(crate) fn reward_state_of(row: &tip::Model) -> ServiceResult<Option<RewardState>> {
    row.reward_state
        .as_deref()
        .map(|s| column("tips", row.id, s))
        .transpose()
}
