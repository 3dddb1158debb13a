//! Appeals carry evidence references as cases do (a JSON array, `[]` for those filed before), and institutions
//! and pharmacies the day their first service agreement (定点协议) began: red-list proposals count only years
//! fully designated. Rows registered before have none and read as designated from their registration day.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("appeals")
                    .add_column(text("evidence").default("[]"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("subjects")
                    .add_column(date_null("designated_since"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("subjects")
                    .drop_column("designated_since")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("appeals")
                    .drop_column("evidence")
                    .to_owned(),
            )
            .await
    }
}
