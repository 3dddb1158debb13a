//! Where a practitioner works, over time: the person's registration (登记备案) there (issue 20). Standing
//! follows the person (一医一档); affiliations decide which hospital may see whom. A hospital office files and
//! ends registrations at its own institution; inspectors and approvers at any. The registration's state is
//! derived when read (`domain::registration`), never stored.

use crate::i18n::msg;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::changes::{ChangeEntity, ChangeOp};
use crate::domain::registration::{
    CommitmentState, RegistrationFact, RegistrationState, commitment_on, registration_state,
};
use crate::domain::roles::Role;
use crate::shared::facts::load_facts;
pub use crate::shared::views::AffiliationView;

use crate::domain::scoring::SubjectKind;
use crate::pagination::{Page, PageParams};
use crate::service::actor::Actor;
use crate::service::context::Ctx;
use crate::service::error::{FieldErrors, ServiceError, ServiceResult};
pub use crate::service::lookup::{codes_of, hospital_subject_ids, practitioner_ids_from};
use crate::service::subjects::{ensure_visible, find_by_code, kind_of};
use crate::service::writer::Writer;
use entity::{affiliation, subject};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAffiliation {
    /// Code of the institution or pharmacy.
    #[schema(example = "H37010200001")]
    pub institution_code: String,
    /// First day (UTC+8 calendar date).
    #[serde(deserialize_with = "crate::domain::dates::strict::date")]
    pub valid_from: NaiveDate,
    /// Last day, inclusive; omit while open.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub valid_to: Option<NaiveDate>,
}

/// An affiliation covers `day` when it has begun and not yet ended (both ends inclusive).
fn covers(day: NaiveDate) -> Condition {
    Condition::all()
        .add(affiliation::Column::ValidFrom.lte(day))
        .add(
            Condition::any()
                .add(affiliation::Column::ValidTo.is_null())
                .add(affiliation::Column::ValidTo.gte(day)),
        )
}

/// Ids of the practitioners affiliated with `organisation_id` on `day`.
pub async fn practitioner_ids_of<C: ConnectionTrait>(
    db: &C,
    organisation_id: i64,
    day: NaiveDate,
) -> ServiceResult<Vec<i64>> {
    Ok(affiliation::Entity::find()
        .filter(affiliation::Column::OrganisationId.eq(organisation_id))
        .filter(covers(day))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.practitioner_id)
        .collect())
}

/// Who files and ends registrations: a hospital office at its own institution only (`ensure_own`).
pub const FILERS: [Role; 3] = [Role::Inspector, Role::Approver, Role::Hospital];

/// A hospital office acts for its own institution alone: the same 403 whether `institution_code` is another's
/// or nobody's, before anything else is looked at (DESIGN §14).
pub fn ensure_own(actor: &Actor, institution_code: &str) -> ServiceResult<()> {
    if actor.role == Role::Hospital && actor.org.as_deref() != Some(institution_code) {
        return Err(ServiceError::Forbidden(msg!(
            "hospital-acts-only-for-its-own"
        )));
    }
    Ok(())
}

/// What a practitioner's registrations are judged by today: the running sanctions and the commitment's state.
struct Judged {
    facts: crate::domain::standing::StandingFacts,
    commitment: CommitmentState,
    today: NaiveDate,
}

impl Judged {
    async fn of<C: ConnectionTrait>(db: &C, cx: &Ctx, practitioner_id: i64) -> ServiceResult<Self> {
        let today = cx.today();
        let facts = load_facts(db, practitioner_id, SubjectKind::Practitioner, cx.cycle()).await?;
        let commitment = commitment_on(&facts.commitment_texts, &facts.signatures, today).state;
        Ok(Self {
            facts,
            commitment,
            today,
        })
    }

    fn view(
        &self,
        a: affiliation::Model,
        practitioner: &subject::Model,
        organisation: &subject::Model,
    ) -> AffiliationView {
        let fact = RegistrationFact {
            institution_code: organisation.code.clone(),
            institution_name: organisation.name.clone(),
            valid_from: a.valid_from,
            valid_to: a.valid_to,
        };
        let state: RegistrationState =
            registration_state(&fact, &self.facts.sanctions, self.commitment, self.today);
        AffiliationView {
            practitioner_code: practitioner.code.clone(),
            institution_code: fact.institution_code,
            institution_name: fact.institution_name,
            active: a.valid_from <= self.today && a.valid_to.is_none_or(|to| to >= self.today),
            valid_from: a.valid_from,
            valid_to: a.valid_to,
            state: Some(state),
        }
    }
}

async fn find_practitioner<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ServiceResult<subject::Model> {
    let model = find_by_code(db, code).await?;
    if kind_of(&model)? != SubjectKind::Practitioner {
        return Err(ServiceError::Unprocessable(msg!(
            "is-not-a-practitioner-only-practitioners-have",
            code = code.to_string()
        )));
    }
    Ok(model)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    page: &PageParams,
) -> ServiceResult<Page<AffiliationView>> {
    let practitioner = find_practitioner(db, code).await?;
    let today = cx.today();
    ensure_visible(db, today, reader, &practitioner).await?;
    let page = page.request()?;
    let rows = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.eq(practitioner.id))
        .filter(affiliation::Column::Id.gt(page.after))
        .order_by_asc(affiliation::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let rows = page.page(rows, |a| a.id, |a| a);
    let judged = Judged::of(db, cx, practitioner.id).await?;
    let mut out = Vec::with_capacity(rows.items.len());
    for a in rows.items {
        let organisation = subject::Entity::find_by_id(a.organisation_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                ServiceError::corrupt("affiliations", a.id, "points to a missing subject")
            })?;
        out.push(judged.view(a, &practitioner, &organisation));
    }
    Ok(Page {
        items: out,
        next_cursor: rows.next_cursor,
    })
}

