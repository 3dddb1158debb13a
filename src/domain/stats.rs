//! Statistics (可视化监管, issue 23), the pure part: what each fact adds to which counter, and the words of a
//! statistics query. The writer applies these rules in the transaction of the fact; `rebuild-stats` applies
//! the same rules to the stored facts, which is why the two always agree.
//!
//! Counting rules: a case counts on the day (China Standard Time) it was recorded, approved, rejected or
//! voided — so a voided case stays approved in the period it was approved and counts as voided in the period
//! it was voided; a sanction counts on its start date; a list entry counts as added on its listing day and as
//! ended on the first day it no longer applies (the day after it expires, or the day it was ended early).

use chrono::{Days, Months, NaiveDate};

use super::cases::CaseState;
use super::enums::string_enum;
use super::lists::ListKind;
use super::sanctions::SanctionType;

string_enum! {
    /// What a counter counts. Amounts are in fen; every other metric counts facts.
    pub enum Metric as "statistics metric" {
        CaseRecorded = "case_recorded",
        /// +1 when recorded, −1 when approved or rejected: summed up to a day, the cases waiting on it.
        CasePending = "case_pending",
        CaseApproved = "case_approved",
        CaseRejected = "case_rejected",
        CaseVoided = "case_voided",
        /// Major cases (重大案件) approved.
        CaseMajor = "case_major",
        /// Amount involved of the cases approved, fen.
        AmountInvolvedFen = "amount_involved_fen",
        /// Amount to recover of the cases approved, fen.
        AmountToRecoverFen = "amount_to_recover_fen",
        /// New sanctions by type, on their start date (an engine's extension of a running one is not new).
        SanctionStarted = "sanction_started",
        SanctionExtended = "sanction_extended",
        /// Sanctions withdrawn (a voided case, an approver's revocation), on the day of the revocation.
        SanctionRevoked = "sanction_revoked",
        BlackAdded = "black_added",
        BlackEnded = "black_ended",
        /// Black-list entries that are published, on their listing day: the only ones the public counts.
        BlackPublished = "black_published",
        RedAdded = "red_added",
        RedEnded = "red_ended",
        /// Cases in each state: +1 entering it, −1 leaving it; summed over all days, what `/metrics` shows.
        InRecorded = "in_recorded",
        InReviewed = "in_reviewed",
        InApproved = "in_approved",
        InAppealed = "in_appealed",
        InVoided = "in_voided",
        InRejected = "in_rejected",
        InReturned = "in_returned",
        TipReceived = "tip_received",
        TipAccepted = "tip_accepted",
        RewardPaid = "reward_paid",
        RewardPaidFen = "reward_paid_fen",
        /// 守信激励: bonus ledger entries written for institutions and pharmacies, on the day written.
        BonusAwarded = "bonus_awarded",
        /// Their points.
        BonusPoints = "bonus_points",
        // Suspects (智能监控 疑点: taken in, converted, cleared) and payment qualification (登记备案, commitments)
        // add their metrics here, with their rules below and their hook in `service::stats`, when they land.
    }
}

impl Metric {
    /// The metric of the cases in `state`.
    pub fn in_state(state: CaseState) -> Metric {
        match state {
            CaseState::Recorded => Metric::InRecorded,
            CaseState::Reviewed => Metric::InReviewed,
            CaseState::Approved => Metric::InApproved,
            CaseState::Appealed => Metric::InAppealed,
            CaseState::Voided => Metric::InVoided,
            CaseState::Rejected => Metric::InRejected,
            CaseState::Returned => Metric::InReturned,
        }
    }

    /// Metrics summed from the beginning of time up to a day (a stock), rather than within a period.
    pub fn is_stock(self) -> bool {
        matches!(self, Metric::CasePending)
    }
}

string_enum! {
    /// What a statistics answer is grouped by: places (a county, its prefecture or province), the subject's
    /// kind, the case type and its severity, the sanction type, and periods in China Standard Time.
    pub enum Dimension as "statistics dimension" {
        Region = "region",
        Prefecture = "prefecture",
        Province = "province",
        SubjectKind = "subject_kind",
        TypeCode = "type_code",
        Severity = "severity",
        SanctionType = "sanction_type",
        Month = "month",
        Quarter = "quarter",
        Year = "year",
    }
}

impl Dimension {
    pub fn is_period(self) -> bool {
        matches!(
            self,
            Dimension::Month | Dimension::Quarter | Dimension::Year
        )
    }

