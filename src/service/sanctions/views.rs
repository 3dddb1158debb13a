//! What a reader sees of stored sanctions, and which are active on a day.

use super::*;

/// Sanctions whose status on `day` is `active`, as a filter: the SQL twin of `domain::sanctions::status`.
pub(super) fn active_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(sanction::Column::RevokedAt.is_null())
        .add(sanction::Column::StartsOn.lte(day))
        .add(
            Condition::any()
                .add(sanction::Column::EndsOn.is_null())
                .add(sanction::Column::EndsOn.gte(day)),
        )
        .add(
            Condition::any()
                .add(sanction::Column::LiftedOn.is_null())
                .add(sanction::Column::LiftedOn.gt(day)),
        )
}

/// The sanctions of one subject that are active on `as_of`, oldest first.
pub async fn active_for_subject<C: ConnectionTrait>(
    db: &C,
    subject_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<sanction::Model>, DbErr> {
    sanction::Entity::find()
        .filter(sanction::Column::SubjectId.eq(subject_id))
        .filter(active_on(as_of))
        .order_by_asc(sanction::Column::Id)
        .all(db)
        .await
}

/// Status of a stored sanction on `as_of`.
pub fn status_of(model: &sanction::Model, as_of: NaiveDate) -> SanctionStatus {
    let revoked = model.revoked_at.is_some();
    status(
        model.starts_on,
        model.ends_on,
        model.lifted_on,
        revoked,
        as_of,
    )
}

/// What `reader` sees of one sanction, with its status on `as_of`.
pub async fn view_of<C: ConnectionTrait>(
    db: &C,
    model: sanction::Model,
    as_of: NaiveDate,
    reader: &Actor,
) -> ServiceResult<SanctionView> {
    let id = model.id;
    let mut views = views_of(db, vec![model], as_of, reader).await?;
    views
        .pop()
        .ok_or_else(|| ServiceError::corrupt("sanctions", id, "its view went missing"))
}

/// Views of many sanctions in two queries, whatever their number.
pub async fn views_of<C: ConnectionTrait>(
    db: &C,
    models: Vec<sanction::Model>,
    as_of: NaiveDate,
    reader: &Actor,
) -> ServiceResult<Vec<SanctionView>> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let subject_ids: HashSet<i64> = models.iter().map(|m| m.subject_id).collect();
    let kinds: HashMap<i64, SubjectKind> = subject::Entity::find()
        .filter(subject::Column::Id.is_in(subject_ids))
        .all(db)
        .await?
        .iter()
        .map(|s| Ok((s.id, kind_of(s)?)))
        .collect::<ServiceResult<_>>()?;
    let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in sanction_violation::Entity::find()
        .filter(sanction_violation::Column::SanctionId.is_in(models.iter().map(|m| m.id)))
        .order_by_asc(sanction_violation::Column::ViolationId)
        .all(db)
        .await?
    {
        links
            .entry(link.sanction_id)
            .or_default()
            .push(link.violation_id);
    }
    models
        .into_iter()
        .map(|m| {
            let kind = *kinds
                .get(&m.subject_id)
                .ok_or_else(|| ServiceError::corrupt("sanctions", m.id, "names no subject"))?;
            let sanction_type = column("sanctions", m.id, &m.sanction_type)?;
            let scope = m
                .scope
                .as_deref()
                .map(|s| column::<Scope>("sanctions", m.id, s));
            let scope = scope.transpose()?;
            let status = status_of(&m, as_of);
            let full = SanctionView {
                id: m.id,
                subject_code: m.subject_code,
                subject_kind: kind,
                sanction_type,
                scope,
                starts_on: m.starts_on,
                ends_on: m.ends_on,
                ban_until: m.ban_until,
                amount_fen: m.amount_fen,
                reason: m.reason,
                automatic: m.automatic,
                violation_ids: links.remove(&m.id).unwrap_or_default(),
                status,
                lifted_on: m.lifted_on,
                lifted_reason: m.lifted_reason,
                revoked_at: m.revoked_at,
                revoked_reason: m.revoked_reason,
                created_by: Some(m.created_by),
                created_at: m.created_at,
                extends_id: m.extends_id,
            };
            Ok(full.for_audience(reader.audience()))
        })
        .collect()
}
