//! 曝光台: the published black list in force, as a page for anyone (`GET /public/blacklist`).

use askama::Template;
use axum::response::Response;

use super::words::{Row, kind_name, measure_name, region_label, remedy_line};
use super::{STYLE, lang, respond};
use crate::i18n::{t, t_with};
use crate::pagination::Page;
use crate::shared::error::ServiceError;
use crate::shared::views::PublicEntryView;

#[derive(Template)]
#[template(path = "public_list.html")]
struct PublicList {
    lang: &'static str,
    style: &'static str,
    title: String,
    heading: String,
    intro: String,
    q: String,
    q_placeholder: String,
    q_label: String,
    region: String,
    region_placeholder: String,
    region_label: String,
    search: String,
    entries: Vec<Entry>,
    empty: String,
    next: Option<String>,
    next_label: String,
}

struct Entry {
    name: String,
    code: String,
    kind: String,
    region: String,
    listed: String,
    until: String,
    rows: Vec<Row>,
}

/// The page of `page`'s entries, with the search the reader typed kept in the form and in the next page's link.
pub fn render(
    page: &Page<PublicEntryView>,
    q: &str,
    region: &str,
) -> Result<Response, ServiceError> {
    let next = page.next_cursor.as_ref().map(|cursor| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .append_pair("region", region)
            .append_pair("cursor", cursor)
            .finish();
        format!("?{query}")
    });
    respond(&PublicList {
        lang: lang(),
        style: STYLE,
        title: t("public-list-title"),
        heading: t("public-list-heading"),
        intro: t("public-list-intro"),
        q: q.to_string(),
        q_placeholder: t("public-list-q-placeholder"),
        q_label: t("public-list-q-label"),
        region: region.to_string(),
        region_placeholder: t("public-list-region-placeholder"),
        region_label: t("public-list-region-label"),
        search: t("public-list-search"),
        entries: page.items.iter().map(entry).collect(),
        empty: t("public-list-empty"),
        next,
        next_label: t("public-list-next"),
    })
}

fn entry(e: &PublicEntryView) -> Entry {
    let measures: Vec<String> = e.measures.iter().copied().map(measure_name).collect();
    let remedies: Vec<String> = e.remedies.iter().map(remedy_line).collect();
    let row = |key: &str, value: String| Row {
        label: t(key),
        value,
    };
    Entry {
        name: e.subject_name.clone(),
        code: e.subject_code.clone(),
        kind: kind_name(e.subject_kind),
        region: region_label(&e.region),
        listed: t_with(
            "public-list-listed-on",
            &[("date", e.listed_on.to_string().into())],
        ),
        until: e
            .expires_on
            .map(|d| t_with("public-list-until", &[("date", d.to_string().into())]))
            .unwrap_or_default(),
        rows: vec![
            row("public-list-reason", e.reason.text()),
            row("public-list-basis", e.legal_basis.clone()),
            row("public-list-measures", measures.join("、")),
            row("public-list-exit", e.exit_conditions.text()),
            row("public-list-remedies", remedies.join("；")),
        ],
    }
}
