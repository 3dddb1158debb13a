//! The staff statistics (`GET /api/v1/stats/{cases,sanctions,lists,tips}`): each endpoint's figures, the query
//! they all take, and who may read what — staff everything; a hospital only its own institution's cases and
//! sanctions (`institution_code` its own, the same 403 for another's and for none); partners nothing here
//! (they have the public statistics).

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use utoipa::IntoParams;

use super::query::{Figure, Filter};
use super::{Request, StatsAnswer, figure_names, table};
use crate::domain::regions::Level;
use crate::domain::regions::level_of;
use crate::domain::roles::Role;
use crate::domain::sanctions::SanctionType as S;
use crate::domain::scoring::SubjectKind;
use crate::domain::stats::{Compare, Metric as M, parse_dimensions};
use crate::i18n::msg;
use crate::pagination::PageRequest;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{FieldErrors, ServiceError, ServiceResult};

/// The staff who read every statistic (admins too).
pub const READERS: [Role; 4] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
];

/// Cases approved, voided, recorded and rejected on their days, the amounts of those approved, major cases, and
/// the cases waiting for a decision at the end of the period.
pub const CASES: &[Figure] = &[
    Figure::flow("approved", &[M::CaseApproved]),
    Figure::flow("voided", &[M::CaseVoided]),
    Figure::flow("recorded", &[M::CaseRecorded]),
    Figure::flow("rejected", &[M::CaseRejected]),
    Figure::flow("major", &[M::CaseMajor]),
    Figure::flow("amount_involved_fen", &[M::AmountInvolvedFen]),
    Figure::flow("amount_to_recover_fen", &[M::AmountToRecoverFen]),
    Figure {
        name: "pending",
        metrics: &[M::CasePending],
        minus: &[],
        sanction_types: &[],
        stock: true,
    },
];

/// Sanctions of `types` (all types when empty) started in the period.
pub const fn started(name: &'static str, types: &'static [S]) -> Figure {
    Figure {
        name,
        metrics: &[M::SanctionStarted],
        minus: &[],
        sanction_types: types,
        stock: false,
    }
}

/// Sanctions started in the period (by type with `group_by=sanction_type`), with the agreements and the
/// practitioners' payment qualifications suspended and terminated among them.
pub const SANCTIONS: &[Figure] = &[
    started("started", &[]),
    started("agreements_suspended", &[S::AgreementSuspension]),
    started("agreements_terminated", &[S::AgreementTermination]),
    started("practitioners_suspended", &[S::QualificationSuspension]),
    started("practitioners_terminated", &[S::QualificationTermination]),
    Figure::flow("extended", &[M::SanctionExtended]),
    Figure::flow("revoked", &[M::SanctionRevoked]),
];

const fn in_force(name: &'static str, added: &'static [M], ended: &'static [M]) -> Figure {
    Figure {
        name,
        metrics: added,
        minus: ended,
        sanction_types: &[],
        stock: true,
    }
}

/// Black and red list entries added and ended in the period, and in force on its last day; and the bonuses
/// (守信激励) written for institutions and pharmacies, the other side of credit.
pub const LISTS: &[Figure] = &[
    Figure::flow("black_added", &[M::BlackAdded]),
    Figure::flow("black_ended", &[M::BlackEnded]),
    in_force("black_in_force", &[M::BlackAdded], &[M::BlackEnded]),
    Figure::flow("red_added", &[M::RedAdded]),
    Figure::flow("red_ended", &[M::RedEnded]),
    in_force("red_in_force", &[M::RedAdded], &[M::RedEnded]),
    Figure::flow("bonuses", &[M::BonusAwarded]),
    Figure::flow("bonus_points", &[M::BonusPoints]),
];

/// Tips received and accepted, rewards paid and their amount, by the county the reporter named.
pub const TIPS: &[Figure] = &[
    Figure::flow("received", &[M::TipReceived]),
    Figure::flow("accepted", &[M::TipAccepted]),
    Figure::flow("rewards_paid", &[M::RewardPaid]),
    Figure::flow("rewards_paid_fen", &[M::RewardPaidFen]),
];

