//! Working days with public holidays and make-up working days (调休): the calendar repair decisions are due
//! by (DESIGN §7). Shipped as `data/holidays.txt`; configuration can add lines.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, Weekday};

const SHIPPED: &str = include_str!("../../data/holidays.txt");

#[derive(Clone, Debug, Default)]
pub struct Calendar {
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
}

impl Calendar {
    /// The shipped calendar, with `extra` lines (same format) laid over it.
    pub fn shipped_with(extra: Option<&str>) -> Result<Self, String> {
        let mut calendar = Self::default();
        calendar.read(SHIPPED, "data/holidays.txt")?;
        if let Some(text) = extra {
            calendar.read(text, "the holidays file")?;
        }
        Ok(calendar)
    }

    fn read(&mut self, text: &str, source: &str) -> Result<(), String> {
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(day), Some(kind)) = (words.next(), words.next()) else {
                return Err(format!(
                    "{source} line {}: expected `YYYY-MM-DD holiday|workday`",
                    i + 1
                ));
            };
            let day: NaiveDate = day
                .parse()
                .map_err(|_| format!("{source} line {}: {day:?} is not a date", i + 1))?;
            match kind {
                "holiday" => {
                    self.workdays.remove(&day);
                    self.holidays.insert(day);
                }
                "workday" => {
                    self.holidays.remove(&day);
                    self.workdays.insert(day);
                }
                other => {
                    return Err(format!(
                        "{source} line {}: {other:?} is neither holiday nor workday",
                        i + 1
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The date `n` working days after `from` (the day of `from` itself never counts).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return NaiveDate::MAX,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn holidays_do_not_count_and_make_up_days_do() {
        let c = Calendar::shipped_with(None).unwrap();
        assert!(!c.is_working_day(day(2026, 10, 1)), "National Day");
        assert!(
            c.is_working_day(day(2026, 10, 10)),
            "a Saturday made a working day"
        );
        // From Wednesday 30 September 2026: 1–7 October are off, 8 (Thu), 9 (Fri), 10 (Sat, make-up).
        assert_eq!(c.add_working_days(day(2026, 9, 30), 3), day(2026, 10, 10));
        // Without holidays three working days would have ended on Monday 5 October.
        assert_eq!(
            Calendar::default().add_working_days(day(2026, 9, 30), 3),
            day(2026, 10, 5)
        );
    }

    #[test]
    fn configuration_extends_and_corrects_the_calendar() {
        let c = Calendar::shipped_with(Some("2027-02-08 holiday 春节\n2026-10-10 holiday 更正"))
            .unwrap();
        assert!(!c.is_working_day(day(2027, 2, 8)));
        assert!(!c.is_working_day(day(2026, 10, 10)));
        assert!(Calendar::shipped_with(Some("2027-13-01 holiday")).is_err());
    }
}
