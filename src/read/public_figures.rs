//! The figures of the public statistics page, counted straight from the facts: cases by their approval time,
//! sanctions by their start, published black-list entries by their listing day, grades from the standings.
//!
//! THIS IS THE PLACE THE STATISTICS COUNTERS REPLACE: these are plain scans of one or two years' rows, fine for
//! a region's volume but not a nation's. Whatever replaces them must keep the rules kept here: organisations
//! (institutions and pharmacies) only, never a person; only published list entries; and every prefecture's
//! cell with fewer organisations behind it than `stats.public_min_subjects` suppressed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::dates::{cycle_of_date, legal_date, start_of_legal_day_utc};
use crate::domain::lists::EndKind;
use crate::domain::masking::Audience;
use crate::domain::regions::{Division, prefecture_of, province_of};
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::{Grade, SubjectKind};
use crate::domain::standing::{StandingFacts, standing_on};
use crate::pages::public_stats::{Cell, PrefectureRow, PublicFigures};
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::{facts_of, last_seq, load_facts_many};
use entity::{list_entry, sanction, standing, subject, violation};

const ORGANISATIONS: [SubjectKind; 2] = [SubjectKind::Institution, SubjectKind::Pharmacy];

fn organisation_kinds() -> Vec<String> {
    ORGANISATIONS.iter().map(ToString::to_string).collect()
}

/// An organisation as the figures need it: its kind and its prefecture.
struct Organisation {
    kind: SubjectKind,
    prefecture: Division,
}

/// The prefecture a region code belongs to: its prefecture, else its province (a county directly under a
/// province), else the code itself (a row written before regions were checked).
fn prefecture(region: &str) -> Division {
    prefecture_of(region)
        .or_else(|| province_of(region))
        .unwrap_or_else(|| Division {
            code: region.to_string(),
            name: region.to_string(),
        })
}

/// One figure of a prefecture and the organisations behind it.
#[derive(Default)]
struct Tally {
    value: u64,
    subjects: HashSet<i64>,
}

impl Tally {
    fn add(&mut self, subject: i64, value: u64) {
        self.value = self.value.saturating_add(value);
        self.subjects.insert(subject);
    }

    fn cell(&self, min: u32) -> Cell {
        Cell::of(self.value, self.subjects.len(), min)
    }
}

#[derive(Default)]
struct PrefectureTally {
    name: String,
    cases: Tally,
    amount: Tally,
    suspended: Tally,
    terminated: Tally,
    black: Tally,
}

/// The tally of the prefecture of organisation `subject`; `None` for a person or a later registration.
fn tally<'a>(
    tallies: &'a mut BTreeMap<String, PrefectureTally>,
    organisations: &HashMap<i64, Organisation>,
    subject: i64,
) -> Option<&'a mut PrefectureTally> {
    tallies.get_mut(&organisations.get(&subject)?.prefecture.code)
}

