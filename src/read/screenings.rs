//! Screenings (DESIGN §8, issue 10): up to 10,000 codes answered in one request, every code answered (unknown
//! ones as `not_found`), and the whole answer stored with who asked, when, the change-log position it reflects
//! and its SHA-256 digest, so it can be shown later as proof (as NPDB keeps query records).

use crate::i18n::msg;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::roles::Role;
use crate::domain::scoring::SubjectKind;
use crate::pagination::{Page, PageRequest};
use crate::read::batch::{hospital_view, rows_at, view_of};
use crate::read::cache::StandingCache;
use crate::read::standing::StandingView;
use crate::shared::actor::Actor;
use crate::shared::context::Ctx;
use crate::shared::error::{ServiceError, ServiceResult};
use crate::shared::facts::{last_seq, read_snapshot};
use entity::screening;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScreening {
    /// 1 to 10,000 rows (policy); more is `413`. A row is a subject code, or a code with the full name
    /// (`{"code": …, "name": …}`). A reader who sees people masked finds an insured person (whose code is
    /// the ID number) only with the full name as registered (二要素核验): a mismatch and nobody both answer
    /// `not_found`.
    #[schema(min_items = 1, max_items = 10000)]
    pub codes: Vec<ScreeningRow>,
    /// Day to answer for (UTC+8); default today.
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::strict::optional_date"
    )]
    pub as_of: Option<NaiveDate>,
}

/// One row of a screening.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ScreeningRow {
    Code(String),
    /// A code with the full name, for people (二要素核验).
    Named {
        code: String,
        name: String,
    },
}

impl ScreeningRow {
    fn code(&self) -> &str {
        match self {
            Self::Code(code) | Self::Named { code, .. } => code.trim(),
        }
    }

    fn name(&self) -> Option<&str> {
        match self {
            Self::Code(_) => None,
            Self::Named { name, .. } => Some(name.trim()),
        }
    }
}

crate::domain::enums::string_enum! {
    /// Whether a screened code names a subject the reader may see.
    pub enum ScreeningResult as "screening result" {
        Found = "found",
        NotFound = "not_found",
    }
}

