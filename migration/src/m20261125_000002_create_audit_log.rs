use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("actor", 200))
                    .col(string_len("role", 32))
                    .col(string_len("action", 64))
                    .col(string_len("target", 200))
                    .col(string_len("request_id", 100))
                    .col(text("change"))
                    .col(string_len("digest", 64))
                    .col(string_len("prev_hash", 64))
                    .col(string_len("hash", 64))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_log_target", "target"),
            ("idx_audit_log_actor", "actor"),
        ] {
            manager
                .create_index(index(name, "audit_log", &[column]))
                .await?;
        }
        crate::forbid_update_and_delete(manager, "audit_log").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("audit_log").to_owned())
            .await
    }
}
