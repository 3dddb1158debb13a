//! Indexes on the identifiers a registration is checked against (DESIGN §6): the ban check looks subjects up by
//! ID number and USCC, which without an index reads the whole registry for every registration.

use sea_orm_migration::prelude::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("idx_subjects_id_number", "subjects", &["id_number"]))
            .await?;
        manager
            .create_index(index("idx_subjects_uscc", "subjects", &["uscc"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_subjects_id_number", "idx_subjects_uscc"] {
            manager
                .drop_index(Index::drop().name(name).table("subjects").to_owned())
                .await?;
        }
        Ok(())
    }
}
