//! Legal calendar arithmetic.
//!
//! Instants are stored in UTC, but every legal date (occurred_on, sanction start/end, deadlines) and the
//! credit cycle are China Standard Time (UTC+8, no daylight saving). A violation approved at 01:00 Beijing
//! time on 1 January belongs to the new year even though it is still 31 December in UTC.
//!
//! Date arithmetic saturates at chrono's representable range instead of panicking: a request carrying an
//! absurd year must become a validation error somewhere else, never a crashed worker.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveTime, Utc, Weekday};

pub mod strict;

const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// China Standard Time, UTC+8.
pub fn china_offset() -> FixedOffset {
    // Cannot fail: the offset is well inside ±24h.
    FixedOffset::east_opt(CHINA_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// Calendar date of `at` in China Standard Time.
pub fn legal_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china_offset()).date_naive()
}

/// Credit cycle (natural year in UTC+8) an instant falls into.
pub fn cycle_of_instant(at: DateTime<Utc>) -> i32 {
    legal_date(at).year()
}

/// Credit cycle of a legal date: simply its year, kept as a function so callers say what they mean.
pub fn cycle_of_date(d: NaiveDate) -> i32 {
    d.year()
}

/// The UTC instant at which legal date `d` begins (00:00 in UTC+8).
pub fn start_of_legal_day_utc(d: NaiveDate) -> DateTime<Utc> {
    let local_midnight = d.and_time(NaiveTime::MIN);
    local_midnight
        .checked_sub_signed(chrono::Duration::seconds(i64::from(CHINA_OFFSET_SECONDS)))
        .map(|naive| naive.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `[start, end)` of credit cycle `year` as UTC instants, for range queries on timestamp columns.
pub fn cycle_bounds_utc(year: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let first_day = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(if y < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
    };
    let start = start_of_legal_day_utc(first_day(year));
    let end = match year.checked_add(1) {
        Some(next) => start_of_legal_day_utc(first_day(next)),
        None => DateTime::<Utc>::MAX_UTC,
    };
    (start, end)
}

/// Monday to Friday. Public holidays and make-up working days (调休) are deliberately ignored: the
/// deadlines built on this are internal reminders, and a holiday table would need yearly maintenance.
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The date `n` working days after `from`; the day of `from` itself never counts (a report due "within 2
/// working days" of a Friday approval is due on Tuesday). `n == 0` returns `from` unchanged.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return from;
    }
    // Counting from a weekend day is the same as counting from the Friday before it, and from a weekday
    // every block of five working days spans exactly one week, so big `n` need not be looped over.
    let back = match from.weekday() {
        Weekday::Sat => 1,
        Weekday::Sun => 2,
        _ => 0,
    };
    let Some(mut day) = from.checked_sub_days(Days::new(back)) else {
        return from;
    };
    let Some(after_weeks) = day.checked_add_days(Days::new(u64::from(n / 5) * 7)) else {
        return NaiveDate::MAX;
    };
    day = after_weeks;
    for _ in 0..n % 5 {
        loop {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return NaiveDate::MAX,
            }
            if is_working_day(day) {
                break;
            }
        }
    }
    day
}

