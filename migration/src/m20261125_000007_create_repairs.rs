//! 信用修复 applications: against a list entry and/or a case, decided by a reviewer by a due date.

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
                    .table("repairs")
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("list_entry_id"))
                    .col(big_integer_null("violation_id"))
                    .col(big_integer("subject_id"))
                    .col(string_len("subject_code", 64))
                    .col(string_len("state", 16))
                    .col(text("reason"))
                    .col(text("evidence"))
                    .col(date("eligible_from"))
                    .col(date("decision_due"))
                    .col(string_len("filed_by", 200))
                    .col(string_len("filed_role", 16))
                    .col(timestamp_with_time_zone("filed_at"))
                    .col(string_len_null("decided_by", 200))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_reason"))
                    .col(integer_null("points_restored"))
                    .foreign_key(&mut references("repairs", "subject_id", "subjects"))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_repairs_state_due", &["state", "decision_due"][..]),
            ("idx_repairs_subject_code", &["subject_code"]),
        ] {
            manager
                .create_index(index(name, "repairs", columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("repairs").to_owned())
            .await
    }
}
