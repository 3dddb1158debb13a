//! `GET /api/v1/standing/{code}`: the hot path. One indexed read of the subject's `standings` row (or none,
//! through the cache) plus date arithmetic; days of an earlier cycle fold that cycle's ledger instead.

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::dates::cycle_of_date;
use crate::domain::masking::Audience;
use crate::domain::regions::{Region, region, region_name};
use crate::domain::registration::{Commitment, Registration, registered_at};
use crate::domain::scoring::{Grade, SubjectKind, Supervision};
use crate::domain::standing::{
    InForce, MayPrescribe, Membership, StandingFacts, StandingStatus, standing_on,
};
use crate::read::cache::{StandingCache, load};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult};
use crate::shared::facts::load_facts;
use crate::shared::lookup::find_visible;
use entity::standing;

/// A subject's standing on one day (DESIGN §8).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StandingView {
    /// Masked (`110105********002X`) for an insured person when the reader is a partner.
    pub code: String,
    pub kind: SubjectKind,
    /// Masked (`王**`) for people when the reader is a partner.
    pub name: String,
    pub region: String,
    /// The name of `region` (`历下区`); null for a code not in the shipped GB/T 2260 list.
    pub region_name: Option<String>,
    /// `region` with its prefecture and province (names are Chinese in every language).
    pub region_detail: Option<Region>,
    /// The strongest that applies: `blacklisted` > `terminated` > `suspended` > `normal`.
    pub status: StandingStatus,
    /// Practitioners: points of the cycle up to `as_of` (12-point system).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// Institutions and pharmacies: 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// 分级分类监管 measures for the grade; for a practitioner, `key_monitoring` while an interview of the
    /// cycle runs (the engine's at 6 points lasts to the cycle's end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<Supervision>,
    /// Institutions and pharmacies: bonus points (信用承诺, commendations) counted in the cycle up to `as_of`,
    /// at most the policy's cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_points: Option<u32>,
    /// Sanctions in force on `as_of`, merged per type and scope (overlapping terms run to the latest end).
    pub sanctions: Vec<InForce>,
    /// False while a measure stops the fund paying this subject at all.
    pub may_be_paid: bool,
    /// Practitioners: whether services in each scope may be paid on `as_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_prescribe: Option<MayPrescribe>,
    /// Practitioners: emergency and rescue services stay payable during a suspension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_payable: Option<bool>,
    /// The lists the subject is on that day, with their ends (`blacklisted` when one is the black list).
    pub lists: Vec<Membership>,
    /// An appeal against one of the subject's cases is pending (the case ids in `disputed_cases`).
    pub disputed: bool,
    pub disputed_cases: Vec<i64>,
    /// Practitioners: where they are registered (登记备案) and each registration's state on `as_of`. Absent for
    /// other kinds and on public pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registrations: Option<Vec<Registration>>,
    /// Practitioners, institutions and pharmacies: the service commitment (信用承诺) on `as_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<Commitment>,
    /// Hospitals asking about a practitioner: whether a registration at their own institution covers `as_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_here: Option<bool>,
    pub as_of: NaiveDate,
    /// Credit cycle (natural year, UTC+8) of `as_of`.
    pub cycle: i32,
    /// The change-log position this answer reflects.
    pub seq: i64,
    /// When the facts behind this answer were last written.
    pub computed_at: DateTime<Utc>,
}

/// The answer and a validator for `ETag`: the same row, day and masking give the same body.
pub struct Answer {
    pub view: StandingView,
    pub etag: String,
}

pub async fn standing<C: ConnectionTrait>(
    db: &C,
    cache: &StandingCache,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    as_of: Option<NaiveDate>,
) -> ServiceResult<Answer> {
    let audience = reader.audience();
    if audience != Audience::Full {
        // The same answer whether the subject is not there or not the reader's to see (DESIGN §14).
        find_visible(db, cx, reader, code).await?;
    }
    let cached = load(db, cache, code).await?.ok_or_else(|| {
        ServiceError::NotFound(msg!("no-subject-with-code", code = code.to_string()))
    })?;
    let row = &cached.row;
    let as_of = as_of.unwrap_or_else(|| cx.today());
    // One validator per representation: the body differs by audience, by the hospital asking (what it may see
    // of its own staff) and by language (generated texts are rendered on the way out), and `Vary` names the
    // language, so two representations must never share a strong ETag.
    let etag = format!(
        "\"{}-{}-{:?}-{}-{}-{as_of}\"",
        row.subject_id,
        row.seq,
        audience,
        org_tag(reader.org.as_deref()),
        crate::i18n::current().tag(),
    );
    let view = answer(db, cx, row, &cached.facts, as_of, reader).await?;
    Ok(Answer { view, etag })
}

/// The reader's organisation as a few hex digits: any code fits in a header, and none is spelt out in it.
fn org_tag(org: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    org.map(|o| hex::encode(&Sha256::digest(o.as_bytes())[..6]))
        .unwrap_or_default()
}

pub(crate) async fn answer<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    row: &standing::Model,
    facts: &StandingFacts,
    as_of: NaiveDate,
    reader: &Actor,
) -> ServiceResult<StandingView> {
    let audience = reader.audience();
    let kind = facts.kind;
    // Unpublished entries do not exist outside staff: their standing is computed without them.
    let s = if facts.covers(as_of) {
        standing_on(&facts.for_audience(audience), as_of, cx.policy())
    } else {
        // A day of an earlier cycle: that cycle's ledger, folded.
        let earlier = load_facts(db, row.subject_id, kind, cycle_of_date(as_of)).await?;
        standing_on(&earlier.for_audience(audience), as_of, cx.policy())
    };
    let person = matches!(kind, SubjectKind::Practitioner | SubjectKind::Insured);
    let practitioner = kind == SubjectKind::Practitioner;
    // Partners could always list a practitioner's affiliations; the public never sees where staff work.
    let registrations = (practitioner && audience != Audience::Public).then_some(s.registrations);
    let registered_here = match (&reader.org, audience) {
        (Some(org), Audience::Hospital) if practitioner => {
            Some(registered_at(&facts.registrations, org, as_of))
        }
        _ => None,
    };
    Ok(StandingView {
        code: if kind == SubjectKind::Insured {
            audience.id_number(&row.code)
        } else {
            row.code.clone()
        },
        kind,
        name: audience.name(&row.name, person),
        region: row.region.clone(),
        region_name: region_name(&row.region),
        region_detail: region(&row.region),
        status: s.status,
        points: s.points,
        score: s.score,
        grade: s.grade,
        supervision: s.supervision,
        bonus_points: s.bonus_points,
        sanctions: s.sanctions,
        may_be_paid: s.may_be_paid,
        may_prescribe: s.may_prescribe,
        emergency_payable: s.emergency_payable,
        lists: s.lists,
        disputed: s.disputed,
        disputed_cases: s.disputed_cases,
        registrations,
        commitment: s.commitment,
        registered_here,
        as_of,
        cycle: s.cycle,
        seq: row.seq,
        computed_at: row.computed_at,
    })
}

/// The same answer folded from the ledger and sanction tables, bypassing the row: what the property test
/// compares the materialised answer with.
pub async fn folded<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    code: &str,
    as_of: NaiveDate,
) -> ServiceResult<crate::domain::standing::Standing> {
    let subject = crate::shared::lookup::find_by_code(db, code).await?;
    let kind = crate::shared::lookup::kind_of(&subject)?;
    let facts = load_facts(db, subject.id, kind, cycle_of_date(as_of)).await?;
    Ok(standing_on(&facts, as_of, cx.policy()))
}
