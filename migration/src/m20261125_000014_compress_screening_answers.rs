//! A screening's answers, compressed (LZ4): 10,000 answers are about 4 MB of JSON, kept at least five years, and
//! writing them whole made storing the proof the slowest part of a screening. Rows written before keep their
//! text in `answers`; new rows leave it empty and fill `answers_lz4`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("screenings")
                    .add_column(blob_null("answers_lz4"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("screenings")
                    .drop_column("answers_lz4")
                    .to_owned(),
            )
            .await
    }
}
