//! The words pages print for what the data holds as codes and dates, each from the catalogue in the reader's
//! language: a subject's kind, a list's measures, a remedy and its window, a date as people write it, a region
//! by its names. Shared by every page.

use chrono::{Datelike, NaiveDate};

use crate::domain::lists::{ListMeasure, Remedy, RemedyKind};
use crate::domain::scoring::SubjectKind;
use crate::i18n::{t, t_with};

/// A labelled value of a page (`<dt>`/`<dd>`).
pub struct Row {
    pub label: String,
    pub value: String,
}

/// A row whose label is the catalogue's `key`.
pub fn row(key: &str, value: String) -> Row {
    Row {
        label: t(key),
        value,
    }
}

/// A date as people write it in the reader's language (2026年12月6日).
pub fn long_date(day: NaiveDate) -> String {
    t_with(
        "date-long",
        &[
            ("year", i64::from(day.year()).into()),
            ("month", i64::from(day.month()).into()),
            ("day", i64::from(day.day()).into()),
        ],
    )
}

pub fn kind_name(kind: SubjectKind) -> String {
    t(&format!("label-subject-kind-{kind}"))
}

pub fn measure_name(measure: ListMeasure) -> String {
    t(&format!("label-list-measure-{measure}"))
}

pub fn remedy_name(kind: RemedyKind) -> String {
    t(&format!("label-remedy-{kind}"))
}

pub fn remedy_window(r: &Remedy) -> String {
    match r.until {
        Some(until) => t_with(
            "remedy-window",
            &[
                ("from", long_date(r.from).into()),
                ("until", long_date(until).into()),
            ],
        ),
        None => t_with("remedy-window-open", &[("from", long_date(r.from).into())]),
    }
}

/// A remedy in one line, as the public list prints it.
pub fn remedy_line(r: &Remedy) -> String {
    format!("{}：{}", remedy_name(r.kind), remedy_window(r))
}

/// A region as a reader expects it: its name in its prefecture and province, beside its code
/// (山东省济南市历下区（370102）).
pub fn region_label(code: &str) -> String {
    let Some(region) = crate::domain::regions::region(code) else {
        return code.to_string();
    };
    let mut name = region.province.name.clone();
    if let Some(prefecture) = region.prefecture.filter(|p| p.name != region.province.name) {
        name.push_str(&prefecture.name);
    }
    name.push_str(&region.name);
    format!("{name}（{code}）")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sanctions::SanctionType;
    use crate::i18n::{Locale, has_key};

    /// Keys built from a closed set's codes: every code has its name in every language.
    #[test]
    fn every_closed_set_has_its_names() {
        let mut keys: Vec<String> = SubjectKind::ALL
            .iter()
            .map(|k| format!("label-subject-kind-{k}"))
            .collect();
        keys.extend(
            ListMeasure::ALL
                .iter()
                .map(|m| format!("label-list-measure-{m}")),
        );
        keys.extend(
            SanctionType::ALL
                .iter()
                .map(|s| format!("label-sanction-type-{s}")),
        );
        let remedies = crate::domain::notices::decision_remedies(
            &crate::domain::policy::Policy::default(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            crate::domain::policy::Severity::Minor,
            None,
        );
        keys.extend(remedies.iter().map(|r| format!("label-remedy-{}", r.kind)));
        for locale in Locale::ALL {
            for key in &keys {
                assert!(has_key(locale, key), "{key} in {}", locale.tag());
            }
        }
    }
}