/// The figures of `year` (a year up to the current one, China Standard Time), read in one snapshot.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    year: i32,
) -> ServiceResult<PublicFigures> {
    let first = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let year_end = first(year + 1) - Days::new(1);
    let as_of = year_end.min(cx.today());
    let registered_by = start_of_legal_day_utc(as_of + Days::new(1));
    let organisations = organisations(db, registered_by).await?;
    let mut tallies: BTreeMap<String, PrefectureTally> = BTreeMap::new();
    for organisation in organisations.values() {
        let p = &organisation.prefecture;
        tallies.entry(p.code.clone()).or_default().name = p.name.clone();
    }

    let mut cases_by_month = [0_u64; 12];
    let mut cases_by_month_last_year = [0_u64; 12];
    let approved = violation::Entity::find()
        .select_only()
        .columns([
            violation::Column::SubjectId,
            violation::Column::ApprovedAt,
            violation::Column::AmountToRecoverFen,
        ])
        .filter(violation::Column::SubjectKind.is_in(organisation_kinds()))
        .filter(violation::Column::State.ne("voided"))
        .filter(violation::Column::ApprovedAt.gte(start_of_legal_day_utc(first(year - 1))))
        .filter(violation::Column::ApprovedAt.lt(start_of_legal_day_utc(first(year + 1))))
        .into_tuple::<(i64, Option<DateTime<Utc>>, i64)>()
        .all(db)
        .await?;
    for (subject, approved_at, amount) in approved {
        let Some(day) = approved_at.map(legal_date) else {
            continue;
        };
        let month = day.month0() as usize;
        if day.year() == year {
            cases_by_month[month] += 1;
            if let Some(t) = tally(&mut tallies, &organisations, subject) {
                t.cases.add(subject, 1);
                t.amount.add(subject, u64::try_from(amount).unwrap_or(0));
            }
        } else {
            cases_by_month_last_year[month] += 1;
        }
    }

    let mut by_type: HashMap<String, u64> = HashMap::new();
    let started = sanction::Entity::find()
        .select_only()
        .columns([sanction::Column::SubjectId, sanction::Column::SanctionType])
        .filter(sanction::Column::StartsOn.between(first(year), year_end))
        .filter(sanction::Column::RevokedAt.is_null())
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?;
    for (subject, ty) in started {
        if !organisations.contains_key(&subject) {
            continue;
        }
        if let Some(t) = tally(&mut tallies, &organisations, subject) {
            if ty == SanctionType::AgreementSuspension.to_string() {
                t.suspended.add(subject, 1);
            } else if ty == SanctionType::AgreementTermination.to_string() {
                t.terminated.add(subject, 1);
            }
        }
        *by_type.entry(ty).or_default() += 1;
    }
    let sanctions_by_type = SanctionType::ALL
        .iter()
        .filter_map(|ty| Some((*ty, *by_type.get(&ty.to_string())?)))
        .collect();

    let listed = list_entry::Entity::find()
        .select_only()
        .column(list_entry::Column::SubjectId)
        .filter(list_entry::Column::List.eq("black"))
        .filter(list_entry::Column::Published.eq(true))
        .filter(list_entry::Column::SubjectKind.is_in(organisation_kinds()))
        .filter(list_entry::Column::ListedOn.between(first(year), year_end))
        // An entry whose case was voided never stood.
        .filter(
            Condition::any()
                .add(list_entry::Column::EndKind.is_null())
                .add(list_entry::Column::EndKind.ne(EndKind::Voided.to_string())),
        )
        .into_tuple::<i64>()
        .all(db)
        .await?;
    for subject in listed {
        if let Some(t) = tally(&mut tallies, &organisations, subject) {
            t.black.add(subject, 1);
        }
    }

    let min = cx.policy().stats.public_min_subjects;
    let mut prefectures: Vec<PrefectureRow> = tallies
        .into_iter()
        .map(|(code, t)| PrefectureRow {
            code,
            name: t.name,
            cases_approved: t.cases.cell(min),
            amount_recovered_fen: t.amount.cell(min),
            agreements_suspended: t.suspended.cell(min),
            agreements_terminated: t.terminated.cell(min),
            black_list: t.black.cell(min),
        })
        .collect();
    // The charts publish these columns' totals: cases by month, agreements by sanction type.
    complement(&mut prefectures, |r| &mut r.cases_approved);
    complement(&mut prefectures, |r| &mut r.agreements_suspended);
    complement(&mut prefectures, |r| &mut r.agreements_terminated);
    Ok(PublicFigures {
        year,
        as_of,
        as_of_seq: last_seq(db).await?,
        suppressed_below: min,
        cases_by_month,
        cases_by_month_last_year,
        sanctions_by_type,
        grade_distribution: grades(db, cx, &organisations, as_of).await?,
        prefectures,
    })
}

/// A column whose total is published elsewhere gives its one withheld cell away (the total less the cells
/// shown); withholding the smallest shown cell too leaves only the sum of two, as statistical offices do.
fn complement(rows: &mut [PrefectureRow], column: impl Fn(&mut PrefectureRow) -> &mut Cell) {
    let withheld = rows
        .iter_mut()
        .map(|r| *column(r))
        .filter(|cell| *cell == Cell::Suppressed)
        .count();
    if withheld != 1 {
        return;
    }
    let smallest = rows
        .iter_mut()
        .filter_map(|r| match *column(r) {
            Cell::Count(n) => Some((n, r)),
            Cell::Suppressed => None,
        })
        .min_by_key(|(n, _)| *n);
    if let Some((_, row)) = smallest {
        *column(row) = Cell::Suppressed;
    }
}

