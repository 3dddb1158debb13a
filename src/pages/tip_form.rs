//! 举报 for people (`/public/tips`): the form, and the receipt that shows the claim code once. Plain HTML forms
//! posting to this server (the CSP's `form-action 'self'`), no script.

use askama::Template;
use axum::response::Response;

use super::{STYLE, lang, respond};
use crate::i18n::{t, t_with};
use crate::service::error::FieldError;
use crate::service::tips::{NewTip, TipReceipt};
use crate::shared::error::ServiceError;

#[derive(Template)]
#[template(path = "tip_form.html")]
struct TipFormPage {
    lang: &'static str,
    style: &'static str,
    title: String,
    heading: String,
    intro: String,
    errors_label: String,
    errors: Vec<String>,
    fields: Vec<Field>,
    wants_reward: bool,
    wants_reward_label: String,
    submit: String,
}

struct Field {
    name: &'static str,
    label: String,
    value: String,
    multiline: bool,
}

#[derive(Template)]
#[template(path = "tip_receipt.html")]
struct TipReceiptPage {
    lang: &'static str,
    style: &'static str,
    title: String,
    heading: String,
    number_label: String,
    number: String,
    code_label: String,
    code: String,
    warning: String,
    due: String,
}

/// The form, with what the reader typed and what to correct.
pub fn form(tip: &NewTip, errors: &[FieldError]) -> Result<Response, ServiceError> {
    let field = |name, key: &str, value: &Option<String>, multiline| Field {
        name,
        label: t(key),
        value: value.clone().unwrap_or_default(),
        multiline,
    };
    let fields = vec![
        field(
            "subject_code",
            "tip-form-subject-code",
            &tip.subject_code,
            false,
        ),
        field(
            "subject_name",
            "tip-form-subject-name",
            &tip.subject_name,
            false,
        ),
        field("region", "tip-form-region", &tip.region, false),
        field("facts", "tip-form-facts", &Some(tip.facts.clone()), true),
        field("occurred", "tip-form-occurred", &tip.occurred, false),
        field("place", "tip-form-place", &tip.place, false),
        field(
            "evidence",
            "tip-form-evidence",
            &Some(tip.evidence.join("\n")),
            true,
        ),
        field("contact", "tip-form-contact", &tip.contact, false),
    ];
    respond(&TipFormPage {
        lang: lang(),
        style: STYLE,
        title: t("tip-form-title"),
        heading: t("tip-form-heading"),
        intro: t("tip-form-intro"),
        errors_label: t("tip-form-errors"),
        errors: errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
        fields,
        wants_reward: tip.wants_reward,
        wants_reward_label: t("tip-form-wants-reward"),
        submit: t("tip-form-submit"),
    })
}

/// The receipt: the number, and the claim code shown this once with a plain warning to keep it.
pub fn receipt(receipt: &TipReceipt) -> Result<Response, ServiceError> {
    respond(&TipReceiptPage {
        lang: lang(),
        style: STYLE,
        title: t("tip-receipt-title"),
        heading: t("tip-receipt-heading"),
        number_label: t("tip-receipt-number"),
        number: receipt.number.clone(),
        code_label: t("tip-receipt-code"),
        code: receipt.claim_code.clone(),
        warning: t("tip-receipt-warning"),
        due: t_with(
            "tip-receipt-due",
            &[("date", receipt.decision_due.to_string().into())],
        ),
    })
}
