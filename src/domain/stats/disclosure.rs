//! Which public cells are withheld, so that no published figure, nor any difference of published figures, rests
//! on fewer organisations than the policy's minimum. A prefecture's cell is withheld when it rests on too few
//! (primary). Totals are published — the nation's on the page's charts, a province's in `/public/v1/stats` —
//! and a total less the cells shown under it gives the sum of those withheld; so where that sum would rest on
//! more than none and fewer than the minimum, the smallest shown cell beside them is withheld too
//! (complementary), as statistical offices do: within each province, across the nation's prefectures, and
//! across provinces. Only where nothing is left to withhold is the total itself withheld. Every answer is cut
//! from the one decision, whatever its filter or grouping, so no two answers can be subtracted to recover a
//! withheld cell. The page's months, beside the nation's total of the year, follow `withheld_parts`.

use std::collections::{BTreeMap, BTreeSet};

/// One prefecture's figure: where it lies and the distinct organisations it rests on.
#[derive(Clone, Debug)]
pub struct Leaf {
    pub province: String,
    pub prefecture: String,
    pub subjects: i64,
}

/// The withheld cells of one figure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Withheld {
    pub prefectures: BTreeSet<String>,
    pub provinces: BTreeSet<String>,
    pub nation: bool,
}

/// A cell, or a sum that a difference gives away, resting on `subjects` organisations may be shown.
pub fn enough(subjects: i64, min: i64) -> bool {
    subjects == 0 || subjects >= min
}

/// The cells of one figure that are withheld, prefectures being the finest cells published.
pub fn withheld(leaves: &[Leaf], min: i64) -> Withheld {
    let mut out = Withheld::default();
    let mut provinces: BTreeMap<&str, i64> = BTreeMap::new();
    for leaf in leaves {
        *provinces.entry(leaf.province.as_str()).or_default() += leaf.subjects;
        if !enough(leaf.subjects, min) {
            out.prefectures.insert(leaf.prefecture.clone());
        }
    }
    for (province, subjects) in &provinces {
        if !enough(*subjects, min) {
            out.provinces.insert(province.to_string());
        }
    }
    out.nation = !enough(provinces.values().sum(), min);
    // The organisations under withheld prefectures, of one province or of all.
    let residual = |out: &Withheld, province: Option<&str>| -> i64 {
        leaves
            .iter()
            .filter(|l| province.is_none_or(|p| l.province == p))
            .filter(|l| out.prefectures.contains(&l.prefecture))
            .map(|l| l.subjects)
            .sum()
    };
    // The smallest shown prefecture with something in it, of one province or of all.
    let smallest = |out: &Withheld, province: Option<&str>| -> Option<String> {
        leaves
            .iter()
            .filter(|l| province.is_none_or(|p| l.province == p))
            .filter(|l| l.subjects > 0 && !out.prefectures.contains(&l.prefecture))
            .min_by(|a, b| (a.subjects, &a.prefecture).cmp(&(b.subjects, &b.prefecture)))
            .map(|l| l.prefecture.clone())
    };
    loop {
        let mut changed = false;
        // A shown province less its shown prefectures.
        for province in provinces.keys() {
            let given = residual(&out, Some(province));
            if !out.provinces.contains(*province)
                && !enough(given, min)
                && let Some(next) = smallest(&out, Some(province))
            {
                out.prefectures.insert(next);
                changed = true;
            }
        }
        if !out.nation {
            // The nation less its shown prefectures.
            if !enough(residual(&out, None), min) {
                match smallest(&out, None) {
                    Some(next) => {
                        out.prefectures.insert(next);
                    }
                    None => out.nation = true,
                }
                changed = true;
            }
            // The nation less its shown provinces, less the shown prefectures of those withheld.
            let given: i64 = out.provinces.iter().map(|p| residual(&out, Some(p))).sum();
            if !out.nation && !enough(given, min) {
                let next = provinces
                    .iter()
                    .filter(|(p, _)| !out.provinces.contains(**p) && residual(&out, Some(p)) > 0)
                    .min_by_key(|(p, subjects)| (**subjects, **p))
                    .map(|(p, _)| p.to_string());
                match next {
                    Some(province) => {
                        out.provinces.insert(province);
                    }
                    None => out.nation = true,
                }
                changed = true;
            }
        }
        if !changed {
            return out;
        }
    }
}

