//! The change log (`changes`, commit-ordered `seq`), the materialised `standings` row per subject, sanction
//! extensions as rows of their own, and the indexes the list filters need.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns of a sanction that are its terms: fixed once written. An extension is a new row (`extends_id`);
/// lifting and revoking fill their columns once.
const SANCTION_TERMS: [&str; 10] = [
    "subject_id",
    "subject_code",
    "type",
    "scope",
    "starts_on",
    "ends_on",
    "ban_until",
    "amount_fen",
    "reason",
    "threshold_key",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("changes")
                    // Assigned by the writer under the audit-chain lock, so it follows commit order.
                    .col(big_integer("seq").primary_key())
                    .col(string_len("entity", 32))
                    .col(string_len("entity_id", 64))
                    .col(string_len("subject_code", 64))
                    .col(string_len("op", 16))
                    .col(timestamp_with_time_zone("at"))
                    .col(text("value"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_changes_subject_code",
                "changes",
                &["subject_code", "seq"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_changes_entity",
                "changes",
                &["entity", "entity_id", "seq"],
            ))
            .await?;
        crate::forbid_update_and_delete(manager, "changes").await?;

        manager
            .create_table(
                Table::create()
                    .table("standings")
                    .col(big_integer("subject_id").primary_key())
                    .col(string_len("code", 64))
                    .col(string_len("kind", 16))
                    .col(string_len("name", 200))
                    .col(string_len("region", 16))
                    .col(text("facts"))
                    .col(big_integer("seq"))
                    .col(timestamp_with_time_zone("computed_at"))
                    .foreign_key(&mut references("standings", "subject_id", "subjects"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_standings_code", "standings", &["code"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table("sanctions")
                    .add_column(big_integer_null("extends_id"))
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in [
            (
                "idx_sanctions_subject_code",
                "sanctions",
                &["subject_code"][..],
            ),
            ("idx_sanctions_type", "sanctions", &["type"]),
            ("idx_sanctions_extends", "sanctions", &["extends_id"]),
            (
                "idx_violations_subject_code",
                "violations",
                &["subject_code"],
            ),
            ("idx_violations_type_code", "violations", &["type_code"]),
            ("idx_violations_occurred_on", "violations", &["occurred_on"]),
            ("idx_subjects_region", "subjects", &["region"]),
        ] {
            manager.create_index(index(name, table, columns)).await?;
        }
        fix_sanction_terms(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("standings").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("changes").to_owned())
            .await
    }
}

/// The database refuses to rewrite a sanction's terms, to un-lift or un-revoke it, or to delete it.
async fn fix_sanction_terms(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let postgres = manager.get_database_backend() == DbBackend::Postgres;
    let differs = |column: &str| {
        if postgres {
            format!("OLD.{column} IS DISTINCT FROM NEW.{column}")
        } else {
            format!("OLD.{column} IS NOT NEW.{column}")
        }
    };
    let mut rewritten: Vec<String> = SANCTION_TERMS.iter().map(|c| differs(c)).collect();
    rewritten.push(format!(
        "(OLD.lifted_on IS NOT NULL AND {})",
        differs("lifted_on")
    ));
    rewritten.push(format!(
        "(OLD.revoked_at IS NOT NULL AND {})",
        differs("revoked_at")
    ));
    let condition = rewritten.join(" OR ");
    let sql = if postgres {
        format!(
            "CREATE OR REPLACE FUNCTION medcredit_sanction_terms() RETURNS trigger AS $$
             BEGIN
               IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'sanctions are never deleted'; END IF;
               IF {condition} THEN RAISE EXCEPTION 'a sanction''s terms are never rewritten'; END IF;
               RETURN NEW;
             END; $$ LANGUAGE plpgsql;
             CREATE TRIGGER sanctions_terms_fixed BEFORE UPDATE OR DELETE ON sanctions
             FOR EACH ROW EXECUTE FUNCTION medcredit_sanction_terms();"
        )
    } else {
        format!(
            "CREATE TRIGGER sanctions_terms_fixed BEFORE UPDATE ON sanctions WHEN {condition}
             BEGIN SELECT RAISE(ABORT, 'a sanction''s terms are never rewritten'); END;
             CREATE TRIGGER sanctions_no_delete BEFORE DELETE ON sanctions
             BEGIN SELECT RAISE(ABORT, 'sanctions are never deleted'); END;"
        )
    };
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}
