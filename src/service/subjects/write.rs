//! Registering and correcting subjects, with their change-log rows.

use super::*;
use crate::i18n::msg;

/// A registration that passed every rule needing no database: trimmed, with its code settled.
pub struct CheckedSubject {
    pub input: NewSubject,
    pub code: String,
    pub name: String,
    pub id_number: Option<String>,
    /// Institutions and pharmacies: as given, or the registration day.
    pub designated_since: Option<NaiveDate>,
}

impl CheckedSubject {
    /// The person or organisation this record is the one file of.
    pub fn identity(&self) -> Option<crate::domain::subject::Identity> {
        let input = &self.input;
        crate::domain::subject::Identity::of(
            input.kind,
            self.id_number.as_deref(),
            input.uscc.as_deref(),
        )
    }

    /// The row to insert, stamped `now`.
    pub fn row(&self, now: DateTime<Utc>) -> subject::ActiveModel {
        let input = &self.input;
        subject::ActiveModel {
            kind: Set(input.kind.as_str().to_string()),
            code: Set(self.code.clone()),
            name: Set(self.name.clone()),
            region: Set(input.region.clone()),
            uscc: Set(input.uscc.clone()),
            id_number: Set(self.id_number.clone()),
            profession: Set(input.profession.map(|p| p.as_str().to_string())),
            insurance_type: Set(input.insurance_type.map(|t| t.as_str().to_string())),
            level: Set(input.level.clone()),
            responsible_person: Set(input.responsible_person.clone()),
            designated_since: Set(self.designated_since),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

pub async fn create(w: &Writer, input: NewSubject) -> ServiceResult<SubjectView> {
    w.actor.require(&WRITERS)?;
    let checked = check_new(&w.cx, input)?;
    let txn = w.db();
    if let Some(person_code) = &checked.input.responsible_person {
        check_responsible_person(txn, person_code).await?;
    }
    let (id, uscc) = (checked.id_number.as_deref(), checked.input.uscc.as_deref());
    let today = w.cx.today();
    crate::service::bans::check_registration(txn, checked.input.kind, id, uscc, today).await?;
    let code = &checked.code;
    if subject::Entity::find()
        .filter(subject::Column::Code.eq(code.as_str()))
        .one(txn)
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(msg!(
            "a-subject-with-code-already-exists",
            code = code.to_string()
        )));
    }
    if let Some(identity) = checked.identity() {
        check_identity(txn, &identity, None).await?;
    }
    let model = checked.row(w.cx.now).insert(txn).await?;
    w.audit("subject.create", code, &checked.input).await?;
    let request_id = w.actor.request_id.clone();
    w.registered_many(vec![model.clone()], move |m| change_value(m, &request_id))
        .await?;
    SubjectView::for_reader(model, &w.actor)
}

/// The rules of a registration that need no database (DESIGN §2), every finding at once. Shared by
/// `POST /subjects` and the bulk import, so a row is valid in one exactly when it is in the other.
pub fn check_new(cx: &Ctx, input: NewSubject) -> Result<CheckedSubject, FieldErrors> {
    let today = cx.today();
    let name = trim_invisible(&input.name).to_string();
    let id_number = input
        .id_number
        .as_deref()
        .map(str::trim)
        .map(str::to_string);
    let code = match (&input.code, input.kind) {
        (Some(code), _) => code.trim().to_string(),
        (None, SubjectKind::Insured) => id_number.clone().unwrap_or_default(),
        (None, _) => String::new(),
    };
    let mut errors = FieldErrors::default();
    if let Err(e) = input.validate() {
        errors.extend(e);
    }
    errors.check("code", check_code(&cx.config.patterns, input.kind, &code));
    errors.check("name", validate_name(&name));
    errors.check("region", validate_region(&input.region));
    let organisation = matches!(input.kind, SubjectKind::Institution | SubjectKind::Pharmacy);
    let person = !organisation;
    match (&input.uscc, organisation) {
        (Some(uscc), true) => errors.check("uscc", validate_uscc(uscc)),
        (None, true) => errors.add("uscc", msg!("is-required-for-institutions-and-pharmacies")),
        (Some(_), false) => errors.add("uscc", msg!("applies-only-to-institutions-and-pharmacies")),
        (None, false) => {}
    }
    match (&id_number, person) {
        (Some(id), true) => errors.check("id_number", validate_id_number(id, today).map(|_| ())),
        (None, true) => errors.add(
            "id_number",
            msg!("is-required-for-practitioners-and-insured-persons"),
        ),
        (Some(_), false) => errors.add(
            "id_number",
            msg!("applies-only-to-practitioners-and-insured-persons"),
        ),
        (None, false) => {}
    }
    let practitioner = input.kind == SubjectKind::Practitioner;
    match (input.profession, practitioner) {
        (None, true) => errors.add("profession", msg!("is-required-for-practitioners")),
        (Some(_), false) => errors.add("profession", msg!("applies-only-to-practitioners")),
        _ => {}
    }
    let insured = input.kind == SubjectKind::Insured;
    match (input.insurance_type, insured) {
        (None, true) => errors.add(
            "insurance_type",
            msg!("is-required-for-insured-persons-employee-or"),
        ),
        (Some(_), false) => errors.add("insurance_type", msg!("applies-only-to-insured-persons")),
        _ => {}
    }
    if input.level.is_some() && input.kind != SubjectKind::Institution {
        errors.add("level", msg!("applies-only-to-institutions"));
    }
    if input.responsible_person.is_some() && input.kind != SubjectKind::Pharmacy {
        errors.add("responsible_person", msg!("applies-only-to-pharmacies"));
    }
    match (input.designated_since, organisation) {
        (Some(day), true) if day > today => {
            errors.add("designated_since", msg!("may-not-be-in-the-future"))
        }
        (Some(_), false) => errors.add(
            "designated_since",
            msg!("applies-only-to-institutions-and-pharmacies"),
        ),
        _ => {}
    }
    let designated_since = organisation.then(|| input.designated_since.unwrap_or(today));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedSubject {
        input,
        code,
        name,
        id_number,
        designated_since,
    })
}

