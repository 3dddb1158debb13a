//! Red-list proposals: the engine proposes, an approver confirms or declines each.

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
                    .table("red_proposals")
                    .col(big_pk_auto("id"))
                    .col(integer("year"))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len("state", 16))
                    .col(text("grounds"))
                    .col(string_len("proposed_by", 200))
                    .col(timestamp_with_time_zone("proposed_at"))
                    .col(string_len_null("decided_by", 200))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_reason"))
                    .col(big_integer_null("entry_id"))
                    .foreign_key(&mut references("red_proposals", "subject_id", "subjects"))
                    .to_owned(),
            )
            .await?;
        // One proposal per subject and year: proposing again adds only the newly eligible.
        manager
            .create_index(
                index(
                    "ux_red_proposals_year_subject",
                    "red_proposals",
                    &["year", "subject_id"],
                )
                .unique()
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("red_proposals").to_owned())
            .await
    }
}
