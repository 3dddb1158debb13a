//! What an approval sets in motion, inside the approval's own transaction: the ledger deduction and the
//! sanctions the rules make automatic (DESIGN §5). Each automatic sanction carries a `threshold_key` that is
//! unique in the database, so neither a retry nor a race can create one twice.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::AuthUser;
use crate::db::WriteTxn;
use crate::domain::dates::{add_years, cycle_of_instant, legal_date};
use crate::domain::sanctions::{SanctionType, Scope, last_day_of_term};
use crate::domain::scoring::{
    EntryKind, SubjectKind, ThresholdOutcome, practitioner_points, practitioner_threshold,
};
use crate::error::ApiResult;
use crate::service::workflow::ApproveCase;
use crate::service::{audit, credit};
use crate::state::AppState;
use entity::{credit_entry, sanction, sanction_violation, violation, violation_type};

pub async fn on_approval(
    state: &AppState,
    txn: &WriteTxn,
    actor: &AuthUser,
    case: &violation::Model,
    case_type: &violation_type::Model,
    body: &ApproveCase,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let kind: SubjectKind = case.subject_kind.parse().unwrap_or(SubjectKind::Insured);
    let cycle = cycle_of_instant(now);
    // Sanctions begin the day after the decision (UTC+8), the way notices take effect.
    let starts_on = legal_date(now) + Days::new(1);
    if kind.scale().is_some() {
        credit_entry::ActiveModel {
            subject_id: Set(case.subject_id),
            kind: Set(EntryKind::Deduction.as_str().to_string()),
            points: Set(body.points as i32),
            cycle: Set(cycle),
            violation_id: Set(Some(case.id)),
            reason: Set(format!("{} {}", case_type.code, case_type.name)),
            created_by: Set(actor.sub.clone()),
            at: Set(now),
            ..Default::default()
        }
        .insert(&**txn)
        .await?;
    }
    match kind {
        SubjectKind::Practitioner => {
            // The deduction just written is included: it is stamped `now`, inside today.
            let entries =
                credit::entries_until(&**txn, case.subject_id, cycle, legal_date(now)).await?;
            let points = practitioner_points(&entries, cycle);
            let policy = &state.config.policy;
            let outcome = practitioner_threshold(points, body.points, policy);
            let single_event = body.points >= policy.practitioner.termination_points;
            let context = Context {
                points,
                cycle,
                starts_on,
                single_event,
            };
            apply_threshold(txn, actor, case, outcome, context, now).await
        }
        SubjectKind::Insured => match body.settlement_suspension_months {
            Some(months) => {
                let ends_on = last_day_of_term(starts_on, months);
                let reason = format!(
                    "{} {}: networked settlement suspended for {months} months (条例第四十一条)",
                    case_type.code, case_type.name
                );
                let key = format!("insured-settlement:{}", case.id);
                let automatic = Automatic {
                    kind: SanctionType::SettlementSuspension,
                    key,
                    starts_on,
                    ends_on: Some(ends_on),
                    ban_until: None,
                    reason,
                };
                automatic.create(txn, actor, case, now).await
            }
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Where the practitioner stands after the approval being applied.
struct Context {
    points: u32,
    cycle: i32,
    starts_on: NaiveDate,
    /// The approval alone reached the termination line (3-year ban rather than 1).
    single_event: bool,
}

/// Creates the suspension or termination the points call for, or extends the cycle's suspension when a later
/// approval reaches a longer rung (one suspension per cycle, running to the longest duration reached).
async fn apply_threshold(
    txn: &WriteTxn,
    actor: &AuthUser,
    case: &violation::Model,
    outcome: ThresholdOutcome,
    context: Context,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Context {
        points,
        cycle,
        starts_on,
        single_event,
    } = context;
    match outcome {
        ThresholdOutcome::None => Ok(()),
        ThresholdOutcome::Suspend { months } => {
            let key = format!("practitioner-suspension:{}:{cycle}", case.subject_id);
            let reason = format!(
                "{points} points in {cycle}: payment qualification suspended for {months} month(s) (医保发〔2024〕23号)"
            );
            let existing = sanction::Entity::find()
                .filter(sanction::Column::ThresholdKey.eq(key.as_str()))
                .one(&**txn)
                .await?;
            match existing {
                None => {
                    let ends_on = last_day_of_term(starts_on, months);
                    let automatic = Automatic {
                        kind: SanctionType::QualificationSuspension,
                        key,
                        starts_on,
                        ends_on: Some(ends_on),
                        ban_until: None,
                        reason,
                    };
                    automatic.create(txn, actor, case, now).await
                }
                Some(current) => extend(txn, actor, case, current, months, reason, now).await,
            }
        }
        ThresholdOutcome::Terminate { ban_years } => {
            let key = format!("practitioner-termination:{}:{cycle}", case.subject_id);
            if sanction::Entity::find()
                .filter(sanction::Column::ThresholdKey.eq(key.as_str()))
                .one(&**txn)
                .await?
                .is_some()
            {
                return Ok(());
            }
            let reason = format!(
                "{points} points in {cycle}{}: payment qualification terminated, no re-registration for {ban_years} year(s)",
                if single_event {
                    " from a single event"
                } else {
                    ""
                }
            );
            let ban_until = add_years(starts_on, ban_years);
            let automatic = Automatic {
                kind: SanctionType::QualificationTermination,
                key,
                starts_on,
                ends_on: None,
                ban_until: Some(ban_until),
                reason,
            };
            automatic.create(txn, actor, case, now).await
        }
    }
}

async fn extend(
    txn: &WriteTxn,
    actor: &AuthUser,
    case: &violation::Model,
    current: sanction::Model,
    months: u32,
    reason: String,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let ends_on = last_day_of_term(current.starts_on, months);
    link(&**txn, current.id, case.id).await?;
    if current.ends_on.is_some_and(|end| end >= ends_on) {
        return Ok(());
    }
    let id = current.id;
    let subject_code = current.subject_code.clone();
    let mut model: sanction::ActiveModel = current.into();
    model.ends_on = Set(Some(ends_on));
    model.reason = Set(reason.clone());
    model.updated_at = Set(now);
    model.update(&**txn).await?;
    let change = serde_json::json!({ "sanction_id": id, "ends_on": ends_on, "reason": reason, "violation_id": case.id });
    audit::append(
        &**txn,
        actor,
        "sanction.auto_extend",
        &subject_code,
        &change,
    )
    .await?;
    Ok(())
}

struct Automatic {
    kind: SanctionType,
    key: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    ban_until: Option<NaiveDate>,
    reason: String,
}

impl Automatic {
    async fn create(
        self,
        txn: &WriteTxn,
        actor: &AuthUser,
        case: &violation::Model,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let created = sanction::ActiveModel {
            subject_id: Set(case.subject_id),
            subject_code: Set(case.subject_code.clone()),
            sanction_type: Set(self.kind.as_str().to_string()),
            scope: Set(Some(Scope::All.as_str().to_string())),
            starts_on: Set(self.starts_on),
            ends_on: Set(self.ends_on),
            ban_until: Set(self.ban_until),
            amount_fen: Set(None),
            reason: Set(self.reason.clone()),
            automatic: Set(true),
            threshold_key: Set(Some(self.key.clone())),
            created_by: Set(actor.sub.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&**txn)
        .await?;
        link(&**txn, created.id, case.id).await?;
        let change = serde_json::json!({
            "sanction_id": created.id, "type": self.kind.as_str(), "starts_on": self.starts_on,
            "ends_on": self.ends_on, "ban_until": self.ban_until, "reason": self.reason,
            "threshold_key": self.key, "violation_id": case.id,
        });
        audit::append(
            &**txn,
            actor,
            "sanction.auto_create",
            &case.subject_code,
            &change,
        )
        .await?;
        Ok(())
    }
}

async fn link<C: ConnectionTrait>(db: &C, sanction_id: i64, violation_id: i64) -> ApiResult<()> {
    let exists = sanction_violation::Entity::find()
        .filter(sanction_violation::Column::SanctionId.eq(sanction_id))
        .filter(sanction_violation::Column::ViolationId.eq(violation_id))
        .one(db)
        .await?
        .is_some();
    if !exists {
        let row = sanction_violation::ActiveModel {
            sanction_id: Set(sanction_id),
            violation_id: Set(violation_id),
        };
        sanction_violation::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
