//! The printable notice (行政处理告知书) of an approved case, a sanction or a black-list entry, rendered from
//! `service::notices::Notice` in the reader's language. Also the words for the closed sets that pages print
//! (subject kinds, measures, remedies, sanction types), each from the catalogue.

use askama::Template;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};

use super::words::{
    Row, kind_name, long_date, measure_name, region_label, remedy_name, remedy_window, row,
};
use super::{STYLE, lang, respond};
use crate::i18n::{t, t_with};
use crate::service::exports::cell::yuan;
use crate::service::notices::{CaseFacts, Decision, Notice, NoticeOf};
use crate::shared::error::ServiceError;
use crate::shared::views::SanctionView;

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    lang: &'static str,
    style: &'static str,
    title: String,
    number: String,
    addressee: String,
    sections: Vec<Section>,
    authority: String,
    issued: String,
}

struct Section {
    heading: String,
    rows: Vec<Row>,
    paragraphs: Vec<String>,
}

pub fn render(notice: &Notice, today: NaiveDate) -> Result<Response, ServiceError> {
    let (title, prefix) = match notice.of {
        NoticeOf::Case => (t("notice-title-case"), "notice-number-case"),
        NoticeOf::Sanction => (t("notice-title-sanction"), "notice-number-sanction"),
        NoticeOf::BlackListEntry => (t("notice-title-black"), "notice-number-black"),
    };
    let subject = &notice.subject;
    let mut sections = vec![Section {
        heading: t("notice-section-subject"),
        rows: vec![
            row("notice-subject-name", subject.name.clone()),
            row("notice-subject-code", subject.code.clone()),
            row("notice-subject-kind", kind_name(subject.kind)),
            row("notice-subject-region", region_label(&subject.region)),
        ],
        paragraphs: Vec::new(),
    }];
    sections.push(Section {
        heading: t("notice-section-facts"),
        rows: Vec::new(),
        paragraphs: notice.cases.iter().map(fact).collect(),
    });
    let mut bases: Vec<String> = notice.cases.iter().map(|c| c.legal_basis.clone()).collect();
    if let Decision::BlackListEntry { legal_basis, .. } = &notice.decision {
        bases.insert(0, legal_basis.clone());
    }
    bases.dedup();
    sections.push(Section {
        heading: t("notice-section-basis"),
        rows: Vec::new(),
        paragraphs: bases,
    });
    sections.push(decision(notice));
    sections.push(Section {
        heading: t("notice-section-remedies"),
        rows: notice
            .remedies
            .iter()
            .map(|r| Row {
                label: remedy_name(r.kind),
                value: remedy_window(r),
            })
            .collect(),
        paragraphs: vec![t("notice-remedies-note")],
    });
    respond(&NoticePage {
        lang: lang(),
        style: STYLE,
        number: t_with(
            prefix,
            &[
                ("year", i64::from(notice.decided_on.year()).into()),
                ("id", notice.id.into()),
            ],
        ),
        title,
        addressee: t_with("notice-addressee", &[("name", subject.name.clone().into())]),
        sections,
        authority: t("notice-authority"),
        issued: t_with("notice-issued", &[("date", long_date(today).into())]),
    })
}

fn fact(case: &CaseFacts) -> String {
    t_with(
        "notice-fact",
        &[
            ("id", case.id.into()),
            ("date", long_date(case.occurred_on).into()),
            (
                "type",
                format!("{}（{}）", case.type_name, case.type_code).into(),
            ),
            ("description", case.description.clone().into()),
            ("involved", yuan(case.amount_involved_fen).into()),
            ("recover", yuan(case.amount_to_recover_fen).into()),
        ],
    )
}

fn decision(notice: &Notice) -> Section {
    let mut rows = vec![row("notice-decided-on", long_date(notice.decided_on))];
    let mut paragraphs = Vec::new();
    match &notice.decision {
        Decision::Case { points, sanctions } => {
            if let Some(points) = points {
                rows.push(row("notice-points", points.to_string()));
            }
            paragraphs.extend(sanctions.iter().map(sanction_line));
            if sanctions.is_empty() {
                paragraphs.push(t("notice-no-sanction"));
            }
        }
        Decision::Sanction(sanction) => paragraphs.push(sanction_line(sanction)),
        Decision::BlackListEntry {
            listed_on,
            expires_on,
            measures,
            reason,
            exit_conditions,
            ..
        } => {
            rows.push(row("notice-listed-on", long_date(*listed_on)));
            if let Some(until) = expires_on {
                rows.push(row("notice-expires-on", long_date(*until)));
            }
            let measures: Vec<String> = measures.iter().copied().map(measure_name).collect();
            rows.push(row("notice-measures", measures.join("、")));
            rows.push(row("notice-reason", reason.text()));
            rows.push(row("notice-exit", exit_conditions.text()));
        }
    }
    Section {
        heading: t("notice-section-decision"),
        rows,
        paragraphs,
    }
}

fn sanction_line(s: &SanctionView) -> String {
    let until = s
        .ends_on
        .map(long_date)
        .unwrap_or_else(|| t("notice-open-ended"));
    t_with(
        "notice-sanction",
        &[
            ("id", s.id.into()),
            (
                "type",
                t(&format!("label-sanction-type-{}", s.sanction_type)).into(),
            ),
            ("from", long_date(s.starts_on).into()),
            ("until", until.into()),
            ("reason", s.reason.clone().into()),
        ],
    )
}
