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
