//! Which public cells are withheld, so that no published figure, nor any difference of published figures, rests
//! on fewer organisations than the policy's minimum. A prefecture's cell is withheld when it rests on too few
//! (primary). A province's total less its shown prefectures gives the sum of its withheld ones, and the nation's
//! total less its shown provinces gives the sum of theirs; so a total is withheld too when what it would give
//! away — the organisations under withheld cells beneath it — is more than none and fewer than the minimum.
//! Every answer is cut from the one decision, whatever its filter or grouping, so no two answers can be
//! subtracted to recover a withheld cell.

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

/// A cell resting on `subjects` organisations may be shown on its own.
fn enough(subjects: i64, min: i64) -> bool {
    subjects == 0 || subjects >= min
}

/// The cells of one figure that are withheld, prefectures being the finest cells published.
pub fn withheld(leaves: &[Leaf], min: i64) -> Withheld {
    let mut out = Withheld::default();
    // Per province: its organisations, and those under its withheld prefectures.
    let mut provinces: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for leaf in leaves {
        let entry = provinces.entry(leaf.province.as_str()).or_default();
        entry.0 += leaf.subjects;
        if !enough(leaf.subjects, min) {
            out.prefectures.insert(leaf.prefecture.clone());
            entry.1 += leaf.subjects;
        }
    }
    let (mut all, mut beneath) = (0, 0);
    for (province, (subjects, hidden)) in provinces {
        all += subjects;
        if !enough(subjects, min) || !enough(hidden, min) {
            out.provinces.insert(province.to_string());
            // A province withheld for its own size has every organisation under withheld prefectures.
            beneath += hidden;
        }
    }
    out.nation = !enough(all, min) || !enough(beneath, min);
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
    fn a_small_prefecture_is_withheld_and_so_is_the_total_that_would_give_it_away() {
        let leaves = [
            leaf("370000", "370100", 9),
            leaf("370000", "370200", 2),
            leaf("110000", "110000", 12),
        ];
        let w = withheld(&leaves, 5);
        assert_eq!(w.prefectures, set(&["370200"]));
        // 山东 less 济南 would be 青岛's two hospitals.
        assert_eq!(w.provinces, set(&["370000"]));
        // The nation less 北京 would be 山东, and so 青岛 again.
        assert!(w.nation);
    }

    #[test]
    fn withheld_cells_that_hide_enough_together_leave_their_totals_shown() {
        let leaves = [
            leaf("370000", "370100", 9),
            leaf("370000", "370200", 2),
            leaf("370000", "370300", 3),
            leaf("110000", "110000", 12),
        ];
        let w = withheld(&leaves, 5);
        assert_eq!(w.prefectures, set(&["370200", "370300"]));
        assert!(w.provinces.is_empty() && !w.nation);
    }

    #[test]
    fn a_small_province_withholds_the_nation_and_nothing_counted_withholds_nothing() {
        let w = withheld(
            &[leaf("370000", "370100", 5), leaf("110000", "110000", 1)],
            5,
        );
        assert_eq!(w.provinces, set(&["110000"]));
        assert!(w.nation);
        let none = withheld(
            &[leaf("370000", "370100", 0), leaf("110000", "110000", 7)],
            5,
        );
        assert_eq!(none, Withheld::default());
    }
}
