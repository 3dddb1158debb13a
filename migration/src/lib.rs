//! Schema migrations, run at start-up by `medcredit serve` and `medcredit migrate`, identical on SQLite and
//! PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_subjects;
mod m20261125_000002_create_audit_log;
mod m20261125_000003_create_enforcement;
mod m20261125_000004_create_changes_and_standings;
mod m20261125_000005_create_idempotency_keys;
mod m20261125_000006_create_lists_and_appeals;
mod m20261125_000007_create_repairs;
mod m20261125_000008_create_red_proposals;
mod m20261125_000009_create_screenings;
mod m20261125_000010_create_scheduled_days;
mod m20261125_000011_create_webhooks;
mod m20261125_000012_create_imports;
mod m20261125_000013_index_subject_identifiers;
mod m20261125_000014_compress_screening_answers;
mod m20261206_000001_add_owner_issuer_and_lookup_quotas;
mod m20261206_000002_unique_subject_identities;
mod m20261206_000003_add_appeal_evidence_and_designation;
mod m20261206_000004_add_webhook_pause;
mod m20261206_000021_create_tips;
mod m20261206_000022_create_suspicions;
mod m20261206_000023_create_stat_counters;
mod m20261206_000024_create_commitments;
mod m20261206_000025_create_commendations_and_repair_activities;
mod m20261206_000026_create_stat_rollups;

pub use m20261206_000002_unique_subject_identities::{
    Duplicate, ORGANISATION_INDEX, PERSON_INDEX, duplicate_identities,
};
pub use m20261206_000026_create_stat_rollups::fill_stat_rollups;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_subjects::Migration),
            Box::new(m20261125_000002_create_audit_log::Migration),
            Box::new(m20261125_000003_create_enforcement::Migration),
            Box::new(m20261125_000004_create_changes_and_standings::Migration),
            Box::new(m20261125_000005_create_idempotency_keys::Migration),
            Box::new(m20261125_000006_create_lists_and_appeals::Migration),
            Box::new(m20261125_000007_create_repairs::Migration),
            Box::new(m20261125_000008_create_red_proposals::Migration),
            Box::new(m20261125_000009_create_screenings::Migration),
            Box::new(m20261125_000010_create_scheduled_days::Migration),
            Box::new(m20261125_000011_create_webhooks::Migration),
            Box::new(m20261125_000012_create_imports::Migration),
            Box::new(m20261125_000013_index_subject_identifiers::Migration),
            Box::new(m20261125_000014_compress_screening_answers::Migration),
            Box::new(m20261206_000001_add_owner_issuer_and_lookup_quotas::Migration),
            Box::new(m20261206_000002_unique_subject_identities::Migration),
            Box::new(m20261206_000003_add_appeal_evidence_and_designation::Migration),
            Box::new(m20261206_000004_add_webhook_pause::Migration),
            Box::new(m20261206_000021_create_tips::Migration),
            Box::new(m20261206_000022_create_suspicions::Migration),
            Box::new(m20261206_000023_create_stat_counters::Migration),
            Box::new(m20261206_000024_create_commitments::Migration),
            Box::new(m20261206_000025_create_commendations_and_repair_activities::Migration),
            Box::new(m20261206_000026_create_stat_rollups::Migration),
        ]
    }
}

/// Makes `table` append-only in the database itself, so not even a bug in the service can rewrite history.
/// Trigger names are `<table>_no_update` / `<table>_no_delete` (SQLite) and `<table>_append_only` (PostgreSQL).
pub(crate) async fn forbid_update_and_delete(
    manager: &SchemaManager<'_>,
    table: &str,
) -> Result<(), DbErr> {
    let sql = match manager.get_database_backend() {
        sea_orm_migration::sea_orm::DbBackend::Postgres => format!(
            "CREATE OR REPLACE FUNCTION medcredit_append_only() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END;
             $$ LANGUAGE plpgsql;
             CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
             FOR EACH ROW EXECUTE FUNCTION medcredit_append_only();"
        ),
        _ => format!(
            "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
             CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        ),
    };
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}

/// An index on `columns` of `table`.
pub(crate) fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_string());
    for column in columns {
        index.col(ToString::to_string(column));
    }
    index.to_owned()
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn references(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table.to_string(), column.to_string())
        .to(target.to_string(), "id")
        .to_owned()
}