/// A subject as the change log records it: as an unmasked reader sees it.
fn logged_view(model: &subject::Model, request_id: &str) -> ServiceResult<SubjectView> {
    SubjectView::for_reader(model.clone(), &Actor::system(request_id))
}

/// The value of a registration's change-log row, as JSON text (`Writer::registered_many`).
pub fn change_value(model: &subject::Model, request_id: &str) -> ServiceResult<String> {
    serde_json::to_string(&logged_view(model, request_id)?)
        .map_err(|e| ServiceError::Unprocessable(msg!("subject-is-not-json", e = e.to_string())))
}

/// The change-log row of a correction.
pub(super) async fn record(w: &Writer, model: &subject::Model, op: ChangeOp) -> ServiceResult<()> {
    let value = logged_view(model, &w.actor.request_id)?;
    let subject = (model.id, model.code.as_str());
    w.change(ChangeEntity::Subject, &model.code, subject, op, &value)
        .await?;
    Ok(())
}

pub async fn update(w: &Writer, code: &str, patch: SubjectPatch) -> ServiceResult<SubjectView> {
    w.actor.require(&WRITERS)?;
    if patch.is_empty() {
        return Err(ServiceError::validation(
            "body",
            msg!("patch-names-no-field"),
        ));
    }
    let txn = w.db();
    let current = find_by_code(txn, code).await?;
    let kind = kind_of(&current)?;
    let mut errors = FieldErrors::default();
    if let Err(e) = patch.validate() {
        errors.extend(e);
    }
    let name = patch
        .name
        .as_deref()
        .map(trim_invisible)
        .map(str::to_string);
    if let Some(name) = &name {
        errors.check("name", validate_name(name));
    }
    if let Some(region) = &patch.region {
        errors.check("region", validate_region(region));
    }
    let organisation = matches!(kind, SubjectKind::Institution | SubjectKind::Pharmacy);
    if let Some(uscc) = &patch.uscc {
        errors.check(
            "uscc",
            if organisation {
                validate_uscc(uscc)
            } else {
                Err(msg!("applies-only-to-institutions-and-pharmacies"))
            },
        );
    }
    if patch.profession.is_some() && kind != SubjectKind::Practitioner {
        errors.add("profession", msg!("applies-only-to-practitioners"));
    }
    if patch.insurance_type.is_some() && kind != SubjectKind::Insured {
        errors.add("insurance_type", msg!("applies-only-to-insured-persons"));
    }
    if patch.level.is_some() && kind != SubjectKind::Institution {
        errors.add("level", msg!("applies-only-to-institutions"));
    }
    if patch.responsible_person.is_some() && kind != SubjectKind::Pharmacy {
        errors.add("responsible_person", msg!("applies-only-to-pharmacies"));
    }
    let new_code = patch
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| *c != current.code);
    if let Some(new_code) = new_code {
        if kind == SubjectKind::Insured {
            errors.add("code", msg!("an-insured-person-s-code-is-the"));
        } else {
            errors.check("code", check_code(&w.cx.config.patterns, kind, new_code));
        }
    }
    errors.finish()?;
    if let Some(new_code) = new_code
        && let Ok(holder) = find_by_code(txn, new_code).await
    {
        return Err(ServiceError::Conflict(msg!(
            "code-is-the-code-of-another-subject",
            new_code = new_code.to_string(),
            code = holder.code.to_string()
        )));
    }
    if let Some(person_code) = &patch.responsible_person {
        check_responsible_person(txn, person_code).await?;
    }
    if let Some(uscc) = &patch.uscc {
        let identity = crate::domain::subject::Identity::Organisation { uscc: uscc.clone() };
        check_identity(txn, &identity, Some(current.id)).await?;
    }
    let previous_code = current.code.clone();
    let mut model: subject::ActiveModel = current.into();
    if let Some(new_code) = new_code {
        model.code = Set(new_code.to_string());
    }
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(region) = &patch.region {
        model.region = Set(region.clone());
    }
    if let Some(uscc) = &patch.uscc {
        model.uscc = Set(Some(uscc.clone()));
    }
    if let Some(profession) = &patch.profession {
        model.profession = Set(Some(profession.as_str().to_string()));
    }
    if let Some(insurance_type) = &patch.insurance_type {
        model.insurance_type = Set(Some(insurance_type.as_str().to_string()));
    }
    if let Some(level) = &patch.level {
        model.level = Set(Some(level.clone()));
    }
    if let Some(person) = &patch.responsible_person {
        model.responsible_person = Set(Some(person.clone()));
    }
    model.updated_at = Set(w.cx.now);
    let updated = model.update(txn).await?;
    // Practitioners' standings name the organisations they are registered at: a new name or code is theirs too.
    let registered = entity::affiliation::Entity::find()
        .filter(entity::affiliation::Column::OrganisationId.eq(updated.id))
        .all(txn)
        .await?;
    registered.iter().for_each(|a| w.touch(a.practitioner_id));
    w.audit("subject.update", code, &patch).await?;
    if updated.code != previous_code {
        recode(w, &updated, &previous_code).await?;
    } else {
        record(w, &updated, ChangeOp::Changed).await?;
    }
    SubjectView::for_reader(updated, &w.actor)
}

