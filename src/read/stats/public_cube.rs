//! The public figures of one year as one decision: every prefecture's figures for organisations, summed up to
//! provinces and the nation, with the cells withheld under `domain::stats::disclosure`. Each public answer —
//! `/public/v1/stats` by any grouping or region, and the page's table — is cut from this, so that no two of
//! them can be subtracted to recover a withheld cell.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::ConnectionTrait;

use super::query::Measured;
use super::{Cell, Request, cells};
use crate::domain::regions::province_of;
use crate::domain::stats::Dimension;
use crate::domain::stats::disclosure::{Leaf, Withheld, withheld};
use crate::shared::error::ServiceResult;

/// Where a public cell lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Nation,
    Province(String),
    Prefecture(String),
}

/// One year's public figures by prefecture, and what is withheld.
pub struct Cube {
    names: Vec<&'static str>,
    /// Prefecture → its province and its measured figures.
    prefectures: BTreeMap<String, (String, BTreeMap<&'static str, Measured>)>,
    withheld: BTreeMap<&'static str, Withheld>,
    hidden: String,
}

impl Cube {
    /// The cube of `r`'s figures over its days (`r`'s dimensions and place are not used: the cube is always
    /// the whole country by prefecture).
    pub async fn read<C: ConnectionTrait>(db: &C, r: &Request<'_>) -> ServiceResult<Cube> {
        let by_prefecture = Request {
            figures: r.figures,
            filter: super::query::Filter {
                place: None,
                ..r.filter.clone()
            },
            dims: vec![Dimension::Prefecture],
            from: r.from,
            to: r.to,
            compare: None,
            cells: r.cells,
        };
        let measured = cells(db, &by_prefecture, (r.from, r.to)).await?;
        let prefectures: BTreeMap<String, (String, BTreeMap<&'static str, Measured>)> = measured
            .into_iter()
            .filter_map(|(key, figures)| {
                let prefecture = key.into_iter().next()?;
                let province = province_of(&prefecture)
                    .map(|d| d.code)
                    .unwrap_or_else(|| prefecture.clone());
                Some((prefecture, (province, figures)))
            })
            .collect();
        let names: Vec<&'static str> = r.figures.iter().map(|f| f.name).collect();
        let min = i64::from(r.cells.min_subjects);
        let withheld = names
            .iter()
            .map(|name| {
                let leaves: Vec<Leaf> = prefectures
                    .iter()
                    .map(|(prefecture, (province, figures))| Leaf {
                        province: province.clone(),
                        prefecture: prefecture.clone(),
                        subjects: figures.get(name).map(|m| m.subjects).unwrap_or(0),
                    })
                    .collect();
                (*name, withheld(&leaves, min))
            })
            .collect();
        Ok(Cube {
            names,
            prefectures,
            withheld,
            hidden: format!("<{}", r.cells.min_subjects),
        })
    }

    /// The prefectures counted, each with its province.
    pub fn prefectures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.prefectures
            .iter()
            .map(|(prefecture, (province, _))| (province.as_str(), prefecture.as_str()))
    }

    /// The provinces counted.
    pub fn provinces(&self) -> BTreeSet<&str> {
        self.prefectures().map(|(province, _)| province).collect()
    }

    /// Whether the cell of figure `name` at `place` is withheld.
    pub fn withholds(&self, name: &str, place: &Place) -> bool {
        let Some(withheld) = self.withheld.get(name) else {
            return false;
        };
        match place {
            Place::Nation => withheld.nation,
            Place::Province(code) => withheld.provinces.contains(code),
            Place::Prefecture(code) => withheld.prefectures.contains(code),
        }
    }

    /// The figures of a place, each a count or withheld.
    pub fn values(&self, place: &Place) -> BTreeMap<String, Cell> {
        let under = |prefecture: &str, province: &str| match place {
            Place::Nation => true,
            Place::Province(code) => province == code,
            Place::Prefecture(code) => prefecture == code,
        };
        self.names
            .iter()
            .map(|name| {
                let cell = if self.withholds(name, place) {
                    Cell::Hidden(self.hidden.clone())
                } else {
                    let total = self
                        .prefectures
                        .iter()
                        .filter(|(prefecture, (province, _))| under(prefecture, province))
                        .filter_map(|(_, (_, figures))| figures.get(name))
                        .map(|m| m.total)
                        .sum();
                    Cell::Count(total)
                };
                (name.to_string(), cell)
            })
            .collect()
    }
}