/// What every statistics endpoint takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// First day (UTC+8), default 1 January of this year.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub from: Option<NaiveDate>,
    /// Last day (UTC+8), default today; not before `from`.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub to: Option<NaiveDate>,
    /// A county, prefecture or province code (GB/T 2260): counties roll up to the prefecture and province.
    #[param(pattern = "^[0-9]{6}$")]
    pub region: Option<String>,
    pub subject_kind: Option<SubjectKind>,
    /// Only cases of this catalogue code.
    #[param(min_length = 1, max_length = 64)]
    pub type_code: Option<String>,
    /// One or two of `region`, `prefecture`, `province`, `subject_kind`, `type_code`, `severity`,
    /// `sanction_type`, `month`, `quarter`, `year`, separated by a comma (`prefecture,month`).
    #[param(
        pattern = "^(region|prefecture|province|subject_kind|type_code|severity|sanction_type|month|quarter|year)(,(region|prefecture|province|subject_kind|type_code|severity|sanction_type|month|quarter|year))?$"
    )]
    pub group_by: Option<String>,
    /// `previous_year` adds the same days a year earlier and the change.
    pub compare: Option<Compare>,
    /// An institution's or pharmacy's own figures; a hospital must give its own code.
    #[param(min_length = 1, max_length = 64)]
    pub institution_code: Option<String>,
    /// Rows per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Which statistics endpoint is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    Cases,
    Sanctions,
    Lists,
    Tips,
}

impl Topic {
    fn figures(self) -> &'static [Figure] {
        match self {
            Topic::Cases => CASES,
            Topic::Sanctions => SANCTIONS,
            Topic::Lists => LISTS,
            Topic::Tips => TIPS,
        }
    }
}

/// Staff read every topic; a hospital reads its own institution's cases and sanctions, nothing else. Checked
/// before the query is looked at further, with one answer for "not yours" and "none given".
pub fn check_reader(
    reader: &Actor,
    topic: Topic,
    institution_code: Option<&str>,
) -> ServiceResult<()> {
    if reader.role == Role::Hospital && matches!(topic, Topic::Cases | Topic::Sanctions) {
        let own = reader.org.as_deref();
        if own.is_some() && institution_code.map(str::trim) == own {
            return Ok(());
        }
        return Err(ServiceError::Forbidden(msg!("stats-own-institution-only")));
    }
    reader.require(&READERS)
}

/// The answer of one staff statistics endpoint.
pub async fn read<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    topic: Topic,
    query: StatsQuery,
) -> ServiceResult<StatsAnswer> {
    check_reader(reader, topic, query.institution_code.as_deref())?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let today = cx.today();
    let mut errors = FieldErrors::default();
    let from = query
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = query.to.unwrap_or(today);
    if to < from {
        errors.add("to", msg!("stats-to-before-from"));
    }
    let dims = match query.group_by.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => parse_dimensions(text).unwrap_or_else(|word| {
            errors.add("group_by", msg!("stats-group-by-unknown", word = word));
            Vec::new()
        }),
    };
    let place = place(query.region.as_deref(), &mut errors);
    errors.finish()?;
    let seq = crate::shared::facts::last_seq(db).await?;
    let request = Request {
        figures: topic.figures(),
        filter: Filter {
            place,
            kinds: query.subject_kind.map(|k| vec![k]),
            org: query.institution_code.map(|c| c.trim().to_string()),
            type_code: query.type_code.map(|c| c.trim().to_string()),
        },
        dims,
        from,
        to,
        compare: query.compare,
        cells: super::staff_cells(cx),
    };
    let page = table(db, &request, page).await?;
    let previous = query
        .compare
        .map(|_| crate::domain::stats::previous_year(from, to));
    Ok(StatsAnswer {
        seq,
        from,
        to,
        figures: figure_names(&request),
        group_by: request.dims,
        compare: query.compare,
        previous_from: previous.map(|p| p.0),
        previous_to: previous.map(|p| p.1),
        items: page.items,
        next_cursor: page.next_cursor,
    })
}

/// The `region` filter: the level its code names, or a field error.
pub fn place(region: Option<&str>, errors: &mut FieldErrors) -> Option<(Level, String)> {
    let code = region?.trim();
    match level_of(code) {
        Some(level) => Some((level, code.to_string())),
        None => {
            errors.add(
                "region",
                msg!("stats-region-unknown", code = code.to_string()),
            );
            None
        }
    }
}
