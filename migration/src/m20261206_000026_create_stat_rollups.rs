//! Statistics roll-ups (issue 23, fast at national volume): the daily counters summed by month, quarter and
//! year, prefecture, kind and sanction type, with the distinct subjects of each. At a million cases the daily
//! counters hold about a row per case and metric; these hold a few thousand a year, and a question about
//! whole months reads them instead. They are filled here from the counters already kept, so an upgrade needs
//! no manual step, and the writer keeps them from now on.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The label of a counter's period at each grain, from its `month` (`YYYY-MM`): as `group_by` shows them.
const PERIODS: [(&str, &str); 3] = [
    ("month", "month"),
    (
        "quarter",
        "SUBSTR(month, 1, 4) || '-Q' || CAST((CAST(SUBSTR(month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)",
    ),
    ("year", "SUBSTR(month, 1, 4)"),
];

/// The statements that fill `stat_rollups` from `stat_counters` (which must be emptied first): also what
/// `rebuild-stats` runs after recomputing the counters.
pub fn fill_stat_rollups() -> Vec<String> {
    PERIODS
        .iter()
        .map(|(grain, period)| {
            format!(
                "INSERT INTO stat_rollups \
                 (metric, grain, period, prefecture, province, subject_kind, sanction_type, value, subjects) \
                 SELECT metric, '{grain}', {period}, prefecture, province, subject_kind, sanction_type, \
                 CAST(SUM(value) AS BIGINT), \
                 COUNT(DISTINCT CASE WHEN subject_id <> 0 THEN subject_id END) \
                 FROM stat_counters \
                 GROUP BY metric, {period}, prefecture, province, subject_kind, sanction_type"
            )
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("stat_rollups")
                    .col(big_pk_auto("id"))
                    .col(string_len("metric", 32))
                    .col(string_len("grain", 8))
                    .col(string_len("period", 7))
                    .col(string_len("prefecture", 6))
                    .col(string_len("province", 6))
                    .col(string_len("subject_kind", 16))
                    .col(string_len("sanction_type", 32))
                    .col(big_integer("value"))
                    .col(big_integer("subjects"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_stat_rollups_key",
                    "stat_rollups",
                    &[
                        "metric",
                        "grain",
                        "period",
                        "prefecture",
                        "subject_kind",
                        "sanction_type",
                    ],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        // The writer asks, for each count, whether the subject was already counted in the period.
        manager
            .create_index(index(
                "idx_stat_counters_subject",
                "stat_counters",
                &["subject_id", "metric", "day"],
            ))
            .await?;
        let db = manager.get_connection();
        for sql in fill_stat_rollups() {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_stat_counters_subject")
                    .table("stat_counters")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("stat_rollups").to_owned())
            .await
    }
}
