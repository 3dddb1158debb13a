//! Registering, reading and correcting subjects (DESIGN §2), with the visibility rules of each role.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::{AuthUser, Role};
use crate::config::IdentifierPatterns;
use crate::domain::dates::legal_date;
use crate::domain::identifiers::{
    validate_id_number, validate_name, validate_region, validate_uscc,
};
use crate::domain::masking::{mask_id_number, mask_name};
use crate::domain::scoring::SubjectKind;
use crate::domain::subject::{InsuranceType, Profession, from_text, to_text};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::pagination::{Page, PageRequest};
use crate::service::{affiliations, audit};
use crate::state::AppState;
use entity::subject;

/// Roles that register and correct subjects.
pub const WRITERS: [Role; 2] = [Role::Inspector, Role::Approver];

#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    pub kind: SubjectKind,
    /// National code; for an insured person it may be omitted and is then the ID number.
    #[schema(example = "H37010200001")]
    pub code: Option<String>,
    #[schema(example = "济南市第一人民医院")]
    pub name: String,
    /// 6-digit administrative division code (admdvs); for insured persons the insurance region.
    #[schema(example = "370102", pattern = r"^\d{6}$")]
    pub region: String,
    /// Institutions and pharmacies: unified social credit code (GB 32100).
    #[schema(example = "91350100M000100Y43", pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")]
    pub uscc: Option<String>,
    /// Practitioners and insured persons: resident ID number (GB 11643).
    #[schema(example = "11010519491231002X", pattern = r"^\d{17}[0-9X]$")]
    pub id_number: Option<String>,
    /// Practitioners only.
    pub profession: Option<Profession>,
    /// Insured persons only.
    pub insurance_type: Option<InsuranceType>,
    /// Institutions only: level such as 三级甲等.
    #[validate(length(min = 1, max = 32, message = "must be 1 to 32 characters"))]
    pub level: Option<String>,
    /// Pharmacies only: code of the main responsible person, a registered practitioner.
    pub responsible_person: Option<String>,
}

