//! `GET /api/v1/subjects/{code}/credit`: the standing answer of `GET /standing/{code}` (one computation, the
//! materialised standing) plus the ledger detail of its cycle and the running sanctions in full, so the two
//! endpoints cannot disagree (a black-listed institution is grade D in both).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::{Grade, PractitionerStatus, SubjectKind, Supervision};
use crate::domain::standing::{Membership, StandingStatus};
use crate::read::cache::StandingCache;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::ServiceResult;
use crate::shared::facts::rows_until;
use crate::shared::lookup::find_by_code;
use crate::shared::views::{self, LedgerEntryView, SanctionView};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreditQuery {
    /// Day to answer for (UTC+8 calendar date); default today. Its year is the cycle.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub as_of: Option<NaiveDate>,
}

crate::domain::enums::string_enum! {
    /// Practitioners: `normal`, `suspended` or `terminated`. Others: `normal`, or the strongest running
    /// measure.
    pub enum CreditStatus as "credit status" {
        Normal = "normal",
        Suspended = "suspended",
        Terminated = "terminated",
        SettlementSuspended = "settlement_suspended",
        AgreementSuspended = "agreement_suspended",
        AgreementTerminated = "agreement_terminated",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditView {
    pub subject_code: String,
    pub kind: SubjectKind,
    pub as_of: NaiveDate,
    /// Credit cycle: the natural year in UTC+8.
    pub cycle: i32,
    /// Practitioners: points accumulated in the cycle up to `as_of` (12-point system).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// Institutions and pharmacies: 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    /// As in the standing answer: an active black-list entry forces `D`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// 分级分类监管 measures for the grade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<Supervision>,
    /// Institutions and pharmacies: bonus points counted in the cycle up to `as_of` (capped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_points: Option<u32>,
    #[schema(value_type = CreditStatus)]
    pub status: String,
    /// The standing answer's status (`blacklisted` > `terminated` > `suspended` > `normal`).
    pub standing_status: StandingStatus,
    /// The lists the subject is on that day.
    pub lists: Vec<Membership>,
    pub active_sanctions: Vec<SanctionView>,
    /// The ledger entries of the cycle written up to `as_of`, oldest first: what the points or score fold.
    pub entries: Vec<LedgerEntryView>,
    /// The change-log position the answer reflects.
    pub seq: i64,
    pub computed_at: DateTime<Utc>,
}

pub async fn credit<C: ConnectionTrait>(
    db: &C,
    cache: &StandingCache,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: CreditQuery,
) -> ServiceResult<CreditView> {
    let as_of = query.as_of.unwrap_or_else(|| cx.today());
    // The standing answer decides who may read whom (and counts a partner's look-up); its subject is then there.
    let standing = super::standing::standing(db, cache, cx, reader, code, Some(as_of))
        .await?
        .view;
    let subject = find_by_code(db, code).await?;
    let running: Vec<SanctionType> = standing.sanctions.iter().map(|s| s.sanction_type).collect();
    let status = match standing.kind {
        SubjectKind::Practitioner => practitioner_status(&running).as_str(),
        _ => organisation_status(&running),
    };
    let entries = rows_until(db, subject.id, standing.cycle, as_of)
        .await?
        .into_iter()
        .map(|row| Ok(LedgerEntryView::try_from(row)?.for_audience(reader.audience())))
        .collect::<ServiceResult<_>>()?;
    let active = views::active_for_subject(db, subject.id, as_of).await?;
    Ok(CreditView {
        subject_code: standing.code,
        kind: standing.kind,
        as_of,
        cycle: standing.cycle,
        points: standing.points,
        score: standing.score,
        grade: standing.grade,
        supervision: standing.supervision,
        bonus_points: standing.bonus_points,
        status: status.to_string(),
        standing_status: standing.status,
        lists: standing.lists,
        active_sanctions: views::views_of(db, active, as_of, reader).await?,
        entries,
        seq: standing.seq,
        computed_at: standing.computed_at,
    })
}

fn practitioner_status(running: &[SanctionType]) -> PractitionerStatus {
    if running.contains(&SanctionType::QualificationTermination) {
        PractitionerStatus::Terminated
    } else if running.contains(&SanctionType::QualificationSuspension) {
        PractitionerStatus::Suspended
    } else {
        PractitionerStatus::Normal
    }
}

/// The strongest running measure that limits payment, in the order a hospital would need to know it.
fn organisation_status(running: &[SanctionType]) -> &'static str {
    if running.contains(&SanctionType::AgreementTermination) {
        "agreement_terminated"
    } else if running.contains(&SanctionType::AgreementSuspension) {
        "agreement_suspended"
    } else if running.contains(&SanctionType::SettlementSuspension) {
        "settlement_suspended"
    } else {
        "normal"
    }
}
