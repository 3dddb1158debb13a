//! A statistics answer as CSV (`Accept: text/csv`), under the export rules (`shared::csv`): the
//! same rows as the JSON, one column per dimension (and the name of a place), one per figure, and with
//! `compare` last year's figure and the change beside each. Headers come from the catalogue in the reader's
//! language; amounts stay in fen, as the header says.

use crate::domain::stats::Dimension;
use crate::i18n::{self, Arg};
use crate::shared::csv::csv_table;
use crate::shared::error::ServiceResult;

use super::StatRow;

/// The header of a figure: grades and points bands are named with their label, the rest by catalogue key.
pub fn figure_header(name: &str) -> String {
    if let Some(grade) = name.strip_prefix("grade_") {
        i18n::t_with("export-column-stat-grade", &[("grade", Arg::from(grade))])
    } else if let Some(band) = name.strip_prefix("points_") {
        i18n::t_with(
            "export-column-stat-points-band",
            &[("band", Arg::from(band))],
        )
    } else {
        i18n::t(&format!("export-column-stat-{}", name.replace('_', "-")))
    }
}

fn dimension_header(d: Dimension) -> String {
    i18n::t(&format!(
        "export-column-stat-by-{}",
        d.as_str().replace('_', "-")
    ))
}

/// The CSV of `rows` grouped by `dims` with `figures`; `compare` adds last year's figures and the change.
pub fn encode(
    dims: &[Dimension],
    figures: &[String],
    rows: &[StatRow],
    compare: bool,
) -> ServiceResult<Vec<u8>> {
    let mut headers = Vec::new();
    for d in dims {
        headers.push(dimension_header(*d));
        if d.is_place() {
            headers.push(i18n::t("export-column-stat-place-name"));
        }
    }
    for f in figures {
        let header = figure_header(f);
        if compare {
            let arg = [("figure", Arg::from(header.as_str()))];
            headers.push(header.clone());
            headers.push(i18n::t_with("export-column-stat-previous", &arg));
            headers.push(i18n::t_with("export-column-stat-change", &arg));
        } else {
            headers.push(header);
        }
    }
    let cells = rows
        .iter()
        .map(|row| {
            let mut out = Vec::new();
            for g in &row.group {
                out.push(g.value.clone());
                if g.dimension.is_place() {
                    out.push(g.name.clone().unwrap_or_default());
                }
            }
            let text = |map: Option<&std::collections::BTreeMap<String, super::Cell>>, f: &str| {
                map.and_then(|m| m.get(f))
                    .map(ToString::to_string)
                    .unwrap_or_default()
            };
            for f in figures {
                out.push(text(Some(&row.values), f));
                if compare {
                    out.push(text(row.previous.as_ref(), f));
                    out.push(text(row.change.as_ref(), f));
                }
            }
            out
        })
        .collect();
    csv_table(headers, cells)
}
