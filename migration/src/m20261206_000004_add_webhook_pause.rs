//! A webhook whose receiver keeps failing is paused, with the reason its owner reads, until the owner resumes
//! it: its deliveries wait instead of being tried and failed one after another.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("webhooks")
                    .add_column(timestamp_with_time_zone_null("paused_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("webhooks")
                    .add_column(text_null("paused_reason"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["paused_reason", "paused_at"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("webhooks")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
