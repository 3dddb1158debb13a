//! Screenings (DESIGN §8): who checked which codes when, the change-log position the answers reflect, and a
//! digest of the answer, kept as proof (append-only, like the audit log).

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
                    .table("screenings")
                    .col(big_pk_auto("id"))
                    .col(string_len("actor", 200))
                    .col(string_len("role", 16))
                    .col(string_len_null("org", 64))
                    .col(timestamp_with_time_zone("at"))
                    .col(date("as_of"))
                    .col(big_integer("seq"))
                    .col(integer("code_count"))
                    .col(string_len("digest", 64))
                    .col(text("answers"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_screenings_actor_at",
                "screenings",
                &["actor", "at"],
            ))
            .await?;
        crate::forbid_update_and_delete(manager, "screenings").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("screenings").to_owned())
            .await
    }
}
