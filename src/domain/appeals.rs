//! 申诉 (DESIGN §7): an appeal against an approved case, its window, and who may decide it.

use chrono::{Days, NaiveDate};

use super::enums::string_enum;

string_enum! {
    pub enum AppealState as "appeal state" {
        Pending = "pending",
        /// The case is voided, with everything that rested on it.
        Accepted = "accepted",
        /// The case stays approved.
        Rejected = "rejected",
    }
}

string_enum! {
    pub enum AppealOutcome as "appeal outcome" {
        Accepted = "accepted",
        Rejected = "rejected",
    }
}

/// The last day an appeal may be filed: `window_days` after the day of approval (UTC+8).
pub fn last_day(approved_on: NaiveDate, window_days: u32) -> NaiveDate {
    approved_on + Days::new(u64::from(window_days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_counts_calendar_days_after_approval() {
        let approved = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            last_day(approved, 15),
            NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        );
    }
}
