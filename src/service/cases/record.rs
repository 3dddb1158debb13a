//! Recording a new case with its first transition and audit row.

use sea_orm::{ActiveModelTrait, Set};

use super::{NewViolation, RECORDERS, ViolationView, read, rules, target};
use crate::domain::cases::{CaseState, is_major};
use crate::domain::policy::Policy;
use crate::service::error::{FieldErrors, ServiceResult};
use crate::service::writer::Writer;
use entity::{violation, violation_transition, violation_type};

/// Records a new case with its first transition and audit row. (`Idempotency-Key` is the routes' one
/// mechanism, `service::idempotency`, as for every creating request.)
pub async fn record(w: &Writer, body: serde_json::Value) -> ServiceResult<ViolationView> {
    w.actor.require(&RECORDERS)?;
    let input: NewViolation = crate::service::error::parse_json(body)?;
    let now = w.cx.now;
    let mut errors = FieldErrors::default();
    rules::check_fields(&input, w.cx.today(), &mut errors);
    errors.finish()?;
    let txn = w.db();
    let (subject, found) = rules::resolve(txn, &input).await?;
    let mut model = violation::ActiveModel {
        subject_id: Set(subject.id),
        subject_code: Set(subject.code.clone()),
        subject_kind: Set(subject.kind.clone()),
        state: Set(CaseState::Recorded.as_str().to_string()),
        recorded_by: Set(w.actor.sub.clone()),
        idempotency_key: Set(None),
        request_hash: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    set_fields(&mut model, &input, &found, w.cx.policy());
    let model = model.insert(txn).await?;
    record_transition(w, &model, None, CaseState::Recorded, None).await?;
    w.audit("violation.record", &target(model.id), &input)
        .await?;
    read::view(txn, model).await
}

/// Writes what the inspector supplied, and what follows from it (the catalogue version, the major flag), onto a
/// case row: the same for a new case and for a correction after a return.
pub fn set_fields(
    model: &mut violation::ActiveModel,
    input: &NewViolation,
    case_type: &violation_type::Model,
    policy: &Policy,
) {
    model.type_id = Set(case_type.id);
    model.type_code = Set(case_type.code.clone());
    model.occurred_on = Set(input.occurred_on);
    model.discovered_on = Set(input.discovered_on);
    model.description = Set(input.description.trim().to_string());
    model.amount_involved_fen = Set(input.amount_involved_fen);
    model.amount_to_recover_fen = Set(input.amount_to_recover_fen);
    model.evidence = Set(serde_json::to_string(&input.evidence).unwrap_or_else(|_| "[]".into()));
    model.responsibility = Set(input.responsibility.map(|r| r.as_str().to_string()));
    model.institution_code = Set(input.institution_code.clone());
    model.institution_liable = Set(input.institution_liable);
    model.transferred_to_judiciary = Set(input.transferred_to_judiciary);
    model.major = Set(is_major(
        input.amount_involved_fen,
        input.transferred_to_judiciary,
        policy,
    ));
}

/// The one way a case changes state: its transition row (who, when, why) and the statistics it moves.
pub async fn record_transition(
    w: &Writer,
    case: &violation::Model,
    from: Option<CaseState>,
    to: CaseState,
    reason: Option<String>,
) -> ServiceResult<()> {
    violation_transition::ActiveModel {
        violation_id: Set(case.id),
        from_state: Set(from.map(|s| s.as_str().to_string())),
        to_state: Set(to.as_str().to_string()),
        actor: Set(w.actor.sub.clone()),
        role: Set(w.actor.role.as_str().to_string()),
        reason: Set(reason),
        at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(w.db())
    .await?;
    crate::service::stats::case_moved(w, case, from, to).await
}