/// The withheld parts of a total split into parts that do not share a leaf (the months of a year: a case is
/// approved in one month), each part given by the organisations it rests on. A part resting on too few is
/// withheld (primary). When the total is published, the total less the shown parts gives the withheld parts'
/// sum away; an organisation may have cases in several months, so what that sum rests on is known only to be
/// at least its largest part's organisations: unless that is enough, the smallest shown part is withheld too,
/// which is (every shown part being enough). With every part withheld the sum is the total, published only when
/// enough. When the total is withheld (`total_withheld`), every part with anything in it is withheld with it.
pub fn withheld_parts(parts: &[i64], total_withheld: bool, min: i64) -> Vec<bool> {
    if total_withheld {
        return parts.iter().map(|s| *s > 0).collect();
    }
    let mut out: Vec<bool> = parts.iter().map(|s| !enough(*s, min)).collect();
    let largest_withheld = parts
        .iter()
        .zip(&out)
        .filter(|(_, w)| **w)
        .map(|(s, _)| *s)
        .max()
        .unwrap_or(0);
    if !enough(largest_withheld, min) {
        let smallest_shown = parts
            .iter()
            .enumerate()
            .filter(|(i, s)| **s > 0 && !out[*i])
            .min_by_key(|(i, s)| (**s, *i))
            .map(|(i, _)| i);
        if let Some(i) = smallest_shown {
            out[i] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(province: &str, prefecture: &str, subjects: i64) -> Leaf {
        Leaf {
            province: province.into(),
            prefecture: prefecture.into(),
            subjects,
        }
    }

    fn set(codes: &[&str]) -> BTreeSet<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_small_prefecture_takes_its_smallest_neighbour_with_it() {
        let leaves = [
            leaf("370000", "370100", 9),
            leaf("370000", "370200", 2),
            leaf("370000", "370300", 6),
            leaf("110000", "110000", 12),
        ];
        let w = withheld(&leaves, 5);
        // 山东 less 济南 would be 青岛's two hospitals: 淄博 (the smaller) is withheld beside it.
        assert_eq!(w.prefectures, set(&["370200", "370300"]));
        assert!(w.provinces.is_empty() && !w.nation);
    }

    #[test]
    fn a_small_province_takes_a_province_with_withheld_cells_with_it() {
        let leaves = [
            leaf("370000", "370100", 9),
            leaf("370000", "370200", 2),
            leaf("370000", "370300", 6),
            leaf("110000", "110000", 1),
        ];
        let w = withheld(&leaves, 5);
        // 北京 alone is one hospital; the nation less the other provinces would give it away.
        assert!(w.provinces.contains("110000") && w.provinces.contains("370000"));
        // Every difference left rests on at least 5.
        let hidden: i64 = leaves
            .iter()
            .filter(|l| w.prefectures.contains(&l.prefecture))
            .map(|l| l.subjects)
            .sum();
        assert!(hidden >= 5 && !w.nation, "{w:?}");
    }

    #[test]
    fn with_nothing_else_to_withhold_the_total_is_withheld() {
        let w = withheld(&[leaf("370000", "370100", 3)], 5);
        assert_eq!(w.prefectures, set(&["370100"]));
        assert!(w.nation);
        let none = withheld(
            &[leaf("370000", "370100", 0), leaf("110000", "110000", 7)],
            5,
        );
        assert_eq!(none, Withheld::default());
    }

    #[test]
    fn no_difference_of_shown_cells_rests_on_too_few() {
        use proptest::prelude::*;
        let leaves = proptest::collection::vec((0..4_u8, 0..3_u8, 0..12_i64), 1..12);
        proptest!(|(raw in leaves)| {
            let mut seen = BTreeSet::new();
            let leaves: Vec<Leaf> = raw
                .into_iter()
                .filter(|(p, q, _)| seen.insert((*p, *q)))
                .map(|(p, q, n)| leaf(&format!("{p}"), &format!("{p}-{q}"), n))
                .collect();
            let w = withheld(&leaves, 5);
            let ok = |n: i64| n == 0 || n >= 5;
            let hidden_in = |p: Option<&str>| -> i64 {
                leaves.iter()
                    .filter(|l| p.is_none_or(|p| l.province == p))
                    .filter(|l| w.prefectures.contains(&l.prefecture))
                    .map(|l| l.subjects).sum()
            };
            for l in &leaves {
                if !w.prefectures.contains(&l.prefecture) {
                    prop_assert!(ok(l.subjects));
                }
            }
            let provinces: BTreeSet<&str> = leaves.iter().map(|l| l.province.as_str()).collect();
            for p in &provinces {
                if !w.provinces.contains(*p) {
                    prop_assert!(ok(hidden_in(Some(p))), "{p} {w:?}");
                }
            }
            if !w.nation {
                prop_assert!(ok(hidden_in(None)), "{w:?}");
                let given: i64 = w.provinces.iter().map(|p| hidden_in(Some(p))).sum();
                prop_assert!(ok(given), "{w:?}");
            }
        });
    }

    #[test]
    fn a_small_month_takes_the_smallest_shown_month_with_it() {
        let months = [0, 1, 9, 6, 0, 12];
        assert_eq!(
            withheld_parts(&months, false, 5),
            [false, true, false, true, false, false]
        );
        // Two small months might be one organisation's: they still take a shown month with them.
        assert_eq!(withheld_parts(&[3, 2, 7], false, 5), [true, true, true]);
        // Nothing small, nothing withheld; nothing shown to take, the months withheld alone.
        assert_eq!(withheld_parts(&[5, 0, 8], false, 5), [false; 3]);
        assert_eq!(withheld_parts(&[2, 0, 4], false, 5), [true, false, true]);
    }

    #[test]
    fn under_a_withheld_total_every_month_with_something_is_withheld() {
        assert_eq!(
            withheld_parts(&[0, 3, 0, 1], true, 5),
            [false, true, false, true]
        );
    }

    #[test]
    fn no_difference_of_shown_months_and_their_total_rests_on_too_few() {
        use proptest::prelude::*;
        // Each month the set of organisations (bits of 0..8) with a case approved in it.
        let months = proptest::collection::vec(0..256_u32, 1..13);
        proptest!(|(months in months)| {
            let ok = |n: u32| n == 0 || n >= 5;
            let union = |sets: &mut dyn Iterator<Item = u32>| sets.fold(0, |a, b| a | b).count_ones();
            let parts: Vec<i64> = months.iter().map(|m| i64::from(m.count_ones())).collect();
            let total = union(&mut months.iter().copied());
            let w = withheld_parts(&parts, !ok(total), 5);
            for (month, withheld) in months.iter().zip(&w) {
                prop_assert!(*withheld || ok(month.count_ones()));
            }
            if ok(total) {
                let hidden = union(&mut months.iter().zip(&w).filter(|(_, w)| **w).map(|(m, _)| *m));
                prop_assert!(ok(hidden), "{months:?} {w:?}");
            } else {
                prop_assert!(months.iter().zip(&w).all(|(m, w)| *w || *m == 0));
            }
        });
    }
}
