//! Ownership by principal (DESIGN §14): what a caller creates belongs to the token's issuer, role, org and sub
//! together, so a webhook, a screening or an import records the issuer too (empty for tokens without `iss`,
//! which is what rows written before this migration were created with), and an import its org. And the
//! daily quota of person look-ups of each partner principal.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhooks", "screenings", "imports"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len("issuer", 200).default(""))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("imports")
                    .add_column(string_len_null("org", 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lookup_quotas")
                    .col(string_len("principal", 800))
                    .col(date("day"))
                    .col(big_integer("used"))
                    .primary_key(Index::create().col("principal").col("day"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("lookup_quotas").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("imports")
                    .drop_column("org")
                    .to_owned(),
            )
            .await?;
        for table in ["webhooks", "screenings", "imports"] {
            manager
                .alter_table(Table::alter().table(table).drop_column("issuer").to_owned())
                .await?;
        }
        Ok(())
    }
}
