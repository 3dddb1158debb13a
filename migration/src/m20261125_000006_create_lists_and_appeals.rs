//! Red and black lists (名单) with the cases each entry rests on, and appeals (申诉) against approved cases.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("list_entries")
                    .col(big_pk_auto("id"))
                    .col(string_len("list", 8))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len("subject_kind", 16))
                    .col(text("reason"))
                    .col(text("legal_basis"))
                    .col(text("measures"))
                    .col(text("exit_conditions"))
                    .col(text("remedies"))
                    .col(date("listed_on"))
                    .col(date_null("expires_on"))
                    .col(boolean("published"))
                    // The cause of an automatic entry (trigger and case or sanction): one entry per cause.
                    .col(string_len_null("cause_key", 120).unique_key())
                    .col(date_null("ended_on"))
                    .col(string_len_null("end_kind", 16))
                    .col(text_null("end_reason"))
                    .col(string_len("created_by", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut references("list_entries", "subject_id", "subjects"))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_list_entries_subject", &["subject_id"][..]),
            ("idx_list_entries_list_listed", &["list", "listed_on"]),
            ("idx_list_entries_code", &["subject_code"]),
        ] {
            manager
                .create_index(index(name, "list_entries", columns))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("list_entry_violations")
                    .col(big_integer("entry_id"))
                    .col(big_integer("violation_id"))
                    .primary_key(Index::create().col("entry_id").col("violation_id"))
                    .foreign_key(&mut references(
                        "list_entry_violations",
                        "entry_id",
                        "list_entries",
                    ))
                    .foreign_key(&mut references(
                        "list_entry_violations",
                        "violation_id",
                        "violations",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_list_entry_violations_violation",
                "list_entry_violations",
                &["violation_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("appeals")
                    .col(big_pk_auto("id"))
                    .col(big_integer("violation_id"))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len("state", 16))
                    .col(text("reason"))
                    .col(string_len("filed_by", 200))
                    .col(string_len("filed_role", 16))
                    .col(timestamp_with_time_zone("filed_at"))
                    .col(string_len_null("decided_by", 200))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_reason"))
                    .foreign_key(&mut references("appeals", "violation_id", "violations"))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_appeals_violation", "violation_id"),
            ("idx_appeals_subject_code", "subject_code"),
            ("idx_appeals_state", "state"),
        ] {
            manager
                .create_index(index(name, "appeals", &[column]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["appeals", "list_entry_violations", "list_entries"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
