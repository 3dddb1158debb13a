//! Voiding a case (appeal accepted, an external decision, or an approver's own correction) undoes everything
//! that rested on it, in the transaction of the decision (DESIGN §7): a reversal cancels its points, sanctions
//! resting only on it are revoked, automatic sanctions whose threshold no longer holds are revoked (the
//! extension rows beyond the rung that still holds go, so the suspension is shortened to it), the list entries
//! resting on it alone are taken off (those resting on other cases too stay, saying which remain), and the standing is rewritten at commit.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::kind_of_case;
use crate::domain::cases::CaseState;
use crate::domain::dates::cycle_of_instant;
use crate::domain::sanctions::{SanctionType, last_day_of_term};
use crate::domain::scoring::{
    EntryKind, SubjectKind, ThresholdOutcome, practitioner_points, practitioner_threshold,
};
use crate::i18n::{Msg, msg};
use crate::service::credit::{self, entry_of};
use crate::service::error::{ServiceError, ServiceResult, column};
use crate::service::lists;
use crate::service::sanctions::{Ending, end_row};
use crate::service::writer::Writer;
use entity::{credit_entry, sanction, sanction_violation, violation};

/// The effects of voiding `case` (already moved to `voided` by the caller, under the subject's lock).
pub async fn undo(w: &Writer, case: &violation::Model, reason: &Msg) -> ServiceResult<()> {
    let kind = kind_of_case(case)?;
    let subject = (case.subject_id, case.subject_code.as_str());
    let cycle = case
        .cycle
        .or(case.approved_at.map(cycle_of_instant))
        .ok_or_else(|| ServiceError::corrupt("violations", case.id, "approved without a cycle"))?;
    let mut points = u32::try_from(case.points.unwrap_or(0)).unwrap_or(0);
    if kind == SubjectKind::Practitioner {
        // Repairs may have given part of it back already: the reversal gives back no more than is held, so points
        // never fall below 0 and a later case counts in full.
        let ledger = cycle_ledger(w, case.subject_id, cycle).await?;
        points = points.min(practitioner_points(&ledger, cycle));
    }
    if kind.scale().is_some() && points > 0 {
        let why = msg!("reason-case-voided", id = case.id, reason = reason.clone());
        let entry = (EntryKind::Reversal, cycle);
        credit::append_entry(w, subject, entry, points, Some(case.id), why).await?;
    }
    let why = msg!("reason-case-voided", id = case.id, reason = reason.clone());
    let mut revoked = revoke_resting_only_on(w, case.id, &why).await?;
    if kind == SubjectKind::Practitioner {
        revoked.extend(recheck_thresholds(w, case, cycle, &why, &revoked).await?);
    }
    lists::on_case_voided(w, case.id, &why).await?;
    w.touch(case.subject_id);
    Ok(())
}

/// The subject's ledger of `cycle`, every entry written so far.
async fn cycle_ledger(
    w: &Writer,
    subject_id: i64,
    cycle: i32,
) -> ServiceResult<Vec<crate::domain::scoring::LedgerEntry>> {
    let entries = credit_entry::Entity::find()
        .filter(credit_entry::Column::SubjectId.eq(subject_id))
        .filter(credit_entry::Column::Cycle.eq(cycle))
        .all(w.db())
        .await?;
    entries.iter().map(entry_of).collect()
}

/// Revokes the sanctions linked to the case whose every case is now voided. Returns their ids.
async fn revoke_resting_only_on(
    w: &Writer,
    case_id: i64,
    why: &Msg,
) -> ServiceResult<HashSet<i64>> {
    let db = w.db();
    let sanction_ids: Vec<i64> = sanction_violation::Entity::find()
        .filter(sanction_violation::Column::ViolationId.eq(case_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.sanction_id)
        .collect();
    let links = sanction_violation::Entity::find()
        .filter(sanction_violation::Column::SanctionId.is_in(sanction_ids.clone()))
        .all(db)
        .await?;
    let case_ids: Vec<i64> = links.iter().map(|l| l.violation_id).collect();
    let states: HashMap<i64, String> = violation::Entity::find()
        .filter(violation::Column::Id.is_in(case_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.state))
        .collect();
    let mut revoked = HashSet::new();
    for model in sanction::Entity::find()
        .filter(sanction::Column::Id.is_in(sanction_ids))
        .filter(sanction::Column::RevokedAt.is_null())
        .all(db)
        .await?
    {
        let still_grounded = links.iter().any(|l| {
            l.sanction_id == model.id
                && states.get(&l.violation_id).map(String::as_str)
                    != Some(CaseState::Voided.as_str())
        });
        if !still_grounded {
            revoked.insert(model.id);
            end_row(w, model, why.clone(), Ending::Revoke).await?;
        }
    }
    Ok(revoked)
}

/// A practitioner's automatic sanctions of the case's cycle measured against the points left: a suspension
/// row running past the rung that still holds is revoked, as is a termination or an interview no longer reached.
async fn recheck_thresholds(
    w: &Writer,
    case: &violation::Model,
    cycle: i32,
    why: &Msg,
    already: &HashSet<i64>,
) -> ServiceResult<Vec<i64>> {
    let db = w.db();
    let ledger = cycle_ledger(w, case.subject_id, cycle).await?;
    let points = practitioner_points(&ledger, cycle);
    // The gravest single event still standing decides between the 1- and 3-year bans.
    let single = violation::Entity::find()
        .filter(violation::Column::SubjectId.eq(case.subject_id))
        .filter(violation::Column::Cycle.eq(cycle))
        .filter(
            violation::Column::State
                .is_in([CaseState::Approved.as_str(), CaseState::Appealed.as_str()]),
        )
        .all(db)
        .await?
        .iter()
        .filter_map(|c| c.points)
        .max()
        .map_or(0, |p| u32::try_from(p).unwrap_or(0));
    let outcome = practitioner_threshold(points, single, w.cx.policy());
    let interview_at = w.cx.policy().practitioner.interview_at;
    let mut revoked = Vec::new();
    for model in sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(case.subject_id))
        .filter(sanction::Column::Automatic.eq(true))
        .filter(sanction::Column::RevokedAt.is_null())
        .all(db)
        .await?
    {
        if already.contains(&model.id) || cycle_of_instant(model.created_at) != cycle {
            continue;
        }
        let kind: SanctionType = column("sanctions", model.id, &model.sanction_type)?;
        let stands = match (kind, outcome) {
            (SanctionType::QualificationSuspension, ThresholdOutcome::Suspend { months }) => model
                .ends_on
                .is_some_and(|end| end <= last_day_of_term(model.starts_on, months)),
            (SanctionType::QualificationSuspension, ThresholdOutcome::Terminate { .. }) => true,
            (SanctionType::QualificationTermination, ThresholdOutcome::Terminate { .. }) => true,
            (SanctionType::QualificationSuspension | SanctionType::QualificationTermination, _) => {
                false
            }
            // The engine's interview stands while the points still reach its line.
            (SanctionType::Interview, _) => interview_at.is_none_or(|at| points >= at),
            _ => true,
        };
        if !stands {
            revoked.push(model.id);
            let reason = msg!(
                "reason-case-voided-points-remain",
                why = why.clone(),
                points = points,
                cycle = cycle.to_string()
            );
            end_row(w, model, reason, Ending::Revoke).await?;
        }
    }
    Ok(revoked)
}
