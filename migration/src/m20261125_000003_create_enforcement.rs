//! Catalogue, cases with their transitions, the credit ledger and sanctions.

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
                    .table("violation_types")
                    .col(big_pk_auto("id"))
                    .col(string_len("code", 64))
                    .col(integer("version"))
                    .col(string_len("name", 400))
                    .col(string_len("applies_to", 100))
                    .col(string_len("severity", 16))
                    .col(integer("points_min"))
                    .col(integer("points_max"))
                    .col(text("legal_basis"))
                    .col(date("effective_from"))
                    .col(date_null("effective_to"))
                    .col(boolean("insured_settlement_suspension"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_violation_types_code_version",
                    "violation_types",
                    &["code", "version"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("violations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len("subject_kind", 16))
                    .col(big_integer("type_id"))
                    .col(string_len("type_code", 64))
                    .col(string_len("state", 16))
                    .col(date("occurred_on"))
                    .col(date("discovered_on"))
                    .col(text("description"))
                    .col(big_integer("amount_involved_fen"))
                    .col(big_integer("amount_to_recover_fen"))
                    .col(text("evidence"))
                    .col(string_len_null("responsibility", 16))
                    .col(string_len_null("institution_code", 64))
                    .col(boolean("institution_liable"))
                    .col(boolean("transferred_to_judiciary"))
                    .col(boolean("major"))
                    .col(integer_null("points"))
                    .col(integer_null("settlement_suspension_months"))
                    .col(integer_null("fine_multiple"))
                    .col(string_len("recorded_by", 200))
                    .col(string_len_null("reviewed_by", 200))
                    .col(string_len_null("approved_by", 200))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(date_null("report_due"))
                    .col(integer_null("cycle"))
                    .col(string_len_null("idempotency_key", 200))
                    .col(string_len_null("request_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut references("violations", "subject_id", "subjects"))
                    .foreign_key(&mut references("violations", "type_id", "violation_types"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_violations_subject",
                "violations",
                &["subject_id"],
            ))
            .await?;
        manager
            .create_index(index("idx_violations_state", "violations", &["state"]))
            .await?;
        manager
            .create_index(
                index(
                    "ux_violations_idempotency",
                    "violations",
                    &["recorded_by", "idempotency_key"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("violation_transitions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("violation_id"))
                    .col(string_len_null("from_state", 16))
                    .col(string_len("to_state", 16))
                    .col(string_len("actor", 200))
                    .col(string_len("role", 32))
                    .col(text_null("reason"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut references(
                        "violation_transitions",
                        "violation_id",
                        "violations",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_violation_transitions_violation",
                "violation_transitions",
                &["violation_id"],
            ))
            .await?;
        crate::forbid_update_and_delete(manager, "violation_transitions").await?;

        manager
            .create_table(
                Table::create()
                    .table("credit_entries")
                    .col(big_pk_auto("id"))
                    .col(big_integer("subject_id"))
                    .col(string_len("kind", 16))
                    .col(integer("points"))
                    .col(integer("cycle"))
                    .col(big_integer_null("violation_id"))
                    .col(text("reason"))
                    .col(string_len("created_by", 200))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut references("credit_entries", "subject_id", "subjects"))
                    .foreign_key(&mut references(
                        "credit_entries",
                        "violation_id",
                        "violations",
                    ))
                    .check(Expr::col("points").gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_credit_entries_subject_cycle",
                "credit_entries",
                &["subject_id", "cycle"],
            ))
            .await?;
        crate::forbid_update_and_delete(manager, "credit_entries").await?;

        manager
            .create_table(
                Table::create()
                    .table("sanctions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len("type", 32))
                    .col(string_len_null("scope", 32))
                    .col(date("starts_on"))
                    .col(date_null("ends_on"))
                    .col(date_null("ban_until"))
                    .col(big_integer_null("amount_fen"))
                    .col(text("reason"))
                    .col(boolean("automatic"))
                    .col(string_len_null("threshold_key", 120).unique_key())
                    .col(date_null("lifted_on"))
                    .col(text_null("lifted_reason"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(text_null("revoked_reason"))
                    .col(string_len("created_by", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut references("sanctions", "subject_id", "subjects"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_sanctions_subject", "sanctions", &["subject_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sanction_violations")
                    .col(big_integer("sanction_id"))
                    .col(big_integer("violation_id"))
                    .primary_key(Index::create().col("sanction_id").col("violation_id"))
                    .foreign_key(&mut references(
                        "sanction_violations",
                        "sanction_id",
                        "sanctions",
                    ))
                    .foreign_key(&mut references(
                        "sanction_violations",
                        "violation_id",
                        "violations",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_sanction_violations_violation",
                "sanction_violations",
                &["violation_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "sanction_violations",
            "sanctions",
            "credit_entries",
            "violation_transitions",
            "violations",
            "violation_types",
        ] {
            manager
                .drop_table(Table::drop().table(table.to_string()).to_owned())
                .await?;
        }
        Ok(())
    }
}
