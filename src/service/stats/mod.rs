//! The statistics counters (issue 23), written by the one writer in the transaction of the fact they count:
//! each fact's one write function (a case's transition, a sanction's insert and revocation, a list entry's
//! insert, end and publication, a tip's intake, decision and payment) calls one function here with the rules of
//! `domain::stats`. `rebuild` recomputes every counter from the facts with the same rules.

pub mod rebuild;
mod rollups;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, EntityTrait, Set};

use crate::domain::cases::CaseState;
use crate::domain::regions::{prefecture_of, province_of};
use crate::domain::scoring::SubjectKind;
use crate::domain::stats::{self, CaseFigures, Metric, Tally, month_of};
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::writer::Writer;
use entity::{stat_counter, subject, violation, violation_type};

/// Where a count lands: the subject (none for tips), its kind, county and, for an organisation, its code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Counted {
    pub subject_id: i64,
    pub kind: String,
    pub region: String,
    pub org: String,
}

impl Counted {
    pub fn subject(subject: &subject::Model) -> Self {
        let organisation = [SubjectKind::Institution, SubjectKind::Pharmacy]
            .iter()
            .any(|k| k.as_str() == subject.kind);
        Counted {
            subject_id: subject.id,
            kind: subject.kind.clone(),
            region: subject.region.clone(),
            org: if organisation {
                subject.code.clone()
            } else {
                String::new()
            },
        }
    }

    /// A count about no subject (a tip), kept under the county it names, if any.
    pub fn region_only(region: Option<&str>) -> Self {
        Counted {
            subject_id: 0,
            kind: String::new(),
            region: region.unwrap_or_default().to_string(),
            org: String::new(),
        }
    }
}

/// The prefecture and province of a county (the province stands for the prefecture where there is none, as
/// for the districts of the municipalities).
pub(crate) fn place_of(region: &str) -> (String, String) {
    let province = province_of(region).map(|d| d.code).unwrap_or_default();
    let prefecture = prefecture_of(region)
        .map(|d| d.code)
        .unwrap_or_else(|| province.clone());
    (prefecture, province)
}

/// The daily counter of one tally.
pub(crate) fn row(who: &Counted, tally: &Tally) -> stat_counter::ActiveModel {
    let (prefecture, province) = place_of(&who.region);
    stat_counter::ActiveModel {
        id: NotSet,
        metric: Set(tally.metric.as_str().to_string()),
        day: Set(tally.day),
        month: Set(month_of(tally.day)),
        region: Set(who.region.clone()),
        prefecture: Set(prefecture),
        province: Set(province),
        subject_kind: Set(who.kind.clone()),
        subject_id: Set(who.subject_id),
        org: Set(who.org.clone()),
        type_code: Set(tally.type_code.clone()),
        severity: Set(tally.severity.clone()),
        sanction_type: Set(tally.sanction_type.clone()),
        value: Set(tally.value),
    }
}

/// Adds `tallies` to their daily counters and roll-ups (a row is created the first time), in the caller's
/// transaction. A tally of zero counts nothing; tallies under one key are added as one.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    who: &Counted,
    tallies: &[Tally],
) -> ServiceResult<()> {
    use stat_counter::Column as C;
    let tallies: Vec<&Tally> = tallies.iter().filter(|t| t.value != 0).collect();
    if tallies.is_empty() {
        return Ok(());
    }
    let place = place_of(&who.region);
    // The roll-ups first: they ask whether the subject already has a daily counter in the period.
    rollups::add(db, who, &place, &tallies).await?;
    let mut merged: Vec<Tally> = Vec::new();
    for t in &tallies {
        let same = |m: &&mut Tally| {
            (m.metric, m.day, &m.type_code, &m.severity, &m.sanction_type)
                == (t.metric, t.day, &t.type_code, &t.severity, &t.sanction_type)
        };
        match merged.iter_mut().find(same) {
            Some(m) => m.value += t.value,
            None => merged.push((*t).clone()),
        }
    }
    let upsert = OnConflict::columns([
        C::Metric,
        C::Day,
        C::Region,
        C::SubjectId,
        C::TypeCode,
        C::Severity,
        C::SanctionType,
    ])
    .value(C::Value, Expr::cust("stat_counters.value + excluded.value"))
    .to_owned();
    stat_counter::Entity::insert_many(merged.iter().map(|t| row(who, t)))
        .on_conflict(upsert)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Adds `tallies` about `subject_id`.
pub async fn add_for(w: &Writer, subject_id: i64, tallies: &[Tally]) -> ServiceResult<()> {
    if tallies.is_empty() {
        return Ok(());
    }
    let subject = subject::Entity::find_by_id(subject_id)
        .one(w.db())
        .await?
        .ok_or_else(|| ServiceError::corrupt("subjects", subject_id, "is counted but missing"))?;
    add(w.db(), &Counted::subject(&subject), tallies).await
}

/// The counts of a case's transition from `from` (none: recorded) to `to`, today.
pub async fn case_moved(
    w: &Writer,
    case: &violation::Model,
    from: Option<CaseState>,
    to: CaseState,
) -> ServiceResult<()> {
    let severity = violation_type::Entity::find_by_id(case.type_id)
        .one(w.db())
        .await?
        .map(|t| t.severity)
        .unwrap_or_default();
    let tallies = stats::case_moved(from, to, w.cx.today(), &figures(case, &severity));
    add_for(w, case.subject_id, &tallies).await
}

pub(crate) fn figures<'a>(case: &'a violation::Model, severity: &'a str) -> CaseFigures<'a> {
    CaseFigures {
        type_code: &case.type_code,
        severity,
        amount_involved_fen: case.amount_involved_fen,
        amount_to_recover_fen: case.amount_to_recover_fen,
        major: case.major,
    }
}

/// A tip counted on `day` under the county the reporter named.
pub async fn tip<C: ConnectionTrait>(
    db: &C,
    region: Option<&str>,
    metric: Metric,
    day: chrono::NaiveDate,
    value: i64,
) -> ServiceResult<()> {
    add(
        db,
        &Counted::region_only(region),
        &[Tally::new(metric, day, value)],
    )
    .await
}
