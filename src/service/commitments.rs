//! Credit and service commitments (信用承诺, issue 20 point 2): an admin publishes versioned texts, never edited;
//! signatures are recorded for institutions, pharmacies and practitioners, by a hospital office for its own
//! institution and its practitioners or by an inspector for anyone. Whether a subject's commitment is valid is
//! derived (`domain::registration::commitment_on`) from the texts and signatures that standing facts carry, so
//! every signature and every new text rewrites the standings it changes.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::registration::commitment_on;
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::domain::text::{check_name_has_letter, check_no_controls};
use crate::i18n::msg;
use crate::service::cases::Evidence;
use crate::service::cases::rules::check_evidence;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
use crate::service::writer::Writer;
use crate::shared::facts::load_facts;
use crate::shared::lookup::{find_visible, kind_of};
use crate::shared::registration_facts::{all_texts, kinds_of};
use crate::shared::views::CommitmentView;
use entity::{commitment, commitment_text, subject};

/// Who records signatures (admin too, as everywhere); a hospital only for its own subjects.
pub const SIGNERS: [Role; 2] = [Role::Inspector, Role::Hospital];

/// What a version looks like: short, printable, no spaces (`2026-1`, `v2`).
pub const VERSION_PATTERN: &str = "^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$";

/// The kinds that sign commitments: everyone but insured persons.
const SIGNING_KINDS: [SubjectKind; 3] = [
    SubjectKind::Institution,
    SubjectKind::Pharmacy,
    SubjectKind::Practitioner,
];

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitmentText {
    /// The kinds that sign it: `institution`, `pharmacy`, `practitioner`.
    #[schema(min_items = 1, max_items = 3)]
    pub applies_to: Vec<SubjectKind>,
    #[schema(example = "2026-1", pattern = "^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")]
    pub version: String,
    #[schema(example = "定点医药机构信用承诺书", min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// First day it is in force (UTC+8); later than every earlier text of the same kinds.
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub effective_from: NaiveDate,
    /// Days a signature of the version before stays valid once this one takes effect (policy
    /// `commitments.resign_within_days` when absent, at most `commitments.max_resign_within_days`).
    #[schema(minimum = 0, maximum = 3650)]
    pub resign_within_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentTextView {
    pub id: i64,
    pub version: String,
    pub applies_to: Vec<SubjectKind>,
    pub title: String,
    pub body: String,
    pub effective_from: NaiveDate,
    pub resign_within_days: u32,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

pub fn text_view(m: commitment_text::Model) -> ServiceResult<CommitmentTextView> {
    Ok(CommitmentTextView {
        applies_to: kinds_of(&m)?,
        id: m.id,
        version: m.version,
        title: m.title,
        body: m.body,
        effective_from: m.effective_from,
        resign_within_days: u32::try_from(m.resign_within_days).unwrap_or(0),
        published_at: m.published_at,
    })
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitment {
    /// A published text that applies to the subject's kind.
    #[schema(example = "2026-1", pattern = "^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")]
    pub text_version: String,
    /// Day it was signed (UTC+8), not in the future.
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub signed_on: NaiveDate,
    /// Who signed: the legal representative, or the practitioner.
    #[schema(example = "张三", min_length = 1, max_length = 100)]
    pub signer_name: String,
    /// References to the signed paper or file, as a case's evidence.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub evidence: Vec<Evidence>,
}

/// A length and control-character check of one free-text field.
fn check_text(
    errors: &mut FieldErrors,
    field: &str,
    text: &str,
    max: usize,
    key: crate::i18n::Msg,
) {
    let n = text.trim().chars().count();
    if !(1..=max).contains(&n) {
        errors.add(field, key);
    } else if let Err(m) = check_no_controls(text) {
        errors.add(field, m);
    }
}

fn check_version(errors: &mut FieldErrors, field: &str, version: &str) {
    let ok = regex::Regex::new(VERSION_PATTERN).is_ok_and(|r| r.is_match(version));
    if !ok {
        errors.add(field, msg!("commitment-version-invalid"));
    }
}

/// Publishes a text. Admin only. A text is never edited: a new version replaces it from its own date, which
/// must come after every earlier text's of the same kinds (409 otherwise, as for a version already used).
pub async fn publish(w: &Writer, input: NewCommitmentText) -> ServiceResult<CommitmentTextView> {
    w.actor.require(&[])?;
    let policy = &w.cx.policy().commitments;
    let mut errors = FieldErrors::default();
    let mut kinds = input.applies_to.clone();
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    let repeated = kinds.len() != input.applies_to.len();
    if kinds.is_empty() || repeated || kinds.iter().any(|k| !SIGNING_KINDS.contains(k)) {
        errors.add("applies_to", msg!("commitment-kinds-invalid"));
    }
    check_version(&mut errors, "version", &input.version);
    check_text(
        &mut errors,
        "title",
        &input.title,
        200,
        msg!("must-be-1-to-200-characters"),
    );
    check_text(
        &mut errors,
        "body",
        &input.body,
        20000,
        msg!("commitment-body-length"),
    );
    let grace = input
        .resign_within_days
        .unwrap_or(policy.resign_within_days);
    if grace > policy.max_resign_within_days {
        let max = policy.max_resign_within_days.to_string();
        errors.add(
            "resign_within_days",
            msg!("commitment-grace-too-long", max = max),
        );
    }
    errors.finish()?;
    let txn = w.db();
    let texts = all_texts(txn).await?;
    if texts.iter().any(|t| t.version == input.version) {
        return Err(ServiceError::Conflict(msg!(
            "commitment-version-taken",
            version = input.version.clone()
        )));
    }
    for text in &texts {
        let overlaps = kinds_of(text)?.iter().any(|k| kinds.contains(k));
        if overlaps && text.effective_from >= input.effective_from {
            return Err(ServiceError::Conflict(msg!(
                "commitment-text-not-after",
                version = text.version.clone(),
                day = text.effective_from.to_string()
            )));
        }
    }
    let kinds_json = serde_json::to_string(&kinds)
        .map_err(|e| ServiceError::Unprocessable(msg!("change-is-not-json", e = e.to_string())))?;
    let model = commitment_text::ActiveModel {
        version: Set(input.version.clone()),
        applies_to: Set(kinds_json),
        title: Set(input.title.trim().to_string()),
        body: Set(input.body.clone()),
        effective_from: Set(input.effective_from),
        resign_within_days: Set(i32::try_from(grace).unwrap_or(i32::MAX)),
        published_by: Set(w.actor.sub.clone()),
        published_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    w.audit("commitment_text.publish", &input.version, &input)
        .await?;
    // Every standing of these kinds carries the texts: each is rewritten at commit.
    let kind_names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let ids: Vec<i64> = subject::Entity::find()
        .select_only()
        .column(subject::Column::Id)
        .filter(subject::Column::Kind.is_in(kind_names))
        .into_tuple()
        .all(txn)
        .await?;
    for id in ids {
        w.touch(id);
    }
    text_view(model)
}

/// Records a signature. The subject is found as the recorder may see it: a hospital gets the same 403 for a
/// subject that is not its own and for one that is not there.
pub async fn sign(w: &Writer, code: &str, input: NewCommitment) -> ServiceResult<CommitmentView> {
    w.actor.require(&SIGNERS)?;
    let txn = w.db();
    let subject = find_visible(txn, &w.cx, &w.actor, code).await?;
    let kind = kind_of(&subject)?;
    if !SIGNING_KINDS.contains(&kind) {
        return Err(ServiceError::Unprocessable(msg!(
            "commitment-not-for-insured"
        )));
    }
    let mut errors = FieldErrors::default();
    check_version(&mut errors, "text_version", &input.text_version);
    if input.signed_on > w.cx.today() {
        errors.add("signed_on", msg!("may-not-be-in-the-future"));
    }
    let name = input.signer_name.trim();
    check_text(
        &mut errors,
        "signer_name",
        name,
        100,
        msg!("must-be-1-to-100-characters"),
    );
    if !name.is_empty()
        && let Err(m) = check_name_has_letter(name)
    {
        errors.add("signer_name", m);
    }
    check_evidence(&input.evidence, &mut errors);
    errors.finish()?;
    let text = commitment_text::Entity::find()
        .filter(commitment_text::Column::Version.eq(input.text_version.as_str()))
        .one(txn)
        .await?;
    let text = match text {
        Some(t) if kinds_of(&t)?.contains(&kind) => t,
        _ => {
            return Err(ServiceError::validation(
                "text_version",
                msg!("commitment-text-unknown", kind = kind.as_str().to_string()),
            ));
        }
    };
    let evidence = serde_json::to_value(&input.evidence)
        .map_err(|e| ServiceError::Unprocessable(msg!("change-is-not-json", e = e.to_string())))?;
    let model = commitment::ActiveModel {
        subject_id: Set(subject.id),
        text_id: Set(text.id),
        text_version: Set(text.version.clone()),
        signed_on: Set(input.signed_on),
        signer_name: Set(name.to_string()),
        evidence: Set(evidence.to_string()),
        recorded_role: Set(w.actor.role.as_str().to_string()),
        recorded_org: Set(w.actor.org.clone()),
        recorded_by: Set(w.actor.sub.clone()),
        recorded_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    w.audit("commitment.sign", code, &input).await?;
    let facts = load_facts(txn, subject.id, kind, w.cx.cycle()).await?;
    let state = commitment_on(&facts.commitment_texts, &facts.signatures, w.cx.today()).state;
    let view = view_of(model, &subject, kind, Some(state));
    let subject_ref = (subject.id, subject.code.as_str());
    w.change(
        ChangeEntity::Commitment,
        view.id,
        subject_ref,
        ChangeOp::Added,
        &view,
    )
    .await?;
    // 守信激励: a valid commitment earns an institution or pharmacy its once-a-cycle bonus, in this transaction
    // (the bonus use case does nothing for people and nothing twice in a cycle).
    if state == crate::domain::registration::CommitmentState::Signed {
        crate::service::bonuses::award_commitment_bonus(w, subject.id).await?;
    }
    Ok(view)
}

/// The view of a stored signature.
pub fn view_of(
    m: commitment::Model,
    subject: &subject::Model,
    kind: SubjectKind,
    state: Option<crate::domain::registration::CommitmentState>,
) -> CommitmentView {
    CommitmentView {
        id: m.id,
        subject_code: subject.code.clone(),
        subject_kind: kind,
        text_version: m.text_version,
        signed_on: m.signed_on,
        signer_name: m.signer_name,
        evidence: serde_json::from_str(&m.evidence).unwrap_or_default(),
        recorded_at: m.recorded_at,
        state,
    }
}
