//! Bulk imports of subjects: one row per import, written when it starts and closed when it ends, so a client can
//! follow a large one and an auditor can see who loaded which file (by its SHA-256).

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
                    .table("imports")
                    .col(big_pk_auto("id"))
                    .col(string_len("actor", 200))
                    .col(string_len("role", 16))
                    .col(string_len("format", 8))
                    .col(string_len("state", 16))
                    .col(big_integer("rows_read"))
                    .col(big_integer("rows_imported"))
                    .col(big_integer("error_count"))
                    .col(text("errors"))
                    .col(string_len_null("sha256", 64))
                    .col(big_integer_null("first_seq"))
                    .col(big_integer_null("last_seq"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_imports_actor", "imports", &["actor", "id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("imports").to_owned())
            .await
    }
}
