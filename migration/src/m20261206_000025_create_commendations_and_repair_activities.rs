//! Positive credit and repair by activities (issue 20, points 3 and 5): commendations an inspector proposes and
//! an approver decides, practitioners' repair activities an inspector records and a reviewer decides, and on
//! the ledger an award key that lets the once-a-cycle commitment bonus (and each decision) be written once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns both two-step awards share, after their own.
fn decided(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(string_len("state", 16))
        .col(text("evidence"))
        .col(string_len_null("decided_by", 200))
        .col(timestamp_with_time_zone_null("decided_at"))
        .col(text_null("decision_reason"))
        .col(integer_null("points_awarded"))
        .col(big_integer_null("credit_entry_id"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("credit_entries")
                    .add_column(string_len_null("award_key", 120))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_credit_entries_award_key",
                    "credit_entries",
                    &["award_key"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                decided(
                    Table::create()
                        .table("commendations")
                        .col(big_pk_auto("id"))
                        .col(big_integer("subject_id"))
                        .col(string_len("subject_code", 64))
                        .col(integer("points"))
                        .col(text("reason"))
                        .col(string_len("proposed_by", 200))
                        .col(timestamp_with_time_zone("proposed_at")),
                )
                .foreign_key(&mut references("commendations", "subject_id", "subjects"))
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_commendations_subject",
                "commendations",
                &["subject_id", "id"],
            ))
            .await?;
        manager
            .create_table(
                decided(
                    Table::create()
                        .table("repair_activities")
                        .col(big_pk_auto("id"))
                        .col(big_integer("subject_id"))
                        .col(string_len("subject_code", 64))
                        .col(string_len("kind", 32))
                        .col(date("held_on"))
                        .col(integer("cycle"))
                        .col(text("description"))
                        .col(string_len("recorded_by", 200))
                        .col(timestamp_with_time_zone("recorded_at")),
                )
                .foreign_key(&mut references(
                    "repair_activities",
                    "subject_id",
                    "subjects",
                ))
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_repair_activities_subject_cycle",
                "repair_activities",
                &["subject_id", "cycle"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["repair_activities", "commendations"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ux_credit_entries_award_key")
                    .table("credit_entries")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("credit_entries")
                    .drop_column("award_key")
                    .to_owned(),
            )
            .await
    }
}