pub async fn create(
    w: &Writer,
    code: &str,
    input: NewAffiliation,
) -> ServiceResult<AffiliationView> {
    w.actor.require(&FILERS)?;
    ensure_own(&w.actor, &input.institution_code)?;
    let mut errors = FieldErrors::default();
    if input.valid_to.is_some_and(|to| to < input.valid_from) {
        errors.add("valid_to", msg!("must-not-be-before-valid-from"));
    }
    errors.finish()?;
    let txn = w.db();
    let practitioner = find_practitioner(txn, code).await?;
    let organisation = find_by_code(txn, &input.institution_code)
        .await
        .map_err(|_| {
            ServiceError::validation(
                "institution_code",
                msg!(
                    "is-not-a-registered-subject",
                    institution_code = input.institution_code.to_string()
                ),
            )
        })?;
    if !matches!(
        kind_of(&organisation)?,
        SubjectKind::Institution | SubjectKind::Pharmacy
    ) {
        return Err(ServiceError::validation(
            "institution_code",
            msg!("must-name-an-institution-or-a-pharmacy"),
        ));
    }
    crate::service::bans::check_affiliation(txn, &practitioner, w.cx.today()).await?;
    let existing = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.eq(practitioner.id))
        .filter(affiliation::Column::OrganisationId.eq(organisation.id))
        .all(txn)
        .await?;
    // One ended before it began (withdrawn) covers no day, so it overlaps nothing.
    let overlaps = existing
        .iter()
        .filter(|a| a.valid_to.is_none_or(|to| to >= a.valid_from))
        .any(|a| {
            let new_end = input.valid_to.unwrap_or(NaiveDate::MAX);
            let old_end = a.valid_to.unwrap_or(NaiveDate::MAX);
            a.valid_from <= new_end && input.valid_from <= old_end
        });
    if overlaps {
        return Err(ServiceError::Conflict(msg!(
            "already-has-an-affiliation-with-overlapping-these",
            code = code.to_string(),
            code2 = organisation.code.to_string()
        )));
    }
    let model = affiliation::ActiveModel {
        practitioner_id: Set(practitioner.id),
        organisation_id: Set(organisation.id),
        valid_from: Set(input.valid_from),
        valid_to: Set(input.valid_to),
        created_at: Set(w.cx.now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    w.audit("affiliation.create", code, &input).await?;
    let id = model.id;
    let view =
        Judged::of(txn, &w.cx, practitioner.id)
            .await?
            .view(model, &practitioner, &organisation);
    let subject = (practitioner.id, practitioner.code.as_str());
    w.change(
        ChangeEntity::Registration,
        id,
        subject,
        ChangeOp::Added,
        &view,
    )
    .await?;
    Ok(view)
}

/// Ends the open affiliation today (UTC+8) rather than deleting it: the history of who worked where is kept.
/// An affiliation that has not begun yet is ended the day before it starts, so it never takes effect.
pub async fn end(w: &Writer, code: &str, institution_code: &str) -> ServiceResult<AffiliationView> {
    w.actor.require(&FILERS)?;
    ensure_own(&w.actor, institution_code)?;
    let today = w.cx.today();
    let txn = w.db();
    let practitioner = find_practitioner(txn, code).await?;
    let organisation = find_by_code(txn, institution_code).await?;
    let open = affiliation::Entity::find()
        .filter(affiliation::Column::PractitionerId.eq(practitioner.id))
        .filter(affiliation::Column::OrganisationId.eq(organisation.id))
        .filter(
            Condition::any()
                .add(affiliation::Column::ValidTo.is_null())
                .add(affiliation::Column::ValidTo.gte(today)),
        )
        .order_by_asc(affiliation::Column::Id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound(msg!(
                "has-no-current-affiliation-with",
                code = code.to_string(),
                institution_code = institution_code.to_string()
            ))
        })?;
    let ended_on = if open.valid_from <= today {
        today
    } else {
        open.valid_from.pred_opt().unwrap_or(open.valid_from)
    };
    let mut model: affiliation::ActiveModel = open.into();
    model.valid_to = Set(Some(ended_on));
    let updated = model.update(txn).await?;
    let change = serde_json::json!({ "institution_code": institution_code, "valid_to": ended_on });
    w.audit("affiliation.end", code, &change).await?;
    let id = updated.id;
    let view =
        Judged::of(txn, &w.cx, practitioner.id)
            .await?
            .view(updated, &practitioner, &organisation);
    let subject = (practitioner.id, practitioner.code.as_str());
    w.change(
        ChangeEntity::Registration,
        id,
        subject,
        ChangeOp::Ended,
        &view,
    )
    .await?;
    Ok(view)
}
