//! Webhooks (continuous query) and their outbox: deliveries are written in the transaction of the change they
//! announce, then claimed and sent by a worker on any node.

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
                    .table("webhooks")
                    .col(big_pk_auto("id"))
                    .col(string_len("owner", 200))
                    .col(string_len("role", 16))
                    .col(string_len_null("org", 64))
                    .col(text("url"))
                    .col(string_len("secret", 128))
                    .col(text("events"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(big_pk_auto("id"))
                    .col(big_integer("webhook_id"))
                    .col(big_integer("seq"))
                    .col(string_len("event", 32))
                    .col(string_len("subject_code", 64))
                    .col(text("payload"))
                    .col(string_len("status", 16))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(integer_null("last_status"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut references("outbox", "webhook_id", "webhooks"))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_outbox_status_next", &["status", "next_attempt_at"][..]),
            ("idx_outbox_webhook", &["webhook_id"]),
        ] {
            manager.create_index(index(name, "outbox", columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["outbox", "webhooks"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
