//! One file per person and per organisation (一医一档, DESIGN §14): an ID number identifies one person in each
//! role (a doctor who is also insured keeps one record in each), a USCC one organisation (institutions and
//! pharmacies share it). Unique indexes make it hold even against a race between two registrations; rows that
//! already break it stop the migration, naming `medcredit check`, which lists them so they can be merged first.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The unique index on `(kind, id_number)`: persons only, as organisations have no ID number (NULLs never
/// collide, on SQLite as on PostgreSQL).
pub const PERSON_INDEX: &str = "ux_subjects_kind_id_number";
/// The unique index on `uscc`: organisations only, one namespace for institutions and pharmacies.
pub const ORGANISATION_INDEX: &str = "ux_subjects_uscc";

/// Subjects that share an identity: the identifier's name (`id_number` or `uscc`), the kind (of persons; `None`
/// for organisations), the identifier and the codes holding it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub field: &'static str,
    pub kind: Option<String>,
    pub identifier: String,
    pub codes: Vec<String>,
}

/// Every identity held by more than one subject, ordered by identifier.
pub async fn duplicate_identities<C: ConnectionTrait>(db: &C) -> Result<Vec<Duplicate>, DbErr> {
    let backend = db.get_database_backend();
    let queries = [
        (
            "id_number",
            "SELECT s.kind, s.id_number, s.code FROM subjects s WHERE s.id_number IS NOT NULL AND EXISTS \
             (SELECT 1 FROM subjects t WHERE t.kind = s.kind AND t.id_number = s.id_number AND t.id <> s.id) \
             ORDER BY s.id_number, s.kind, s.id",
        ),
        (
            "uscc",
            "SELECT NULL AS kind, s.uscc AS id_number, s.code FROM subjects s WHERE s.uscc IS NOT NULL AND EXISTS \
             (SELECT 1 FROM subjects t WHERE t.uscc = s.uscc AND t.id <> s.id) ORDER BY s.uscc, s.id",
        ),
    ];
    let mut found: Vec<Duplicate> = Vec::new();
    for (field, sql) in queries {
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await?
        {
            let kind: Option<String> = row.try_get("", "kind")?;
            let identifier: String = row.try_get("", "id_number")?;
            let code: String = row.try_get("", "code")?;
            match found.last_mut() {
                Some(last)
                    if last.field == field
                        && last.kind == kind
                        && last.identifier == identifier =>
                {
                    last.codes.push(code)
                }
                _ => found.push(Duplicate {
                    field,
                    kind,
                    identifier,
                    codes: vec![code],
                }),
            }
        }
    }
    Ok(found)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let duplicates = duplicate_identities(manager.get_connection()).await?;
        if !duplicates.is_empty() {
            return Err(DbErr::Migration(format!(
                "{} identities (ID numbers or USCCs) are held by more than one subject; one file per person and \
                 per organisation needs them merged first: run `medcredit check` to list them",
                duplicates.len()
            )));
        }
        manager
            .create_index(
                Index::create()
                    .name(PERSON_INDEX)
                    .table("subjects")
                    .col("kind")
                    .col("id_number")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The unique index replaces the plain one of m20261125_000013 (the ban check's lookups use it alike).
        manager
            .drop_index(
                Index::drop()
                    .name("idx_subjects_uscc")
                    .table("subjects")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ORGANISATION_INDEX)
                    .table("subjects")
                    .col("uscc")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [PERSON_INDEX, ORGANISATION_INDEX] {
            manager
                .drop_index(Index::drop().name(name).table("subjects").to_owned())
                .await?;
        }
        manager
            .create_index(crate::index("idx_subjects_uscc", "subjects", &["uscc"]))
            .await
    }
}