/// Mutable fields; `code`, `kind` and `id_number` never change.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SubjectPatch {
    pub name: Option<String>,
    pub region: Option<String>,
    pub uscc: Option<String>,
    pub profession: Option<Profession>,
    pub insurance_type: Option<InsuranceType>,
    #[validate(length(min = 1, max = 32, message = "must be 1 to 32 characters"))]
    pub level: Option<String>,
    pub responsible_person: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectView {
    pub code: String,
    pub kind: SubjectKind,
    /// Masked (`张*`) for people when the reader is a partner.
    pub name: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Masked (`110105********002X`) when the reader is a partner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profession: Option<Profession>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurance_type: Option<InsuranceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_person: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SubjectView {
    /// The one place that decides what a reader sees of a subject; masking happens here and only here.
    pub fn for_reader(model: subject::Model, reader: &AuthUser) -> Self {
        let kind = kind_of(&model);
        let person = matches!(kind, SubjectKind::Practitioner | SubjectKind::Insured);
        let masked = reader.sees_masked_identities();
        Self {
            code: if masked && kind == SubjectKind::Insured {
                mask_id_number(&model.code)
            } else {
                model.code
            },
            kind,
            name: if masked && person {
                mask_name(&model.name)
            } else {
                model.name
            },
            region: model.region,
            uscc: model.uscc,
            id_number: model
                .id_number
                .map(|id| if masked { mask_id_number(&id) } else { id }),
            profession: model.profession.as_deref().and_then(from_text),
            insurance_type: model.insurance_type.as_deref().and_then(from_text),
            level: model.level,
            responsible_person: model.responsible_person,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

pub fn kind_of(model: &subject::Model) -> SubjectKind {
    model.kind.parse().unwrap_or(SubjectKind::Insured)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubjectQuery {
    pub kind: Option<SubjectKind>,
    /// 6-digit region code.
    pub region: Option<String>,
    /// Substring of the name or code.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn find_by_code<C: ConnectionTrait>(db: &C, code: &str) -> ApiResult<subject::Model> {
    subject::Entity::find()
        .filter(subject::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no subject with code {code}")))
}

/// Hospitals read only their own institution and practitioners affiliated with it today (DESIGN §1).
pub async fn ensure_visible<C: ConnectionTrait>(
    db: &C,
    reader: &AuthUser,
    model: &subject::Model,
) -> ApiResult<()> {
    if reader.role != Role::Hospital {
        return Ok(());
    }
    let org = reader.org.as_deref().unwrap_or_default();
    if model.code == org {
        return Ok(());
    }
    if kind_of(model) == SubjectKind::Practitioner
        && let Ok(institution) = find_by_code(db, org).await
        && affiliations::practitioner_ids_of(db, institution.id, legal_date(Utc::now()))
            .await?
            .contains(&model.id)
    {
        return Ok(());
    }
    Err(ApiError::Forbidden(
        "a hospital may read only its own institution and its practitioners".into(),
    ))
}

pub async fn get(state: &AppState, reader: &AuthUser, code: &str) -> ApiResult<SubjectView> {
    let model = find_by_code(&state.db.conn, code).await?;
    ensure_visible(&state.db.conn, reader, &model).await?;
    Ok(SubjectView::for_reader(model, reader))
}

pub async fn list(
    state: &AppState,
    reader: &AuthUser,
    query: SubjectQuery,
) -> ApiResult<Page<SubjectView>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = subject::Entity::find()
        .filter(subject::Column::Id.gt(page.after))
        .order_by_asc(subject::Column::Id)
        .limit(page.fetch_limit());
    if let Some(kind) = query.kind {
        select = select.filter(subject::Column::Kind.eq(kind.as_str()));
    }
    if let Some(region) = &query.region {
        select = select.filter(subject::Column::Region.eq(region.as_str()));
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(
            Condition::any()
                .add(subject::Column::Name.contains(q))
                .add(subject::Column::Code.contains(q)),
        );
    }
    if reader.role == Role::Hospital {
        let org = reader.org.clone().unwrap_or_default();
        let mut visible = Condition::any().add(subject::Column::Code.eq(org.as_str()));
        if let Ok(institution) = find_by_code(&state.db.conn, &org).await {
            let ids = affiliations::practitioner_ids_of(
                &state.db.conn,
                institution.id,
                legal_date(Utc::now()),
            )
            .await?;
            visible = visible.add(subject::Column::Id.is_in(ids));
        }
        select = select.filter(visible);
    }
    let rows = select.all(&state.db.conn).await?;
    Ok(page.page(rows, |r| r.id, |r| SubjectView::for_reader(r, reader)))
}

pub async fn create(
    state: &AppState,
    actor: &AuthUser,
    input: NewSubject,
) -> ApiResult<SubjectView> {
    actor.require(&WRITERS)?;
    let today = legal_date(Utc::now());
    let name = input.name.trim().to_string();
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
    errors.check(
        "code",
        check_code(&state.config.patterns, input.kind, &code),
    );
    errors.check("name", validate_name(&name));
    errors.check("region", validate_region(&input.region));
    let organisation = matches!(input.kind, SubjectKind::Institution | SubjectKind::Pharmacy);
    let person = !organisation;
    match (&input.uscc, organisation) {
        (Some(uscc), true) => errors.check("uscc", validate_uscc(uscc)),
        (None, true) => errors.add("uscc", "is required for institutions and pharmacies"),
        (Some(_), false) => errors.add("uscc", "applies only to institutions and pharmacies"),
        (None, false) => {}
    }
    match (&id_number, person) {
        (Some(id), true) => errors.check("id_number", validate_id_number(id, today).map(|_| ())),
        (None, true) => errors.add(
            "id_number",
            "is required for practitioners and insured persons",
        ),
        (Some(_), false) => errors.add(
            "id_number",
            "applies only to practitioners and insured persons",
        ),
        (None, false) => {}
    }
    let practitioner = input.kind == SubjectKind::Practitioner;
    match (input.profession, practitioner) {
        (None, true) => errors.add("profession", "is required for practitioners"),
        (Some(_), false) => errors.add("profession", "applies only to practitioners"),
        _ => {}
    }
    let insured = input.kind == SubjectKind::Insured;
    match (input.insurance_type, insured) {
        (None, true) => errors.add(
            "insurance_type",
            "is required for insured persons (employee or resident)",
        ),
        (Some(_), false) => errors.add("insurance_type", "applies only to insured persons"),
        _ => {}
    }
    if input.level.is_some() && input.kind != SubjectKind::Institution {
        errors.add("level", "applies only to institutions");
    }
    if input.responsible_person.is_some() && input.kind != SubjectKind::Pharmacy {
        errors.add("responsible_person", "applies only to pharmacies");
    }
    errors.finish()?;

    let txn = state.db.begin_write().await?;
    if let Some(person_code) = &input.responsible_person {
        check_responsible_person(&*txn, person_code).await?;
    }
    if subject::Entity::find()
        .filter(subject::Column::Code.eq(code.as_str()))
        .one(&*txn)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "a subject with code {code} already exists"
        )));
    }
    let now = Utc::now();
    let model = subject::ActiveModel {
        kind: Set(input.kind.as_str().to_string()),
        code: Set(code.clone()),
        name: Set(name),
        region: Set(input.region.clone()),
        uscc: Set(input.uscc.clone()),
        id_number: Set(id_number),
        profession: Set(input.profession.as_ref().map(to_text)),
        insurance_type: Set(input.insurance_type.as_ref().map(to_text)),
        level: Set(input.level.clone()),
        responsible_person: Set(input.responsible_person.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::append(&*txn, actor, "subject.create", &code, &input).await?;
    txn.commit().await?;
    Ok(SubjectView::for_reader(model, actor))
}

pub async fn update(
    state: &AppState,
    actor: &AuthUser,
    code: &str,
    patch: SubjectPatch,
) -> ApiResult<SubjectView> {
    actor.require(&WRITERS)?;
    let txn = state.db.begin_write().await?;
    let current = find_by_code(&*txn, code).await?;
    let kind = kind_of(&current);
    let mut errors = FieldErrors::default();
    if let Err(e) = patch.validate() {
        errors.extend(e);
    }
    let name = patch.name.as_deref().map(str::trim).map(str::to_string);
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
                Err("applies only to institutions and pharmacies".into())
            },
        );
    }
    if patch.profession.is_some() && kind != SubjectKind::Practitioner {
        errors.add("profession", "applies only to practitioners");
    }
    if patch.insurance_type.is_some() && kind != SubjectKind::Insured {
        errors.add("insurance_type", "applies only to insured persons");
    }
    if patch.level.is_some() && kind != SubjectKind::Institution {
        errors.add("level", "applies only to institutions");
    }
    if patch.responsible_person.is_some() && kind != SubjectKind::Pharmacy {
        errors.add("responsible_person", "applies only to pharmacies");
    }
    errors.finish()?;
    if let Some(person_code) = &patch.responsible_person {
        check_responsible_person(&*txn, person_code).await?;
    }
    let mut model: subject::ActiveModel = current.into();
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
        model.profession = Set(Some(to_text(profession)));
    }
    if let Some(insurance_type) = &patch.insurance_type {
        model.insurance_type = Set(Some(to_text(insurance_type)));
    }
    if let Some(level) = &patch.level {
        model.level = Set(Some(level.clone()));
    }
    if let Some(person) = &patch.responsible_person {
        model.responsible_person = Set(Some(person.clone()));
    }
    model.updated_at = Set(Utc::now());
    let updated = model.update(&*txn).await?;
    audit::append(&*txn, actor, "subject.update", code, &patch).await?;
    txn.commit().await?;
    Ok(SubjectView::for_reader(updated, actor))
}

fn check_code(patterns: &IdentifierPatterns, kind: SubjectKind, code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Err("is required".into());
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
                Err("must be 1 to 64 letters or digits".into())
            };
        }
    };
    if pattern.is_match(code) {
        Ok(())
    } else {
        Err(format!(
            "does not match the {} code pattern {}",
            kind.as_str(),
            pattern.as_str()
        ))
    }
}

async fn check_responsible_person<C: ConnectionTrait>(db: &C, code: &str) -> ApiResult<()> {
    match find_by_code(db, code).await {
        Ok(person) if kind_of(&person) == SubjectKind::Practitioner => Ok(()),
        _ => Err(ApiError::validation(
            "responsible_person",
            format!("{code} is not a registered practitioner"),
        )),
    }
}
