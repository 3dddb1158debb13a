//! Imposing, extending, lifting and revoking: every sanction row is written through `insert`, and its terms
//! are never rewritten afterwards (the database refuses it too).

use super::*;
use crate::i18n::{Msg, msg};

/// A case grounds a sanction on `subject` when it is against that subject, or when it is a practitioner's
/// case whose losses the named institution bears (seed 003: 由定点医疗机构承担).
pub(super) fn grounds(case: &violation::Model, subject: &subject::Model) -> ServiceResult<bool> {
    Ok(case.subject_id == subject.id
        || (case.institution_liable
            && crate::service::cases::kind_of_case(case)? == SubjectKind::Practitioner
            && case.institution_code.as_deref() == Some(subject.code.as_str())))
}

pub(crate) async fn check_violations<C: ConnectionTrait>(
    db: &C,
    subject: &subject::Model,
    ids: &[i64],
    errors: &mut FieldErrors,
) -> ServiceResult<()> {
    if ids.is_empty() {
        // A measure is a decision on facts: it rests on at least one approved case (issue 11).
        errors.add(
            "violation_ids",
            msg!("must-name-at-least-one-approved-case"),
        );
        return Ok(());
    }
    if ids.len() > MAX_VIOLATIONS {
        errors.add(
            "violation_ids",
            msg!("at-most-cases", MAX_VIOLATIONS = MAX_VIOLATIONS.to_string()),
        );
        return Ok(());
    }
    // Shared row locks on PostgreSQL: a case cannot be voided between this check and the commit.
    let cases: HashMap<i64, violation::Model> = violation::Entity::find()
        .filter(violation::Column::Id.is_in(ids.iter().copied()))
        .lock_shared()
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let approved = CaseState::Approved.as_str();
    let mut seen = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("violation_ids[{i}]");
        match cases.get(id) {
            _ if !seen.insert(id) => {
                errors.add(&field, msg!("case-is-listed-twice", id = id.to_string()))
            }
            None => errors.add(&field, msg!("no-case-with-id", id = id.to_string())),
            Some(case) if !grounds(case, subject)? => {
                let owner = &case.subject_code;
                errors.add(
                    &field,
                    msg!(
                        "case-is-against-not-this-subject",
                        id = id.to_string(),
                        owner = owner.to_string()
                    ),
                );
            }
            Some(case) if case.state != approved => {
                let state = &case.state;
                errors.add(
                    &field,
                    msg!(
                        "case-is-only-approved-cases-count",
                        id = id.to_string(),
                        state = state.to_string()
                    ),
                );
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Imposes a sanction: the row, its links to the cases, the audit and change rows commit together.
pub async fn create(w: &Writer, input: NewSanction) -> ServiceResult<SanctionView> {
    w.actor.require(&WRITERS)?;
    let reason = input.reason.trim().to_string();
    let policy = w.cx.policy();
    let txn = w.db();
    let target = find_by_code(txn, input.subject_code.trim()).await?;
    let mut errors = FieldErrors::default();
    let terms = Terms {
        kind: kind_of(&target)?,
        sanction_type: input.sanction_type,
        scope: input.scope,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        amount_fen: input.amount_fen,
    };
    let scope = check_terms(&terms, policy).unwrap_or_else(|broken| {
        for (field, message) in broken {
            errors.add(field, message);
        }
        None
    });
    check_violations(txn, &target, &input.violation_ids, &mut errors).await?;
    errors.check("reason", check_reason(&reason));
    let ban_until = input.sanction_type.ban_until(input.starts_on, policy);
    if let Some(Err(why)) = ban_until.map(crate::domain::dates::strict::in_range) {
        errors.add("starts_on", msg!("the-ban-would-end-on-a-day", why = why));
    }
    errors.finish()?;
    let row = SanctionRow {
        sanction_type: input.sanction_type,
        scope,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        ban_until,
        amount_fen: input.amount_fen,
        reason: Msg::verbatim(reason),
        threshold_key: None,
        extends_id: None,
    };
    let model = insert(w, &target, row, &input.violation_ids).await?;
    if input.sanction_type == SanctionType::AgreementTermination {
        black_list_fraud(w, &target, &model, &input.violation_ids).await?;
    }
    view_of(txn, model, w.cx.today(), &w.actor).await
}

/// An agreement terminated for fraud (a cited case of a type the policy counts as fraud) black-lists the
/// organisation in the same transaction (DESIGN §7).
async fn black_list_fraud(
    w: &Writer,
    target: &subject::Model,
    sanction: &sanction::Model,
    case_ids: &[i64],
) -> ServiceResult<()> {
    let fraud = &w.cx.policy().lists.fraud_type_codes;
    let cases = violation::Entity::find()
        .filter(violation::Column::Id.is_in(case_ids.iter().copied()))
        .all(w.db())
        .await?;
    let fraudulent: Vec<i64> = cases
        .iter()
        .filter(|c| fraud.contains(&c.type_code))
        .map(|c| c.id)
        .collect();
    if fraudulent.is_empty() {
        return Ok(());
    }
    let reason = msg!(
        "reason-black-agreement-termination-fraud",
        id = sanction.id,
        reason = Msg::from_column(&sanction.reason)
    );
    let cause = format!("agreement-termination:{}", sanction.id);
    crate::service::lists::add_automatic(w, target, cause, reason, &fraudulent).await
}

/// A sanction's terms as they are written; `threshold_key` marks the engine's own.
pub struct SanctionRow {
    pub sanction_type: SanctionType,
    pub scope: Option<Scope>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub ban_until: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
    /// The engine's reason as a message; an approver's words as [`Msg::verbatim`].
    pub reason: Msg,
    pub threshold_key: Option<String>,
    pub extends_id: Option<i64>,
}

/// The one way a sanction row is written, by an approver or by the engine: the row, its links to the cases,
/// an audit row and the change rows (for an extension, also a `changed` row on the sanction it extends).
pub async fn insert(
    w: &Writer,
    target: &subject::Model,
    row: SanctionRow,
    violation_ids: &[i64],
) -> ServiceResult<sanction::Model> {
    let txn = w.db();
    let now = w.cx.now;
    let automatic = row.threshold_key.is_some();
    let model = sanction::ActiveModel {
        subject_id: Set(target.id),
        subject_code: Set(target.code.clone()),
        sanction_type: Set(row.sanction_type.as_str().to_string()),
        scope: Set(row.scope.map(|s| s.as_str().to_string())),
        starts_on: Set(row.starts_on),
        ends_on: Set(row.ends_on),
        ban_until: Set(row.ban_until),
        amount_fen: Set(row.amount_fen),
        reason: Set(row.reason.to_column()),
        automatic: Set(automatic),
        threshold_key: Set(row.threshold_key),
        created_by: Set(w.actor.sub.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        extends_id: Set(row.extends_id),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if !violation_ids.is_empty() {
        sanction_violation::Entity::insert_many(violation_ids.iter().map(|&violation_id| {
            sanction_violation::ActiveModel {
                sanction_id: Set(model.id),
                violation_id: Set(violation_id),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let counted = crate::domain::stats::sanction_written(
        row.sanction_type,
        row.starts_on,
        row.extends_id.is_some(),
    );
    crate::service::stats::add(
        txn,
        &crate::service::stats::Counted::subject(target),
        &[counted],
    )
    .await?;
    let system = Actor::system(&w.actor.request_id);
    let view = view_of(txn, model.clone(), w.cx.today(), &system).await?;
    let action = match (automatic, row.extends_id) {
        (false, _) => "sanction.create",
        (true, None) => "sanction.auto_create",
        (true, Some(_)) => "sanction.auto_extend",
    };
    w.audit(action, &target.code, &view).await?;
    let subject = (target.id, target.code.as_str());
    w.change(
        ChangeEntity::Sanction,
        model.id,
        subject,
        ChangeOp::Added,
        &view,
    )
    .await?;
    if let Some(extended) = row.extends_id {
        // The extended row keeps its terms; its new value says what continues it and to when.
        let earlier = find(txn, extended, false).await?;
        let earlier = view_of(txn, earlier, w.cx.today(), &system).await?;
        // Kept as keys and arguments, like every change-log value, so it reads in any language later.
        let mut change = crate::i18n::storing(|| serde_json::to_value(earlier)).map_err(|e| {
            ServiceError::Unprocessable(crate::i18n::msg!(
                "fault-serialise",
                detail = e.to_string()
            ))
        })?;
        change["extended_by"] = json!(model.id);
        change["effective_ends_on"] = json!(model.ends_on);
        change["extension_reason"] = Msg::from_column(&model.reason).to_stored();
        w.change(
            ChangeEntity::Sanction,
            extended,
            subject,
            ChangeOp::Changed,
            &change,
        )
        .await?;
    }
    Ok(model)
}

/// The subject's automatic sanctions that have been neither revoked nor lifted: what the engine may extend,
/// or must not duplicate.
pub async fn live_automatic<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
) -> ServiceResult<Vec<LiveSanction>> {
    sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(subject_id))
        .filter(sanction::Column::Automatic.eq(true))
        .filter(sanction::Column::RevokedAt.is_null())
        .filter(sanction::Column::LiftedOn.is_null())
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(LiveSanction {
                id: m.id,
                sanction_type: column("sanctions", m.id, &m.sanction_type)?,
                starts_on: m.starts_on,
                ends_on: m.ends_on,
                cycle: cycle_of_instant(m.created_at),
            })
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
pub enum Ending {
    /// Ends it from today (UTC+8) on; refused once lifted, revoked or expired.
    Lift,
    /// Withdraws it as if it never counted; refused once revoked.
    Revoke,
}

/// Lifts or revokes a sanction, with its audit row.
pub async fn end(
    w: &Writer,
    id: i64,
    body: SanctionAction,
    ending: Ending,
) -> ServiceResult<SanctionView> {
    w.actor.require(&WRITERS)?;
    let reason = Msg::verbatim(crate::service::error::required_reason(&body.reason)?);
    let current = find(w.db(), id, true).await?;
    let updated = end_row(w, current, reason, ending).await?;
    view_of(w.db(), updated, w.cx.today(), &w.actor).await
}

/// Lifts or revokes a loaded sanction with its audit and change rows: the approver's action above, and the
/// effect of voiding the cases a sanction rests on.
pub async fn end_row(
    w: &Writer,
    current: sanction::Model,
    reason: Msg,
    ending: Ending,
) -> ServiceResult<sanction::Model> {
    let (id, now, today, txn) = (current.id, w.cx.now, w.cx.today(), w.db());
    if current.revoked_at.is_some() {
        return Err(ServiceError::Conflict(msg!(
            "sanction-is-revoked",
            id = id.to_string()
        )));
    }
    let mut model: sanction::ActiveModel = current.clone().into();
    let (action, op, change) = match ending {
        Ending::Lift => {
            let now_status = status_of(&current, today);
            if matches!(now_status, SanctionStatus::Lifted | SanctionStatus::Expired) {
                return Err(ServiceError::Conflict(msg!(
                    "sanction-is",
                    id = id.to_string(),
                    now_status = now_status.to_string()
                )));
            }
            model.lifted_on = Set(Some(today));
            model.lifted_reason = Set(Some(reason.to_column()));
            let change = json!({"id": id, "lifted_on": today, "reason": reason});
            ("sanction.lift", ChangeOp::Ended, change)
        }
        Ending::Revoke => {
            model.revoked_at = Set(Some(now));
            model.revoked_reason = Set(Some(reason.to_column()));
            let kind: SanctionType = column("sanctions", id, &current.sanction_type)?;
            let counted = crate::domain::stats::sanction_revoked(kind, today);
            crate::service::stats::add_for(w, current.subject_id, &[counted]).await?;
            let change = json!({"id": id, "revoked_at": now, "reason": reason});
            ("sanction.revoke", ChangeOp::Removed, change)
        }
    };
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    w.audit(action, &updated.subject_code, &change).await?;
    // The change log carries the sanction's whole new value, so a mirror needs nothing else.
    let system = Actor::system(&w.actor.request_id);
    let value = view_of(txn, updated.clone(), today, &system).await?;
    let subject = (updated.subject_id, updated.subject_code.as_str());
    w.change(ChangeEntity::Sanction, id, subject, op, &value)
        .await?;
    Ok(updated)
}
