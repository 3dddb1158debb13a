//! The periods the statistics roll-ups are kept by (a month, a quarter, a year), and how a question's days are
//! cut into whole ones. Counters per day and subject answer anything but grow with the cases; the roll-ups
//! answer whole periods in a few thousand rows at national volume, so a question whose days are whole months
//! is read from them, and any other from the daily counters.

use chrono::{Datelike, Months, NaiveDate};

use super::Dimension;
use crate::domain::enums::string_enum;

string_enum! {
    /// The length of a roll-up's period.
    pub enum Grain as "statistics grain" {
        Month = "month",
        Quarter = "quarter",
        Year = "year",
    }
}

impl Grain {
    const fn months(self) -> u32 {
        match self {
            Grain::Month => 1,
            Grain::Quarter => 3,
            Grain::Year => 12,
        }
    }

    /// The label of the period holding `day`: `2026-03`, `2026-Q1` or `2026`, as `group_by` shows them.
    pub fn period_of(self, day: NaiveDate) -> String {
        match self {
            Grain::Month => format!("{:04}-{:02}", day.year(), day.month()),
            Grain::Quarter => format!("{:04}-Q{}", day.year(), day.month0() / 3 + 1),
            Grain::Year => format!("{:04}", day.year()),
        }
    }

    /// Whether a period of this grain starts on `day`.
    fn starts_on(self, day: NaiveDate) -> bool {
        day.day() == 1 && day.month0().is_multiple_of(self.months())
    }

    /// The last day of the period starting on `first`.
    fn last_day(self, first: NaiveDate) -> Option<NaiveDate> {
        first
            .checked_add_months(Months::new(self.months()))?
            .pred_opt()
    }

    /// The grain a period dimension is read at.
    pub fn of_dimension(d: Dimension) -> Option<Grain> {
        match d {
            Dimension::Month => Some(Grain::Month),
            Dimension::Quarter => Some(Grain::Quarter),
            Dimension::Year => Some(Grain::Year),
            _ => None,
        }
    }
}

/// A run of whole periods of one grain, from the label `first` to the label `last` (labels of one grain sort
/// in time order). `first` is empty for "since the beginning".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub grain: Grain,
    pub first: String,
    pub last: String,
}

/// The days from `from` (none: since the beginning, for a stock) to `to` as runs of whole periods, largest
/// first, or `None` when they do not start and end on whole months. With `only`, every run is of that grain
/// (rows grouped by month are read from months), and the days must be whole periods of it.
pub fn spans(from: Option<NaiveDate>, to: NaiveDate, only: Option<Grain>) -> Option<Vec<Span>> {
    let mut out: Vec<Span> = Vec::new();
    let mut push = |grain: Grain, first: String, last: String| match out.last_mut() {
        Some(span) if span.grain == grain => span.last = last,
        _ => out.push(Span { grain, first, last }),
    };
    let mut day = match from {
        Some(day) => day,
        None => {
            // Whole years before the last one, then the last one cut as any period is.
            let grain = only.unwrap_or(Grain::Year);
            let first_of_year = NaiveDate::from_ymd_opt(to.year(), 1, 1)?;
            push(
                grain,
                String::new(),
                grain.period_of(first_of_year.pred_opt()?),
            );
            first_of_year
        }
    };
    let grains: &[Grain] = match &only {
        Some(g) => std::slice::from_ref(g),
        None => &[Grain::Year, Grain::Quarter, Grain::Month],
    };
    while day <= to {
        let grain = grains
            .iter()
            .copied()
            .find(|g| g.starts_on(day) && g.last_day(day).is_some_and(|last| last <= to))?;
        push(grain, grain.period_of(day), grain.period_of(day));
        day = grain.last_day(day)?.succ_opt()?;
    }
    // The loop ends on the day after a whole period: `to` must have been its last day.
    (day == to.succ_opt()?).then_some(out)
}

