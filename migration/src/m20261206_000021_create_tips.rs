//! Tip-offs (举报, issue 21): the tips with their handling and reward, and the cases each led to. Contact and
//! payment details are stored sealed (AEAD, key from configuration); the claim code only as its hash.

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
                    .table("tips")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("number", 32))
                    .col(string_len("claim_hash", 64))
                    .col(string_len("state", 16))
                    .col(string_len_null("reported_code", 64))
                    .col(text_null("reported_name"))
                    .col(string_len_null("reported_region", 6))
                    .col(big_integer_null("subject_id"))
                    .col(string_len_null("subject_code", 64))
                    .col(text("facts"))
                    .col(text_null("occurred"))
                    .col(text_null("place"))
                    .col(text("evidence"))
                    .col(boolean("wants_reward"))
                    .col(boolean("named"))
                    .col(boolean("insider"))
                    .col(text_null("contact_sealed"))
                    .col(text_null("payment_sealed"))
                    .col(timestamp_with_time_zone("received_at"))
                    .col(date("decision_due"))
                    .col(string_len_null("handler_issuer", 200))
                    .col(string_len_null("handler_role", 16))
                    .col(string_len_null("handler_org", 64))
                    .col(string_len_null("handler_sub", 200))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_reason"))
                    .col(date_null("notify_due"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(string_len_null("reward_state", 16))
                    .col(big_integer_null("confirmed_fen"))
                    .col(big_integer_null("reward_proposed_fen"))
                    .col(big_integer_null("reward_fen"))
                    .col(timestamp_with_time_zone_null("reward_proposed_at"))
                    .col(string_len_null("reward_decided_by", 200))
                    .col(timestamp_with_time_zone_null("reward_decided_at"))
                    .col(text_null("reward_reason"))
                    .col(date_null("paid_on"))
                    .col(string_len_null("payment_reference", 200))
                    .col(timestamp_with_time_zone_null("declined_at"))
                    .foreign_key(&mut references("tips", "subject_id", "subjects"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tips_state_due",
                "tips",
                &["state", "decision_due"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("tip_cases")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tip_id"))
                    .col(big_integer("violation_id"))
                    .col(string_len("linked_by", 200))
                    .col(timestamp_with_time_zone("linked_at"))
                    .foreign_key(&mut references("tip_cases", "tip_id", "tips"))
                    .foreign_key(&mut references("tip_cases", "violation_id", "violations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_tip_cases_tip_violation",
                    "tip_cases",
                    &["tip_id", "violation_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tip_cases_violation",
                "tip_cases",
                &["violation_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("tip_cases").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("tips").to_owned())
            .await
    }
}
