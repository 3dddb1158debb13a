//! Smart-monitoring suspects (疑点, issue 22): what the monitoring system flagged, and every step of their life
//! (triage, the institution's explanation, verification, second review) with who, when and why. Imports
//! records which kind of rows they loaded and how many of them were already there.

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
                    .table("suspicions")
                    .col(big_pk_auto("id"))
                    .col(string_len("source", 32))
                    .col(string_len("external_id", 128))
                    .col(string_len("rule_code", 64))
                    .col(text("rule_name"))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len_null("practitioner_code", 64))
                    .col(date("occurred_on"))
                    .col(big_integer("amount_fen"))
                    .col(text("detail"))
                    .col(text("claim_ids"))
                    // SHA-256 of the row as sent: a re-sent row is told from a changed one without reading it.
                    .col(string_len("content_hash", 64))
                    .col(string_len("state", 16))
                    .col(timestamp_with_time_zone("received_at"))
                    .col(string_len("received_by", 200))
                    .col(date("triage_due"))
                    .col(string_len_null("triaged_by", 200))
                    .col(timestamp_with_time_zone_null("triaged_at"))
                    .col(text_null("triage_reason"))
                    .col(date_null("explain_due"))
                    .col(text_null("explanation"))
                    .col(text_null("explanation_evidence"))
                    .col(string_len_null("explained_by", 200))
                    .col(timestamp_with_time_zone_null("explained_at"))
                    .col(date_null("verify_due"))
                    .col(string_len_null("verified_by", 200))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    .col(text_null("verify_reason"))
                    .col(boolean("unanswered"))
                    .col(big_integer_null("violation_id"))
                    .col(string_len_null("review_state", 16))
                    // The triage's second review is done, even once a later one (of the verification) replaced it.
                    .col(boolean("triage_reviewed").default(false))
                    .col(string_len_null("review_of", 16))
                    .col(date_null("review_due"))
                    .col(string_len_null("reviewed_by", 200))
                    .col(timestamp_with_time_zone_null("reviewed_at"))
                    .col(text_null("review_reason"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .foreign_key(&mut references("suspicions", "subject_id", "subjects"))
                    .foreign_key(&mut references("suspicions", "violation_id", "violations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_suspicions_source_external",
                    "suspicions",
                    &["source", "external_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_suspicions_subject", &["subject_code", "id"][..]),
            ("idx_suspicions_rule", &["rule_code", "id"][..]),
            ("idx_suspicions_state", &["state", "id"][..]),
            ("idx_suspicions_violation", &["violation_id"][..]),
        ] {
            manager
                .create_index(index(name, "suspicions", columns))
                .await?;
        }
        // Imports load subjects or suspects; rows already there are counted, not refused (suspects only).
        manager
            .alter_table(
                Table::alter()
                    .table("imports")
                    .add_column(string_len("kind", 16).default("subjects"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("imports")
                    .add_column(big_integer("rows_duplicate").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["rows_duplicate", "kind"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("imports")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table("suspicions").to_owned())
            .await
    }
}