/// The longest run of whole periods of `grain` within the days from `from` (none: since the beginning) to
/// `to`, as its first (none: the beginning) and last day, or `None` when no whole period fits. The days
/// before and after it are the edges a question reads from the daily counters.
pub fn whole_within(
    from: Option<NaiveDate>,
    to: NaiveDate,
    grain: Grain,
) -> Option<(Option<NaiveDate>, NaiveDate)> {
    let start_of = |day: NaiveDate| -> Option<NaiveDate> {
        let first_month = day.month0() - day.month0() % grain.months() + 1;
        NaiveDate::from_ymd_opt(day.year(), first_month, 1)
    };
    // The first period starting on or after `from`.
    let first = match from {
        Some(day) if grain.starts_on(day) => Some(day),
        Some(day) => Some(grain.last_day(start_of(day)?)?.succ_opt()?),
        None => None,
    };
    // The last period ending on or before `to`.
    let last = match to.succ_opt() {
        Some(next) if grain.starts_on(next) => to,
        _ => start_of(to)?.pred_opt()?,
    };
    match first {
        Some(first) if first > last => None,
        _ => Some((first, last)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn span(grain: Grain, first: &str, last: &str) -> Span {
        Span {
            grain,
            first: first.into(),
            last: last.into(),
        }
    }

    #[test]
    fn labels_are_those_of_group_by() {
        assert_eq!(Grain::Month.period_of(d("2026-03-31")), "2026-03");
        assert_eq!(Grain::Quarter.period_of(d("2026-03-31")), "2026-Q1");
        assert_eq!(Grain::Quarter.period_of(d("2026-10-01")), "2026-Q4");
        assert_eq!(Grain::Year.period_of(d("2026-03-31")), "2026");
    }

    #[test]
    fn days_are_cut_into_the_largest_whole_periods() {
        assert_eq!(
            spans(Some(d("2026-01-01")), d("2026-12-31"), None),
            Some(vec![span(Grain::Year, "2026", "2026")])
        );
        assert_eq!(
            spans(Some(d("2025-11-01")), d("2027-05-31"), None),
            Some(vec![
                span(Grain::Month, "2025-11", "2025-12"),
                span(Grain::Year, "2026", "2026"),
                span(Grain::Quarter, "2027-Q1", "2027-Q1"),
                span(Grain::Month, "2027-04", "2027-05"),
            ])
        );
        assert_eq!(
            spans(Some(d("2026-01-01")), d("2026-12-31"), Some(Grain::Month)),
            Some(vec![span(Grain::Month, "2026-01", "2026-12")])
        );
    }

    #[test]
    fn days_that_are_not_whole_periods_have_no_spans() {
        assert_eq!(spans(Some(d("2026-01-02")), d("2026-12-31"), None), None);
        assert_eq!(spans(Some(d("2026-01-01")), d("2026-12-30"), None), None);
        assert_eq!(spans(Some(d("2026-01-01")), d("2026-01-15"), None), None);
        assert_eq!(
            spans(Some(d("2026-02-01")), d("2026-12-31"), Some(Grain::Quarter)),
            None
        );
        assert_eq!(
            spans(Some(d("2026-01-01")), d("2026-11-30"), Some(Grain::Year)),
            None
        );
    }

    #[test]
    fn the_whole_periods_within_leave_the_edges_to_the_days() {
        let m = Grain::Month;
        assert_eq!(
            whole_within(Some(d("2026-01-01")), d("2026-12-06"), m),
            Some((Some(d("2026-01-01")), d("2026-11-30")))
        );
        assert_eq!(
            whole_within(Some(d("2026-01-15")), d("2026-12-31"), m),
            Some((Some(d("2026-02-01")), d("2026-12-31")))
        );
        assert_eq!(
            whole_within(Some(d("2026-01-15")), d("2026-02-20"), m),
            None
        );
        assert_eq!(
            whole_within(Some(d("2026-02-01")), d("2026-12-06"), Grain::Quarter),
            Some((Some(d("2026-04-01")), d("2026-09-30")))
        );
        assert_eq!(
            whole_within(None, d("2026-12-06"), m),
            Some((None, d("2026-11-30")))
        );
        assert_eq!(
            whole_within(Some(d("2025-12-31")), d("2026-01-01"), Grain::Year),
            None
        );
    }

    #[test]
    fn a_stock_sums_every_earlier_year() {
        assert_eq!(
            spans(None, d("2026-06-30"), None),
            Some(vec![
                span(Grain::Year, "", "2025"),
                span(Grain::Quarter, "2026-Q1", "2026-Q2"),
            ])
        );
        assert_eq!(spans(None, d("2026-06-15"), None), None);
    }
}