/// Organisations registered before `registered_by`, by id.
async fn organisations<C: ConnectionTrait>(
    db: &C,
    registered_by: DateTime<Utc>,
) -> ServiceResult<HashMap<i64, Organisation>> {
    let rows = subject::Entity::find()
        .select_only()
        .columns([
            subject::Column::Id,
            subject::Column::Kind,
            subject::Column::Region,
        ])
        .filter(subject::Column::Kind.is_in(organisation_kinds()))
        .filter(subject::Column::CreatedAt.lt(registered_by))
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, region)| {
            let kind = ORGANISATIONS.into_iter().find(|k| k.to_string() == kind)?;
            let prefecture = prefecture(&region);
            Some((id, Organisation { kind, prefecture }))
        })
        .collect())
}

/// How many organisations hold each grade on `as_of`, as the public would see their standing: from the
/// standings rows for a day of their cycle, from that cycle's ledger folded for an earlier year.
async fn grades<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    organisations: &HashMap<i64, Organisation>,
    as_of: NaiveDate,
) -> ServiceResult<Vec<(Grade, u64)>> {
    let mut facts: Vec<StandingFacts> = Vec::new();
    let mut earlier: Vec<(i64, SubjectKind)> = Vec::new();
    let rows = standing::Entity::find()
        .filter(standing::Column::Kind.is_in(organisation_kinds()))
        .all(db)
        .await?;
    let mut seen = HashSet::new();
    for row in &rows {
        let Some(organisation) = organisations.get(&row.subject_id) else {
            continue;
        };
        seen.insert(row.subject_id);
        let stored = facts_of(row)?;
        if stored.covers(as_of) {
            facts.push(stored);
        } else {
            earlier.push((row.subject_id, organisation.kind));
        }
    }
    // An organisation without a row yet stands on its ledger, folded.
    earlier.extend(
        organisations
            .iter()
            .filter(|(id, _)| !seen.contains(*id))
            .map(|(id, o)| (*id, o.kind)),
    );
    if !earlier.is_empty() {
        let folded = load_facts_many(db, &earlier, cycle_of_date(as_of)).await?;
        facts.extend(folded.into_values());
    }
    let mut counts: HashMap<Grade, u64> = HashMap::new();
    for f in &facts {
        let standing = standing_on(&f.for_audience(Audience::Public), as_of, cx.policy());
        if let Some(grade) = standing.grade {
            *counts.entry(grade).or_default() += 1;
        }
    }
    Ok(Grade::ALL
        .iter()
        .map(|g| (*g, counts.get(g).copied().unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, cases: Cell) -> PrefectureRow {
        PrefectureRow {
            code: code.into(),
            name: code.into(),
            cases_approved: cases,
            amount_recovered_fen: Cell::Count(0),
            agreements_suspended: Cell::Count(0),
            agreements_terminated: Cell::Count(0),
            black_list: Cell::Count(0),
        }
    }

    fn cases(rows: &[PrefectureRow]) -> Vec<Cell> {
        rows.iter().map(|r| r.cases_approved).collect()
    }

    #[test]
    fn a_lone_withheld_cell_takes_the_smallest_shown_one_with_it() {
        let mut rows = vec![
            row("370100", Cell::Suppressed),
            row("370200", Cell::Count(40)),
            row("370600", Cell::Count(7)),
        ];
        complement(&mut rows, |r| &mut r.cases_approved);
        let expected = [Cell::Suppressed, Cell::Count(40), Cell::Suppressed];
        assert_eq!(cases(&rows), expected);
        // Two withheld already hide each other; none withheld needs nothing.
        complement(&mut rows, |r| &mut r.cases_approved);
        assert_eq!(cases(&rows), expected);
        let mut shown = vec![row("370100", Cell::Count(5)), row("370200", Cell::Count(6))];
        complement(&mut shown, |r| &mut r.cases_approved);
        assert_eq!(cases(&shown), [Cell::Count(5), Cell::Count(6)]);
        // A single prefecture has nothing to hide behind: its row stays withheld, alone.
        let mut alone = vec![row("370100", Cell::Suppressed)];
        complement(&mut alone, |r| &mut r.cases_approved);
        assert_eq!(cases(&alone), [Cell::Suppressed]);
    }
}