/// One code's answer: its standing, or `not_found` (unknown, or outside a hospital's view).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScreeningAnswer {
    pub code: String,
    #[schema(value_type = ScreeningResult)]
    pub result: String,
    #[schema(value_type = Option<StandingView>)]
    pub standing: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningRecord {
    pub id: i64,
    pub actor: String,
    pub role: Role,
    pub at: DateTime<Utc>,
    pub as_of: NaiveDate,
    /// The change-log position the answers reflect.
    pub seq: i64,
    pub code_count: i32,
    /// SHA-256 (hex) of `answers` serialised as compact JSON, as stored.
    pub digest: String,
    /// Absent in lists; present when one screening is read: the stored text itself, byte for byte, so that
    /// what is served is what the digest covers (and 10,000 answers are not serialised twice).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<ScreeningAnswer>>)]
    pub answers: Option<Box<serde_json::value::RawValue>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScreeningQuery {
    /// Earliest time, RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Latest time (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Answers every code from one consistent snapshot; the route then stores the record
/// (`service::screenings::store`).
pub async fn answer(
    conn: &DatabaseConnection,
    cache: &StandingCache,
    cx: &Ctx,
    reader: &Actor,
    body: NewScreening,
) -> ServiceResult<Answered> {
    let max = cx.policy().screenings.max_codes as usize;
    if body.codes.len() > max {
        return Err(ServiceError::TooLarge(msg!(
            "a-screening-carries-at-most-codes-this",
            max = max.to_string(),
            detail = body.codes.len().to_string()
        )));
    }
    if body.codes.is_empty() {
        return Err(ServiceError::validation(
            "codes",
            msg!("give-1-to-codes", max = max.to_string()),
        ));
    }
    let as_of = body.as_of.unwrap_or_else(|| cx.today());
    // One snapshot: the seq and every row read as of the same moment.
    let snapshot = read_snapshot(conn).await?;
    let seq = last_seq(&snapshot).await?;
    // Brings the cache up to (at least) `seq`, so that its rows can stand in for the snapshot's.
    cache.sync(conn).await?;
    let codes: Vec<&str> = body.codes.iter().map(ScreeningRow::code).collect();
    let rows = rows_at(&snapshot, cache, seq, &codes).await?;
    let visible = hospital_view(&snapshot, cx, reader).await?;
    // Every row that is not an organisation is a look-up of a person (or may be one): a masked reader's
    // quota pays for them all, before anything is answered.
    let people = codes
        .iter()
        .filter(|code| {
            rows.get(**code).is_none_or(|r| {
                !matches!(
                    r.facts.kind,
                    SubjectKind::Institution | SubjectKind::Pharmacy
                )
            })
        })
        .count();
    crate::shared::quota::spend(conn, cx, reader, people as u64).await?;
    let masked = reader.sees_masked_identities();
    let mut answers = Vec::with_capacity(codes.len());
    for (row, code) in body.codes.iter().zip(&codes) {
        let found = rows.get(*code).filter(|loaded| {
            visible
                .as_ref()
                .is_none_or(|ids| ids.contains(&loaded.row.subject_id))
                && (!masked
                    || loaded.facts.kind != SubjectKind::Insured
                    || row.name() == Some(loaded.row.name.as_str()))
        });
        let standing = match found {
            Some(loaded) => {
                let view = view_of(&snapshot, cx, reader, loaded, as_of).await?;
                Some(serde_json::to_value(view).map_err(|e| {
                    ServiceError::Unprocessable(crate::i18n::msg!(
                        "fault-serialise",
                        detail = e.to_string()
                    ))
                })?)
            }
            None => None,
        };
        answers.push(ScreeningAnswer {
            // A masked reader's own input comes back as given; the standing inside is masked.
            code: code.to_string(),
            result: if standing.is_some() {
                "found"
            } else {
                "not_found"
            }
            .into(),
            standing,
        });
    }
    snapshot.commit().await?;
    let text = serde_json::to_string(&answers).map_err(|e| {
        ServiceError::Unprocessable(crate::i18n::msg!("fault-serialise", detail = e.to_string()))
    })?;
    Ok(Answered {
        as_of,
        seq,
        count: answers.len(),
        text,
    })
}

/// A screening answered and not yet stored: what `service::screenings::store` keeps as proof.
pub struct Answered {
    pub as_of: NaiveDate,
    /// The change-log position the answers reflect.
    pub seq: i64,
    pub count: usize,
    /// The answers as compact JSON: what the digest covers.
    pub text: String,
}

/// A stored screening as its reader gets it back: the record with its answers byte for byte.
pub fn stored(row: screening::Model) -> ServiceResult<ScreeningRecord> {
    let answers = raw(&row)?;
    record(summary(row), Some(answers))
}

/// A record's fields besides its answers, as a list reads them (without the answers' megabytes).
type Summary = (
    i64,
    String,
    String,
    DateTime<Utc>,
    NaiveDate,
    i64,
    i32,
    String,
);

const SUMMARY: [screening::Column; 8] = [
    screening::Column::Id,
    screening::Column::Actor,
    screening::Column::Role,
    screening::Column::At,
    screening::Column::AsOf,
    screening::Column::Seq,
    screening::Column::CodeCount,
    screening::Column::Digest,
];

fn summary(m: screening::Model) -> Summary {
    (
        m.id,
        m.actor,
        m.role,
        m.at,
        m.as_of,
        m.seq,
        m.code_count,
        m.digest,
    )
}

fn record(
    (id, actor, role, at, as_of, seq, code_count, digest): Summary,
    answers: Option<Box<serde_json::value::RawValue>>,
) -> ServiceResult<ScreeningRecord> {
    Ok(ScreeningRecord {
        role: crate::shared::error::column("screenings", id, &role)?,
        id,
        actor,
        at,
        as_of,
        seq,
        code_count,
        digest,
        answers,
    })
}

/// The stored answers as they are (checked to be JSON, not re-serialised).
fn raw(row: &screening::Model) -> ServiceResult<Box<serde_json::value::RawValue>> {
    let corrupt = |e: &dyn std::fmt::Display| ServiceError::corrupt("screenings", row.id, e);
    let text = match &row.answers_lz4 {
        Some(packed) => {
            let bytes = lz4_flex::decompress_size_prepended(packed).map_err(|e| corrupt(&e))?;
            String::from_utf8(bytes).map_err(|e| corrupt(&e))?
        }
        None => row.answers.clone(),
    };
    serde_json::value::RawValue::from_string(text).map_err(|e| corrupt(&e))
}

/// Auditors and admins read every screening; everyone else only their own.
fn sees_all(reader: &Actor) -> bool {
    matches!(reader.role, Role::Auditor | Role::Admin)
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    id: i64,
) -> ServiceResult<ScreeningRecord> {
    let not_found = || ServiceError::NotFound(msg!("no-screening-of-yours", id = id.to_string()));
    let row = screening::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !sees_all(reader)
        && !reader.is_principal(&row.issuer, &row.role, row.org.as_deref(), &row.actor)
    {
        return Err(not_found());
    }
    let answers = raw(&row)?;
    record(summary(row), Some(answers))
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    reader: &Actor,
    query: ScreeningQuery,
) -> ServiceResult<Page<ScreeningRecord>> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut select = screening::Entity::find()
        .filter(screening::Column::Id.gt(page.after))
        .order_by_asc(screening::Column::Id)
        .limit(page.fetch_limit());
    if !sees_all(reader) {
        use screening::Column::{Actor as Sub, Issuer, Org, Role as RoleColumn};
        // The principal's own: issuer, role, org and sub together (DESIGN §14).
        select = select.filter(reader.owns_rows([Issuer, RoleColumn, Org, Sub]));
    }
    if let Some(from) = query.from {
        select = select.filter(screening::Column::At.gte(from));
    }
    if let Some(to) = query.to {
        select = select.filter(screening::Column::At.lt(to));
    }
    let summaries: Vec<Summary> = select
        .select_only()
        .columns(SUMMARY)
        .into_tuple()
        .all(db)
        .await?;
    let rows = page.page(summaries, |s| s.0, |s| s);
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|s| record(s, None))
            .collect::<ServiceResult<_>>()?,
        next_cursor: rows.next_cursor,
    })
}
