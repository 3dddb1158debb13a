//! Credit commitments (信用承诺, issue 20): the texts an admin publishes, versioned by the day they take
//! effect, and the signatures recorded for subjects. Both are append-only: a text is never edited (a new
//! version replaces it from its date) and a signature is never rewritten. Registrations need no table of their
//! own: an affiliation is the registration, and its state is derived from facts when read.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{forbid_update_and_delete, index, references};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("commitment_texts")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("version", 64))
                    // JSON array of subject kinds.
                    .col(text("applies_to"))
                    .col(text("title"))
                    .col(text("body"))
                    .col(date("effective_from"))
                    .col(integer("resign_within_days"))
                    .col(string_len("published_by", 200))
                    .col(timestamp_with_time_zone("published_at"))
                    .to_owned(),
            )
            .await?;
        forbid_update_and_delete(manager, "commitment_texts").await?;
        manager
            .create_table(
                Table::create()
                    .table("commitments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("subject_id"))
                    .col(big_integer("text_id"))
                    .col(string_len("text_version", 64))
                    .col(date("signed_on"))
                    .col(text("signer_name"))
                    // JSON array of evidence references, as a case's.
                    .col(text("evidence"))
                    .col(string_len("recorded_role", 16))
                    .col(string_len_null("recorded_org", 64))
                    .col(string_len("recorded_by", 200))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut references("commitments", "subject_id", "subjects"))
                    .foreign_key(&mut references(
                        "commitments",
                        "text_id",
                        "commitment_texts",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_commitments_subject",
                "commitments",
                &["subject_id", "id"],
            ))
            .await?;
        forbid_update_and_delete(manager, "commitments").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("commitments").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("commitment_texts").to_owned())
            .await
    }
}