/// A code corrected: every row that names the subject by code follows it, in this transaction, and the change
/// log says which code it had (`previous_code`), so a mirror re-keys it. The change row is filed under the old
/// code, which is the one every node's standing cache and every mirror hold; rows written before keep the code
/// they were written with, as the history.
async fn recode(w: &Writer, model: &subject::Model, previous: &str) -> ServiceResult<()> {
    use sea_orm::sea_query::Expr;
    let txn = w.db();
    let (id, code) = (model.id, model.code.as_str());
    entity::standing::Entity::update_many()
        .col_expr(entity::standing::Column::Code, Expr::value(code))
        .filter(entity::standing::Column::SubjectId.eq(id))
        .exec(txn)
        .await?;
    macro_rules! follow {
        ($($table:ident),+) => {$(
            entity::$table::Entity::update_many()
                .col_expr(entity::$table::Column::SubjectCode, Expr::value(code))
                .filter(entity::$table::Column::SubjectId.eq(id))
                .exec(txn)
                .await?;
        )+};
    }
    follow!(
        sanction,
        list_entry,
        violation,
        appeal,
        repair,
        red_proposal
    );
    let mut value = serde_json::to_value(logged_view(model, &w.actor.request_id)?)
        .map_err(|e| ServiceError::Unprocessable(msg!("subject-is-not-json", e = e.to_string())))?;
    value["previous_code"] = serde_json::json!(previous);
    w.change(
        ChangeEntity::Subject,
        code,
        (id, previous),
        ChangeOp::Changed,
        &value,
    )
    .await?;
    Ok(())
}

pub(super) fn check_code(
    patterns: &IdentifierPatterns,
    kind: SubjectKind,
    code: &str,
) -> Result<(), crate::i18n::Msg> {
    if code.is_empty() {
        return Err(msg!("is-required"));
    }
    let pattern = match kind {
        SubjectKind::Institution => &patterns.institution,
        SubjectKind::Pharmacy => &patterns.pharmacy,
        SubjectKind::Practitioner => &patterns.practitioner,
        // An insured person's code is an ID number or an insurance number: letters and digits.
        SubjectKind::Insured => {
            return if (1..=64).contains(&code.len())
                && code.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                Ok(())
            } else {
                Err(msg!("must-be-1-to-64-letters-or"))
            };
        }
    };
    if pattern.is_match(code) {
        Ok(())
    } else {
        Err(msg!(
            "does-not-match-the-code-pattern",
            kind = kind.as_str().to_string(),
            pattern = pattern.as_str().to_string()
        ))
    }
}

pub(super) async fn check_responsible_person<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ServiceResult<()> {
    match find_by_code(db, code).await {
        Ok(person) if kind_of(&person)? == SubjectKind::Practitioner => Ok(()),
        _ => Err(ServiceError::validation(
            "responsible_person",
            msg!("is-not-a-registered-practitioner", code = code.to_string()),
        )),
    }
}
