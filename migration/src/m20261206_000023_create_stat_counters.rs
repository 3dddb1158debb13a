//! Statistics counters (可视化监管, issue 23): one row per day (China Standard Time), county, subject, type,
//! severity, sanction type and metric, with the sum of what was counted there. The writer keeps them in the
//! transaction of the change they count; `rebuild-stats` recomputes them from the facts. The prefecture and
//! province are stored beside the county so that a roll-up is a plain `GROUP BY`, and `month` beside the day so
//! that months, quarters and years are too.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("stat_counters")
                    .col(big_pk_auto("id"))
                    .col(string_len("metric", 32))
                    .col(date("day"))
                    // `YYYY-MM` of `day`.
                    .col(string_len("month", 7))
                    .col(string_len("region", 6))
                    .col(string_len("prefecture", 6))
                    .col(string_len("province", 6))
                    .col(string_len("subject_kind", 16))
                    // 0 where no subject is counted (tips).
                    .col(big_integer("subject_id"))
                    // The organisation's own code (institutions, pharmacies), empty for persons: what a
                    // hospital's `institution_code` selects.
                    .col(string_len("org", 64))
                    .col(string_len("type_code", 64))
                    .col(string_len("severity", 16))
                    .col(string_len("sanction_type", 32))
                    .col(big_integer("value"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_stat_counters_key",
                    "stat_counters",
                    &[
                        "metric",
                        "day",
                        "region",
                        "subject_id",
                        "type_code",
                        "severity",
                        "sanction_type",
                    ],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_stat_counters_org",
                "stat_counters",
                &["org", "metric", "day"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("stat_counters").to_owned())
            .await
    }
}
