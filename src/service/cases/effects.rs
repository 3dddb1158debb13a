//! Persists what the effects engine (`domain::effects`) decides: it gathers the subject's current facts under
//! the subject's lock, asks the pure rules, and writes each effect through the one sanction insert and the one
//! ledger append, so nothing here re-implements a write.

use super::{ApproveCase, kind_of_case};
use crate::domain::dates::cycle_of_instant;
use crate::domain::effects::{self, Approval, Effect};
use crate::domain::sanctions::SanctionType;
use crate::domain::scoring::practitioner_points;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::sanctions::{self, SanctionRow};
use crate::service::writer::Writer;
use crate::service::{credit, lists};
use entity::{sanction, subject, violation, violation_type};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Whether the engine already started the subject's interview of `cycle`. A lifted one counts (it happened), a
/// revoked one does not (it never counted, like a suspension whose case was voided).
async fn interviewed_in<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    cycle: i32,
) -> ServiceResult<bool> {
    let interviews = sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(subject_id))
        .filter(sanction::Column::SanctionType.eq(SanctionType::Interview.as_str()))
        .filter(sanction::Column::Automatic.eq(true))
        .filter(sanction::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    Ok(interviews
        .iter()
        .any(|s| cycle_of_instant(s.created_at) == cycle))
}

/// The effects of approving `case` (the caller holds the subject's lock and has written the transition).
pub async fn on_approval(
    w: &Writer,
    case: &violation::Model,
    case_type: &violation_type::Model,
    body: &ApproveCase,
) -> ServiceResult<()> {
    let db = w.db();
    let cycle = w.cx.cycle();
    let entries = credit::entries_until(db, case.subject_id, cycle, w.cx.today()).await?;
    let live = sanctions::live_automatic(db, case.subject_id).await?;
    let type_label = format!("{} {}", case_type.code, case_type.name);
    let approval = Approval {
        case_id: case.id,
        kind: kind_of_case(case)?,
        type_label: &type_label,
        points: body.points,
        settlement_suspension_months: body.settlement_suspension_months,
        points_before: practitioner_points(&entries, cycle),
        cycle,
        today: w.cx.today(),
        live: &live,
        major: case.major,
        transferred_to_judiciary: case.transferred_to_judiciary,
        amount_involved_fen: case.amount_involved_fen,
        interviewed_in_cycle: interviewed_in(db, case.subject_id, cycle).await?,
    };
    let decided = effects::on_approval(&approval, w.cx.policy());
    let target = subject::Entity::find_by_id(case.subject_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::corrupt("violations", case.id, "names a missing subject"))?;
    crate::service::lists::red::end_on_approval(w, target.id, case.id, &type_label).await?;
    for effect in decided {
        match effect {
            Effect::Ledger {
                kind,
                points,
                reason,
            } => {
                let subject = (target.id, target.code.as_str());
                let kind = (kind, cycle);
                credit::append_entry(w, subject, kind, points, Some(case.id), reason).await?;
            }
            Effect::StartSanction(terms) => {
                let row = SanctionRow {
                    sanction_type: terms.sanction_type,
                    scope: terms.scope,
                    starts_on: terms.starts_on,
                    ends_on: terms.ends_on,
                    ban_until: terms.ban_until,
                    amount_fen: None,
                    reason: terms.reason,
                    threshold_key: Some(terms.threshold_key),
                    extends_id: terms.extends,
                };
                sanctions::insert(w, &target, row, &[case.id]).await?;
            }
            Effect::BlackList { cause_key, reason } => {
                lists::add_automatic(w, &target, cause_key, reason, &[case.id]).await?;
            }
        }
    }
    Ok(())
}