    pub fn is_place(self) -> bool {
        matches!(
            self,
            Dimension::Region | Dimension::Prefecture | Dimension::Province
        )
    }
}

/// The most dimensions one answer is grouped by.
pub const MAX_DIMENSIONS: usize = 2;

/// `group_by` as given (`prefecture,month`): one or two distinct dimensions, or the first word that is none.
pub fn parse_dimensions(text: &str) -> Result<Vec<Dimension>, String> {
    let mut out = Vec::new();
    for word in text.split(',').map(str::trim) {
        let d: Dimension = word.parse().map_err(|_| word.to_string())?;
        if out.contains(&d) {
            return Err(word.to_string());
        }
        out.push(d);
    }
    if out.len() > MAX_DIMENSIONS {
        return Err(text.to_string());
    }
    Ok(out)
}

string_enum! {
    /// A second period to set beside the first.
    pub enum Compare as "comparison" {
        /// The same days a year earlier, with the change.
        PreviousYear = "previous_year",
    }
}

/// A bonus (守信激励) of `points` written on `day`: one award and its points.
pub fn bonus_awarded(day: NaiveDate, points: i64) -> Vec<Tally> {
    vec![
        Tally::new(Metric::BonusAwarded, day, 1),
        Tally::new(Metric::BonusPoints, day, points),
    ]
}

/// One addition to a counter: the metric, its day, and the type columns it is kept under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    pub metric: Metric,
    pub day: NaiveDate,
    pub value: i64,
    pub type_code: String,
    pub severity: String,
    pub sanction_type: String,
}

impl Tally {
    pub fn new(metric: Metric, day: NaiveDate, value: i64) -> Self {
        Tally {
            metric,
            day,
            value,
            type_code: String::new(),
            severity: String::new(),
            sanction_type: String::new(),
        }
    }

    fn typed(mut self, type_code: &str, severity: &str) -> Self {
        self.type_code = type_code.to_string();
        self.severity = severity.to_string();
        self
    }
}

/// What of a case the counters need.
pub struct CaseFigures<'a> {
    pub type_code: &'a str,
    pub severity: &'a str,
    pub amount_involved_fen: i64,
    pub amount_to_recover_fen: i64,
    pub major: bool,
}

/// A case moving from `from` (none: just recorded) to `to` on `day`.
pub fn case_moved(
    from: Option<CaseState>,
    to: CaseState,
    day: NaiveDate,
    case: &CaseFigures,
) -> Vec<Tally> {
    let tally = |metric, value| Tally::new(metric, day, value).typed(case.type_code, case.severity);
    // What waits is counted without its type: a returned case may still change type, an approved one cannot.
    let untyped = |metric, value| Tally::new(metric, day, value);
    let mut out = vec![untyped(Metric::in_state(to), 1)];
    out.extend(from.map(|from| untyped(Metric::in_state(from), -1)));
    out.extend(flows((from, to), case, tally, untyped));
    out
}

/// The flows a transition counts (besides the state it leaves and enters).
fn flows(
    (from, to): (Option<CaseState>, CaseState),
    case: &CaseFigures,
    tally: impl Fn(Metric, i64) -> Tally,
    untyped: impl Fn(Metric, i64) -> Tally,
) -> Vec<Tally> {
    let waiting = |state: CaseState| {
        matches!(
            state,
            CaseState::Recorded | CaseState::Reviewed | CaseState::Returned
        )
    };
    match (from, to) {
        (None, _) => vec![
            untyped(Metric::CaseRecorded, 1),
            untyped(Metric::CasePending, 1),
        ],
        (Some(from), CaseState::Approved) if waiting(from) => {
            let mut out = vec![
                tally(Metric::CaseApproved, 1),
                untyped(Metric::CasePending, -1),
                tally(Metric::AmountInvolvedFen, case.amount_involved_fen),
                tally(Metric::AmountToRecoverFen, case.amount_to_recover_fen),
            ];
            if case.major {
                out.push(tally(Metric::CaseMajor, 1));
            }
            out
        }
        (Some(from), CaseState::Rejected) if waiting(from) => vec![
            untyped(Metric::CaseRejected, 1),
            untyped(Metric::CasePending, -1),
        ],
        (Some(_), CaseState::Voided) => vec![tally(Metric::CaseVoided, 1)],
        _ => Vec::new(),
    }
}