/// `from` plus whole months, clamped to the end of a shorter month (31 Jan + 1 → 28/29 Feb), which is
/// how suspension periods "of N months" are read in practice.
pub fn add_months(from: NaiveDate, months: u32) -> NaiveDate {
    from.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// `from` plus whole years; 29 Feb lands on 28 Feb in a common year, so a ban never outlasts its term.
pub fn add_years(from: NaiveDate, years: u32) -> NaiveDate {
    match years.checked_mul(12) {
        Some(months) => add_months(from, months),
        None => NaiveDate::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, s).unwrap()
    }

    #[test]
    fn offset_is_plus_eight_hours() {
        assert_eq!(china_offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn legal_date_rolls_over_at_16_utc() {
        assert_eq!(legal_date(utc(2026, 3, 1, 15, 59, 59)), d(2026, 3, 1));
        assert_eq!(legal_date(utc(2026, 3, 1, 16, 0, 0)), d(2026, 3, 2));
    }

    #[test]
    fn cycle_boundary_is_midnight_in_utc_plus_8() {
        assert_eq!(cycle_of_instant(utc(2026, 12, 31, 15, 59, 59)), 2026);
        assert_eq!(cycle_of_instant(utc(2026, 12, 31, 16, 0, 0)), 2027);
        assert_eq!(cycle_of_instant(utc(2026, 12, 31, 17, 0, 0)), 2027);
        assert_eq!(cycle_of_instant(utc(2026, 1, 1, 0, 0, 0)), 2026);
    }

    #[test]
    fn cycle_of_date_is_its_year() {
        assert_eq!(cycle_of_date(d(2025, 12, 31)), 2025);
        assert_eq!(cycle_of_date(d(2026, 1, 1)), 2026);
    }

    #[test]
    fn cycle_bounds_are_half_open_in_utc() {
        let (start, end) = cycle_bounds_utc(2027);
        assert_eq!(start, utc(2026, 12, 31, 16, 0, 0));
        assert_eq!(end, utc(2027, 12, 31, 16, 0, 0));
        assert_eq!(cycle_of_instant(start), 2027);
        assert_eq!(cycle_of_instant(end - chrono::Duration::seconds(1)), 2027);
        assert_eq!(cycle_of_instant(end), 2028);
    }

    #[test]
    fn cycle_bounds_of_adjacent_years_touch() {
        assert_eq!(cycle_bounds_utc(2025).1, cycle_bounds_utc(2026).0);
    }

    #[test]
    fn cycle_bounds_saturate_instead_of_panicking() {
        let (start, end) = cycle_bounds_utc(i32::MAX);
        assert!(start <= end);
        let (start, end) = cycle_bounds_utc(i32::MIN);
        assert!(start <= end);
    }

    #[test]
    fn start_of_legal_day_is_previous_utc_evening() {
        assert_eq!(
            start_of_legal_day_utc(d(2026, 5, 1)),
            utc(2026, 4, 30, 16, 0, 0)
        );
        assert_eq!(
            legal_date(start_of_legal_day_utc(d(2026, 5, 1))),
            d(2026, 5, 1)
        );
    }

    #[test]
    fn working_days_skip_the_weekend() {
        // 2026-01-02 is a Friday.
        assert_eq!(d(2026, 1, 2).weekday(), Weekday::Fri);
        assert_eq!(add_working_days(d(2026, 1, 2), 1), d(2026, 1, 5));
        assert_eq!(add_working_days(d(2026, 1, 2), 2), d(2026, 1, 6));
        // Thursday + 2 → Monday.
        assert_eq!(add_working_days(d(2026, 1, 1), 2), d(2026, 1, 5));
        // Monday + 2 → Wednesday, no weekend involved.
        assert_eq!(add_working_days(d(2026, 1, 5), 2), d(2026, 1, 7));
    }

    #[test]
    fn working_days_from_a_weekend_start_on_monday() {
        // Saturday and Sunday + 1 → Monday.
        assert_eq!(add_working_days(d(2026, 1, 3), 1), d(2026, 1, 5));
        assert_eq!(add_working_days(d(2026, 1, 4), 1), d(2026, 1, 5));
        assert_eq!(add_working_days(d(2026, 1, 4), 5), d(2026, 1, 9));
    }

    #[test]
    fn zero_working_days_is_identity() {
        assert_eq!(add_working_days(d(2026, 1, 3), 0), d(2026, 1, 3));
    }

    #[test]
    fn working_days_shortcut_matches_day_by_day_count() {
        for start_offset in 0..14u64 {
            let start = d(2026, 1, 1)
                .checked_add_days(Days::new(start_offset))
                .unwrap();
            for n in 0..40u32 {
                let mut expected = start;
                let mut left = n;
                while left > 0 {
                    expected = expected.succ_opt().unwrap();
                    if is_working_day(expected) {
                        left -= 1;
                    }
                }
                assert_eq!(add_working_days(start, n), expected, "start {start} n {n}");
            }
        }
    }

    #[test]
    fn fifteen_working_days_is_three_weeks() {
        assert_eq!(add_working_days(d(2026, 1, 5), 15), d(2026, 1, 26));
    }

    #[test]
    fn working_days_saturate() {
        assert_eq!(add_working_days(NaiveDate::MAX, 3), NaiveDate::MAX);
        assert_eq!(add_working_days(d(2026, 1, 1), u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(add_months(d(2028, 1, 31), 1), d(2028, 2, 29));
        assert_eq!(add_months(d(2026, 3, 31), 1), d(2026, 4, 30));
        assert_eq!(add_months(d(2026, 1, 15), 3), d(2026, 4, 15));
        assert_eq!(add_months(d(2026, 11, 30), 3), d(2027, 2, 28));
        assert_eq!(add_months(d(2026, 5, 20), 0), d(2026, 5, 20));
    }

    #[test]
    fn years_move_leap_day_to_28_february() {
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(add_years(d(2024, 2, 29), 4), d(2028, 2, 29));
        assert_eq!(add_years(d(2026, 6, 30), 3), d(2029, 6, 30));
    }

    #[test]
    fn months_and_years_saturate() {
        assert_eq!(add_months(d(2026, 1, 1), u32::MAX), NaiveDate::MAX);
        assert_eq!(add_years(d(2026, 1, 1), u32::MAX), NaiveDate::MAX);
    }
}
