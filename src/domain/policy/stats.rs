//! Statistics (issue 23): how small a cell may be before it is hidden, and the points bands practitioners are
//! counted in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StatsPolicy {
    /// A public cell resting on fewer subjects is shown as `<N>` (statistical disclosure control: 5).
    pub public_min_subjects: u32,
    /// A staff cell with people in it resting on fewer subjects is shown as `<N>`: 2 hides exactly the cells that
    /// would be one person's figures.
    pub person_min_subjects: u32,
    /// Practitioners' points bands by their upper bounds, rising: the defaults give 0, 1–5, 6–8, 9–11, 12+.
    pub points_band_tops: Vec<u32>,
}

impl Default for StatsPolicy {
    fn default() -> Self {
        StatsPolicy {
            public_min_subjects: 5,
            person_min_subjects: 2,
            points_band_tops: vec![0, 5, 8, 11],
        }
    }
}

impl StatsPolicy {
    pub(super) fn validate(&self) -> Result<(), String> {
        if !(1..=1000).contains(&self.public_min_subjects) {
            return Err("stats.public_min_subjects must be between 1 and 1000".into());
        }
        if !(2..=1000).contains(&self.person_min_subjects) {
            return Err("stats.person_min_subjects must be between 2 and 1000".into());
        }
        let tops = &self.points_band_tops;
        if tops.is_empty() || tops.len() > 20 || tops.windows(2).any(|w| w[0] >= w[1]) {
            return Err("stats.points_band_tops must be 1-20 rising numbers".into());
        }
        Ok(())
    }

    /// The label of the band `points` falls in: `0`, `1-5`, …, and `12+` above the last top.
    pub fn points_band(&self, points: u32) -> String {
        let mut low = 0;
        for &top in &self.points_band_tops {
            if points <= top {
                return if low == top {
                    top.to_string()
                } else {
                    format!("{low}-{top}")
                };
            }
            low = top + 1;
        }
        format!("{low}+")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_bands_are_those_of_the_issue() {
        let p = super::StatsPolicy::default();
        let bands: Vec<String> = [0, 1, 5, 6, 8, 9, 11, 12, 14]
            .iter()
            .map(|&n| p.points_band(n))
            .collect();
        assert_eq!(
            bands,
            [
                "0", "1-5", "1-5", "6-8", "6-8", "9-11", "9-11", "12+", "12+"
            ]
        );
        assert!(p.validate().is_ok());
    }
}