/// A sanction row written: new, or an engine's extension of a running one.
pub fn sanction_written(kind: SanctionType, starts_on: NaiveDate, extension: bool) -> Tally {
    let metric = if extension {
        Metric::SanctionExtended
    } else {
        Metric::SanctionStarted
    };
    let mut tally = Tally::new(metric, starts_on, 1);
    tally.sanction_type = kind.as_str().to_string();
    tally
}

/// A sanction revoked on `day`.
pub fn sanction_revoked(kind: SanctionType, day: NaiveDate) -> Tally {
    let mut tally = Tally::new(Metric::SanctionRevoked, day, 1);
    tally.sanction_type = kind.as_str().to_string();
    tally
}

/// The first day an entry no longer applies: the day it was ended, else the day after it expires.
pub fn entry_end_day(
    expires_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    ended_on.or_else(|| expires_on.and_then(|d| d.checked_add_days(Days::new(1))))
}

fn list_metrics(list: ListKind) -> (Metric, Metric) {
    match list {
        ListKind::Black => (Metric::BlackAdded, Metric::BlackEnded),
        ListKind::Red => (Metric::RedAdded, Metric::RedEnded),
    }
}

/// A list entry written, with its planned end (an expiry is known in advance).
pub fn entry_added(
    list: ListKind,
    listed_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    published: bool,
) -> Vec<Tally> {
    let (added, ended) = list_metrics(list);
    let mut out = vec![Tally::new(added, listed_on, 1)];
    if let Some(end) = entry_end_day(expires_on, None) {
        out.push(Tally::new(ended, end, 1));
    }
    if published && list == ListKind::Black {
        out.push(Tally::new(Metric::BlackPublished, listed_on, 1));
    }
    out
}

/// An entry ended early on `ended_on`: its end moves from the planned day to that one.
pub fn entry_ended(
    list: ListKind,
    expires_on: Option<NaiveDate>,
    ended_on: NaiveDate,
) -> Vec<Tally> {
    let (_, ended) = list_metrics(list);
    let mut out = vec![Tally::new(ended, ended_on, 1)];
    if let Some(planned) = entry_end_day(expires_on, None) {
        out.push(Tally::new(ended, planned, -1));
    }
    out
}

/// A black-list entry published after it was written.
pub fn entry_published(list: ListKind, listed_on: NaiveDate) -> Vec<Tally> {
    match list {
        ListKind::Black => vec![Tally::new(Metric::BlackPublished, listed_on, 1)],
        ListKind::Red => Vec::new(),
    }
}

/// The same period a year before: `from` and `to` moved back one year (29 February becomes the 28th).
pub fn previous_year(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    (back(from), back(to))
}

/// A period label (`2026`, `2026-Q1`, `2026-03`) moved forward one year, to pair last year's row with this
/// year's.
pub fn period_a_year_later(label: &str) -> String {
    match label.get(..4).and_then(|y| y.parse::<i32>().ok()) {
        Some(year) => format!("{}{}", year + 1, &label[4..]),
        None => label.to_string(),
    }
}

/// The quarter label of a `YYYY-MM` month.
pub fn quarter_of(month: &str) -> String {
    let m: u32 = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    format!("{}-Q{}", month.get(..4).unwrap_or(""), m.div_ceil(3))
}

/// `YYYY-MM` of a day.
pub fn month_of(day: NaiveDate) -> String {
    grains::Grain::Month.period_of(day)
}

/// Which cells are hidden: a public cell resting on fewer than `min_subjects` subjects, and any cell with people
/// in it resting on fewer than `min_persons` subjects (no count narrows to a person).
#[derive(Clone, Copy, Debug)]
pub struct SmallCells {
    pub public: bool,
    pub min_subjects: u32,
    pub min_persons: u32,
}

impl SmallCells {
    /// Whether a cell resting on `subjects` distinct subjects, `persons` of them people, is shown.
    pub fn shows(&self, subjects: i64, persons: i64) -> bool {
        if subjects == 0 {
            return true;
        }
        if self.public {
            subjects >= i64::from(self.min_subjects)
        } else if persons > 0 {
            subjects >= i64::from(self.min_persons)
        } else {
            true
        }
    }

    /// The threshold a hidden cell is shown against (`<5`).
    pub fn threshold(&self) -> u32 {
        if self.public {
            self.min_subjects
        } else {
            self.min_persons
        }
    }
}

pub mod disclosure;
pub mod grains;

#[cfg(test)]
mod tests;
