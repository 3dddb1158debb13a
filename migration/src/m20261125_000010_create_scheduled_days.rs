//! Days whose date-driven changes (suspensions starting or ending, list entries expiring) have been written to
//! the change log: the primary key makes each day's rows appear exactly once, whichever node writes them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("scheduled_days")
                    .col(date("day").primary_key())
                    .col(timestamp_with_time_zone("done_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("scheduled_days").to_owned())
            .await
    }
}
