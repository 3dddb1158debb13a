//! Reading credit (DESIGN §5): the ledger as recorded, and points, score, grade and status folded from it for
//! any day, so a past date answers as it would have then.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::dates::{cycle_of_date, start_of_legal_day_utc};
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::{
    EntryKind, Grade, LedgerEntry, PractitionerStatus, SubjectKind, Supervision, grade,
    organisation_score, practitioner_points, supervision,
};
use crate::pagination::{Page, PageRequest};
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::column;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::sanctions::{self, SanctionView};
use crate::service::subjects::{find_visible, kind_of};
pub use crate::service::views::{LedgerEntryView, entry_of};
use crate::service::writer::Writer;
use entity::credit_entry;
use sea_orm::{ActiveModelTrait, Set};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Page size, 1–500 (default 50).
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreditQuery {
    /// Day to answer for (UTC+8 calendar date); default today. Its year is the cycle.
    pub as_of: Option<NaiveDate>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// 分级分类监管 measures for the grade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<Supervision>,
    /// Practitioners: `normal`, `suspended` or `terminated`. Others: `normal`, or the strongest running
    /// measure (`settlement_suspended`, `agreement_suspended`, `agreement_terminated`).
    pub status: String,
    pub active_sanctions: Vec<SanctionView>,
    pub computed_at: DateTime<Utc>,
}

/// Appends a ledger entry of `cycle` at the writer's instant, with its change row. Entries are never changed;
/// a reversal counts in the cycle of the deduction it undoes.
pub async fn append_entry(
    w: &Writer,
    subject: (i64, &str),
    (kind, cycle): (EntryKind, i32),
    points: u32,
    violation_id: Option<i64>,
    reason: String,
) -> ServiceResult<credit_entry::Model> {
    let points =
        i32::try_from(points).map_err(|_| ServiceError::validation("points", "is too large"))?;
    let row = credit_entry::ActiveModel {
        subject_id: Set(subject.0),
        kind: Set(kind.as_str().to_string()),
        points: Set(points),
        cycle: Set(cycle),
        violation_id: Set(violation_id),
        reason: Set(reason),
        created_by: Set(w.actor.sub.clone()),
        at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    let view = LedgerEntryView::try_from(row.clone())?;
    w.change(
        ChangeEntity::LedgerEntry,
        row.id,
        subject,
        ChangeOp::Added,
        &view,
    )
    .await?;
    Ok(row)
}

pub async fn ledger<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: LedgerQuery,
) -> ServiceResult<Page<LedgerEntryView>> {
    let subject = find_visible(db, cx, reader, code).await?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let rows = credit_entry::Entity::find()
        .filter(credit_entry::Column::SubjectId.eq(subject.id))
        .filter(credit_entry::Column::Id.gt(page.after))
        .order_by_asc(credit_entry::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let page = page.page(rows, |r| r.id, |r| r);
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| Ok(LedgerEntryView::try_from(r)?.for_audience(reader.audience())))
            .collect::<ServiceResult<_>>()?,
        next_cursor: page.next_cursor,
    })
}

pub async fn credit<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    query: CreditQuery,
) -> ServiceResult<CreditView> {
    let subject = find_visible(db, cx, reader, code).await?;
    let now = cx.now;
    let as_of = query.as_of.unwrap_or_else(|| cx.today());
    let cycle = cycle_of_date(as_of);
    let kind = kind_of(&subject)?;
    let entries = entries_until(db, subject.id, cycle, as_of).await?;
    let active = sanctions::active_for_subject(db, subject.id, as_of).await?;
    let running: Vec<SanctionType> = active
        .iter()
        .map(|s| column("sanctions", s.id, &s.sanction_type))
        .collect::<ServiceResult<_>>()?;
    let policy = cx.policy();
    let masked = reader.sees_masked_identities() && kind == SubjectKind::Insured;
    let mut view = CreditView {
        // The same rule as every other field that shows a person's code: masked for a masked reader.
        subject_code: if masked {
            crate::domain::masking::mask_id_number(&subject.code)
        } else {
            subject.code.clone()
        },
        kind,
        as_of,
        cycle,
        points: None,
        score: None,
        grade: None,
        supervision: None,
        status: "normal".into(),
        active_sanctions: Vec::new(),
        computed_at: now,
    };
    match kind {
        SubjectKind::Practitioner => {
            view.points = Some(practitioner_points(&entries, cycle));
            let status = if running.contains(&SanctionType::QualificationTermination) {
                PractitionerStatus::Terminated
            } else if running.contains(&SanctionType::QualificationSuspension) {
                PractitionerStatus::Suspended
            } else {
                PractitionerStatus::Normal
            };
            view.status = status.as_str().to_string();
        }
        SubjectKind::Institution | SubjectKind::Pharmacy => {
            let score = organisation_score(&entries, cycle, policy);
            // Black-list membership arrives with the lists; until then no entry forces grade D.
            let graded = grade(score, false, policy);
            view.score = Some(score);
            view.grade = Some(graded);
            view.supervision = Some(supervision(graded));
            view.status = organisation_status(&running).into();
        }
        SubjectKind::Insured => view.status = organisation_status(&running).into(),
    }
    view.active_sanctions = sanctions::views_of(db, active, as_of, reader).await?;
    Ok(view)
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

/// Ledger entries of `cycle` written up to the end of `as_of` (UTC+8).
pub async fn entries_until<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    cycle: i32,
    as_of: NaiveDate,
) -> ServiceResult<Vec<LedgerEntry>> {
    let end = start_of_legal_day_utc(as_of + Days::new(1));
    let rows = credit_entry::Entity::find()
        .filter(credit_entry::Column::SubjectId.eq(subject_id))
        .filter(credit_entry::Column::Cycle.eq(cycle))
        .filter(credit_entry::Column::At.lt(end))
        .all(db)
        .await?;
    rows.iter().map(entry_of).collect()
}
