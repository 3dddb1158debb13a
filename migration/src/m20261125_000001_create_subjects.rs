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
                    .table("subjects")
                    .col(big_pk_auto("id"))
                    .col(string_len("kind", 16))
                    .col(string_len_uniq("code", 64))
                    .col(string_len("name", 400))
                    .col(string_len("region", 6))
                    .col(string_len_null("uscc", 18))
                    .col(string_len_null("id_number", 18))
                    .col(string_len_null("profession", 32))
                    .col(string_len_null("insurance_type", 16))
                    .col(string_len_null("level", 32))
                    .col(string_len_null("responsible_person", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_subjects_kind_region",
                "subjects",
                &["kind", "region"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("affiliations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("practitioner_id"))
                    .col(big_integer("organisation_id"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut references(
                        "affiliations",
                        "practitioner_id",
                        "subjects",
                    ))
                    .foreign_key(&mut references(
                        "affiliations",
                        "organisation_id",
                        "subjects",
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_affiliations_practitioner", "practitioner_id"),
            ("idx_affiliations_organisation", "organisation_id"),
        ] {
            manager
                .create_index(index(name, "affiliations", &[column]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("affiliations").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("subjects").to_owned())
            .await
    }
}
