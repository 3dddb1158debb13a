//! Reading commitments (issue 20 point 2): the published texts, a subject's signatures, and who has no valid
//! signature today (`GET /commitments/missing`), so that an office can chase them. Validity is computed from
//! the facts each standings row carries, as standing computes it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::registration::{CommitmentState, commitment_on};
use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::i18n::msg;
use crate::pagination::{Page, PageParams};
use crate::service::commitments::{CommitmentTextView, text_view, view_of};
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult, column};
use crate::shared::facts::facts_of;
use crate::shared::lookup::{find_by_code, find_visible, kind_of, practitioner_ids_from};
use crate::shared::views::CommitmentView;
use entity::{commitment, commitment_text, standing};

/// Who reads signatures and the missing list: staff and internal audit, and a hospital for its own subjects.
/// Partners learn a subject's commitment state from its standing.
pub const READERS: [Role; 6] = [
    Role::Inspector,
    Role::Reviewer,
    Role::Approver,
    Role::Auditor,
    Role::Admin,
    Role::Hospital,
];

/// The published texts, oldest first. Every role: they are the words everyone signs.
pub async fn texts<C: ConnectionTrait>(
    db: &C,
    page: &PageParams,
) -> ServiceResult<Page<CommitmentTextView>> {
    let page = page.request()?;
    let rows = commitment_text::Entity::find()
        .filter(commitment_text::Column::Id.gt(page.after))
        .order_by_asc(commitment_text::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let rows = page.page(rows, |t| t.id, |t| t);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(text_view)
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}

/// A subject's signatures, in the order they were recorded.
pub async fn signatures<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    code: &str,
    page: &PageParams,
) -> ServiceResult<Page<CommitmentView>> {
    reader.require(&READERS)?;
    let subject = find_visible(db, cx, reader, code).await?;
    let kind = kind_of(&subject)?;
    let page = page.request()?;
    let rows = commitment::Entity::find()
        .filter(commitment::Column::SubjectId.eq(subject.id))
        .filter(commitment::Column::Id.gt(page.after))
        .order_by_asc(commitment::Column::Id)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(page.page(rows, |c| c.id, |c| view_of(c, &subject, kind, None)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MissingQuery {
    /// The institution or pharmacy itself and the practitioners registered there now or from a later day; a
    /// hospital's own institution when absent (and only its own).
    pub institution_code: Option<String>,
    /// Only subjects of this kind (`institution`, `pharmacy` or `practitioner`).
    pub kind: Option<SubjectKind>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Someone without a valid signature today.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingCommitment {
    pub code: String,
    pub kind: SubjectKind,
    pub name: String,
    /// `outdated` or `missing`.
    pub state: CommitmentState,
    /// The newest version signed, when `outdated`.
    pub version: Option<String>,
    pub signed_on: Option<chrono::NaiveDate>,
}

/// Standings rows looked at per query while a page fills.
const SCAN: u64 = 500;

/// Who has no valid signature today, by subject id.
pub async fn missing<C: ConnectionTrait>(
    db: &C,
    cx: &Ctx,
    reader: &Actor,
    query: MissingQuery,
) -> ServiceResult<Page<MissingCommitment>> {
    reader.require(&READERS)?;
    let institution = match (&query.institution_code, reader.role) {
        (None, Role::Hospital) => reader.org.clone(),
        (code, _) => code.clone(),
    };
    if let Some(code) = &institution {
        crate::service::affiliations::ensure_own(reader, code)?;
    }
    if query.kind == Some(SubjectKind::Insured) {
        return Err(ServiceError::validation(
            "kind",
            msg!("commitment-not-for-insured"),
        ));
    }
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .request()?;
    let today = cx.today();
    let kinds: Vec<&str> = match query.kind {
        Some(kind) => vec![kind.as_str()],
        None => vec!["institution", "pharmacy", "practitioner"],
    };
    // Within one organisation: itself and its practitioners; otherwise everyone of the kinds.
    let within = match &institution {
        Some(code) => {
            let organisation = find_by_code(db, code).await.map_err(|_| {
                ServiceError::validation(
                    "institution_code",
                    msg!(
                        "is-not-a-registered-subject",
                        institution_code = code.clone()
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
            let mut ids = practitioner_ids_from(db, organisation.id, today).await?;
            ids.push(organisation.id);
            Some(ids)
        }
        None => None,
    };
    let mut after = page.after;
    let mut items = Vec::new();
    let mut more = false;
    'scan: loop {
        let mut select = standing::Entity::find()
            .filter(standing::Column::SubjectId.gt(after))
            .filter(standing::Column::Kind.is_in(kinds.clone()));
        if let Some(ids) = &within {
            select = select.filter(standing::Column::SubjectId.is_in(ids.iter().copied()));
        }
        let rows = select
            .order_by_asc(standing::Column::SubjectId)
            .limit(SCAN)
            .all(db)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        let full = rows.len() as u64 == SCAN;
        after = last.subject_id;
        for row in rows {
            let facts = facts_of(&row)?;
            let c = commitment_on(&facts.commitment_texts, &facts.signatures, today);
            if c.state == CommitmentState::Signed {
                continue;
            }
            if items.len() as u64 == page.limit {
                more = true;
                break 'scan;
            }
            items.push((
                row.subject_id,
                MissingCommitment {
                    kind: column("standings", row.subject_id, &row.kind)?,
                    code: row.code,
                    name: row.name,
                    state: c.state,
                    version: c.version,
                    signed_on: c.signed_on,
                },
            ));
        }
        if !full {
            break;
        }
    }
    let last_id = items.last().map(|(id, _)| *id);
    let items = items.into_iter().map(|(_, item)| item).collect();
    Ok(page.page_of_views(items, more, last_id))
}
