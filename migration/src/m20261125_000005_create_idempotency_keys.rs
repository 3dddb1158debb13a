//! One table of `Idempotency-Key`s for every creating POST, with the response first given, so a retry returns
//! it instead of creating a duplicate.

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
                    .table("idempotency_keys")
                    .col(big_pk_auto("id"))
                    .col(string_len("actor", 200))
                    .col(string_len("key", 200))
                    .col(string_len("operation", 120))
                    .col(string_len("request_hash", 64))
                    .col(integer("status"))
                    .col(text_null("location"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        // Scoped to the token subject: two clients may pick the same key without meeting.
        manager
            .create_index(
                index(
                    "ux_idempotency_keys_actor_key",
                    "idempotency_keys",
                    &["actor", "key"],
                )
                .unique()
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("idempotency_keys").to_owned())
            .await
    }
}
