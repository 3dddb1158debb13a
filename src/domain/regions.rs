//! Administrative divisions (行政区划, GB/T 2260) shipped as data: the county-level codes a subject's `region`
//! may take (`data/regions.txt`) and the prefectures and provinces above them
//! (`data/regions-above-county.txt`), both from the Ministry of Civil Affairs' 2024 list; each file's header
//! says where it comes from and what was kept.
//!
//! Names are data, not catalogue messages: Chinese proper names, shown as they are in every language (no
//! source of official English names is shipped).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) const COUNTIES: &str = include_str!("../../data/regions.txt");
const ABOVE_COUNTY: &str = include_str!("../../data/regions-above-county.txt");

fn rows(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(' '))
}

pub(crate) static COUNTY_NAMES: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| rows(COUNTIES).collect());
static ABOVE_COUNTY_NAMES: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| rows(ABOVE_COUNTY).collect());

/// One division: its code and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Division {
    #[schema(example = "370100")]
    pub code: String,
    #[schema(example = "济南市")]
    pub name: String,
}

/// A county-level division with the prefecture and province it belongs to: what an answer shows next to a
/// `region` code, and what statistics roll a county up by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Region {
    #[schema(example = "370102")]
    pub code: String,
    #[schema(example = "历下区")]
    pub name: String,
    /// Absent for a division directly under a province-level unit: the districts of the four municipalities
    /// (北京, 天津, 上海, 重庆) and the county-level divisions a province governs directly (济源市, 仙桃市…).
    /// A prefecture-level city without counties (东莞市) is its own prefecture.
    pub prefecture: Option<Division>,
    pub province: Division,
}

fn division(code: &str, name: &str) -> Division {
    Division {
        code: code.to_string(),
        name: name.to_string(),
    }
}

/// Whether `code` is a county-level division of the shipped list (the codes a subject's `region` may take).
pub fn is_county(code: &str) -> bool {
    COUNTY_NAMES.contains_key(code)
}

/// The province-level division of a county- or prefecture-level code of the shipped lists.
pub fn province_of(code: &str) -> Option<Division> {
    let province = format!("{}0000", code.get(..2)?);
    let name = ABOVE_COUNTY_NAMES.get(province.as_str())?;
    Some(division(&province, name))
}

/// The prefecture-level division of a county-level code (itself for a prefecture-level city without counties);
/// `None` for divisions directly under a province-level unit and for codes not in the shipped lists.
pub fn prefecture_of(code: &str) -> Option<Division> {
    let prefecture = format!("{}00", code.get(..4)?);
    if prefecture.ends_with("0000") {
        return None;
    }
    let name = ABOVE_COUNTY_NAMES.get(prefecture.as_str())?;
    Some(division(&prefecture, name))
}

/// A county-level code with its name, prefecture and province; `None` when the code is not in the shipped list
/// (a row written before regions were checked against it).
pub fn region(code: &str) -> Option<Region> {
    let name = COUNTY_NAMES.get(code)?;
    Some(Region {
        code: code.to_string(),
        name: (*name).to_string(),
        prefecture: prefecture_of(code),
        province: province_of(code)?,
    })
}

/// The name of a county-level code (`370102` → 历下区).
pub fn region_name(code: &str) -> Option<String> {
    COUNTY_NAMES.get(code).map(|name| (*name).to_string())
}

/// The name of any shipped division: a county, a prefecture or a province.
pub fn division_name(code: &str) -> Option<String> {
    COUNTY_NAMES
        .get(code)
        .or_else(|| ABOVE_COUNTY_NAMES.get(code))
        .map(|name| (*name).to_string())
}

/// Which column of the statistics a division's code selects: a county, a prefecture or a province (a
/// province-level code ends in `0000`, a prefecture-level one in `00`); `None` for a code not shipped.
pub fn level_of(code: &str) -> Option<Level> {
    if COUNTY_NAMES.contains_key(code) {
        Some(Level::County)
    } else if !ABOVE_COUNTY_NAMES.contains_key(code) {
        None
    } else if code.ends_with("0000") {
        Some(Level::Province)
    } else {
        Some(Level::Prefecture)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    County,
    Prefecture,
    Province,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_county_names_its_prefecture_and_province() {
        let lixia = region("370102").expect("历下区");
        assert_eq!(lixia.name, "历下区");
        assert_eq!(lixia.prefecture, Some(division("370100", "济南市")));
        assert_eq!(lixia.province, division("370000", "山东省"));
        assert_eq!(region_name("110105").as_deref(), Some("朝阳区"));
    }

    #[test]
    fn divisions_directly_under_a_province_have_no_prefecture() {
        let chaoyang = region("110105").expect("朝阳区 of 北京");
        assert_eq!(chaoyang.prefecture, None);
        assert_eq!(chaoyang.province, division("110000", "北京市"));
        let jiyuan = region("419001").expect("济源市");
        assert_eq!(jiyuan.prefecture, None);
        assert_eq!(jiyuan.province.name, "河南省");
        let dongguan = region("441900").expect("东莞市");
        assert_eq!(dongguan.prefecture, Some(division("441900", "东莞市")));
        assert_eq!(dongguan.province.name, "广东省");
    }

    #[test]
    fn every_county_has_a_province_and_unknown_codes_have_nothing() {
        for code in COUNTY_NAMES.keys() {
            let region = region(code).unwrap_or_else(|| panic!("{code} has no province"));
            if let Some(prefecture) = &region.prefecture {
                assert_eq!(&prefecture.code[..2], &code[..2]);
            }
        }
        assert_eq!(region("370199"), None);
        assert_eq!(
            region("370100"),
            None,
            "a prefecture is not a county-level region"
        );
        assert_eq!(region("37"), None);
        assert_eq!(prefecture_of("370000"), None);
        assert_eq!(ABOVE_COUNTY_NAMES.len(), 367);
    }

    #[test]
    fn the_list_above_counties_is_well_formed() {
        let mut previous = "";
        for (code, name) in rows(ABOVE_COUNTY) {
            assert!(code.len() == 6 && code.ends_with("00"), "{code}");
            assert!(!name.trim().is_empty() && code > previous, "{code}");
            previous = code;
        }
    }
}
