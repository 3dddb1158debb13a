//! Bans that outlive a termination (DESIGN §5, §6): a practitioner whose payment qualification was terminated
//! may not be registered or affiliated again before `ban_until` (1 year, 3 after a single 12-point event); an
//! organisation whose agreement was terminated gets no new one for 3 years (seed 002). The ban follows the
//! person (ID number) and the legal entity (USCC), not the code, so a new code does not escape it.

use crate::i18n::msg;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::SubjectKind;
use crate::service::error::{ServiceError, ServiceResult};
use entity::{sanction, subject};

/// The last running ban among the subjects `holders` selects: terminations neither revoked nor lifted whose
/// `ban_until` is after `today`.
async fn running_ban<C: ConnectionTrait>(
    db: &C,
    holders: sea_orm::Select<subject::Entity>,
    kind: SanctionType,
    today: NaiveDate,
) -> ServiceResult<Option<NaiveDate>> {
    let ids = holders
        .select_only()
        .column(subject::Column::Id)
        .into_query();
    Ok(sanction::Entity::find()
        .filter(sanction::Column::SubjectId.in_subquery(ids))
        .filter(sanction::Column::SanctionType.eq(kind.as_str()))
        .filter(sanction::Column::RevokedAt.is_null())
        .filter(sanction::Column::LiftedOn.is_null())
        .filter(sanction::Column::BanUntil.gt(today))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| s.ban_until)
        .max())
}

/// Refuses registering a practitioner whose person (ID number), or an organisation whose legal entity (USCC),
/// is under a running ban: `409` naming the day the ban ends.
pub async fn check_registration<C: ConnectionTrait>(
    db: &C,
    kind: SubjectKind,
    id_number: Option<&str>,
    uscc: Option<&str>,
    today: NaiveDate,
) -> ServiceResult<()> {
    let (holders, sanction_type, what) = match (kind, id_number, uscc) {
        (SubjectKind::Practitioner, Some(id), _) => (
            subject::Entity::find()
                .filter(subject::Column::Kind.eq(SubjectKind::Practitioner.as_str()))
                .filter(subject::Column::IdNumber.eq(id)),
            SanctionType::QualificationTermination,
            "this person's payment qualification was terminated; no re-registration",
        ),
        (SubjectKind::Institution | SubjectKind::Pharmacy, _, Some(uscc)) => (
            subject::Entity::find().filter(subject::Column::Uscc.eq(uscc)),
            SanctionType::AgreementTermination,
            "this organisation's service agreement was terminated; no new agreement",
        ),
        _ => return Ok(()),
    };
    match running_ban(db, holders, sanction_type, today).await? {
        Some(until) => Err(ServiceError::Conflict(msg!(
            "before",
            what = what.to_string(),
            until = until.to_string()
        ))),
        None => Ok(()),
    }
}

/// The ID numbers and USCCs under a running ban today: the few keys a bulk import must look at closely
/// (with `check_registration`, for its answer), read once instead of once per row.
pub async fn banned_keys<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> ServiceResult<std::collections::HashSet<String>> {
    let banned = sanction::Entity::find()
        .select_only()
        .column(sanction::Column::SubjectId)
        .filter(sanction::Column::SanctionType.is_in([
            SanctionType::QualificationTermination.as_str(),
            SanctionType::AgreementTermination.as_str(),
        ]))
        .filter(sanction::Column::RevokedAt.is_null())
        .filter(sanction::Column::LiftedOn.is_null())
        .filter(sanction::Column::BanUntil.gt(today))
        .into_query();
    let holders: Vec<(Option<String>, Option<String>)> = subject::Entity::find()
        .select_only()
        .column(subject::Column::IdNumber)
        .column(subject::Column::Uscc)
        .filter(subject::Column::Id.in_subquery(banned))
        .into_tuple()
        .all(db)
        .await?;
    Ok(holders
        .into_iter()
        .flat_map(|(id, uscc)| id.into_iter().chain(uscc))
        .collect())
}

/// Refuses affiliating a practitioner whose qualification termination ban is running.
pub async fn check_affiliation<C: ConnectionTrait>(
    db: &C,
    practitioner: &subject::Model,
    today: NaiveDate,
) -> ServiceResult<()> {
    let holders = subject::Entity::find().filter(subject::Column::Id.eq(practitioner.id));
    let ban = running_ban(db, holders, SanctionType::QualificationTermination, today).await?;
    match ban {
        Some(until) => Err(ServiceError::Conflict(msg!(
            "s-payment-qualification-was-terminated-no-re",
            code = practitioner.code.to_string(),
            until = until.to_string()
        ))),
        None => Ok(()),
    }
}
