//! `rebuild-stats` (issue 23): after a random history built through the API, across a year boundary in China
//! time, the counters recomputed from the facts equal those the writer kept.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::stats::approve;

#[tokio::test]
async fn the_rebuild_from_the_facts_equals_the_counters_the_writer_kept() {
    use rand::{Rng, SeedableRng};
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(23);
    let codes = [INSTITUTION, OTHER_INSTITUTION, PHYSICIAN];
    for step in 0..12 {
        // Days move on by hours, across a year boundary in China time.
        app.set_now(&format!("2025-12-31T{:02}:10:00Z", 10 + step));
        let code = codes[rng.random_range(0..codes.len())];
        match rng.random_range(0..4) {
            0 => {
                let light = if code.starts_with('D') {
                    "PRAC-IDENTITY-UNCHECKED"
                } else {
                    "INST-MANAGEMENT-DEFICIENCY"
                };
                app.record_case(code, light).await;
            }
            1 => {
                let id = app
                    .reviewed_case(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
                    .await;
                let path = format!("/api/v1/violations/{id}/reject");
                let response = app
                    .post(&path, Role::Approver, &json!({"reason": "证据不足"}))
                    .await;
                assert_eq!(response.status, StatusCode::OK, "{}", response.body);
            }
            2 => {
                let id = approve(&app, code).await;
                if rng.random_bool(0.5) {
                    let path = format!("/api/v1/violations/{id}/void");
                    let response = app
                        .post(&path, Role::Approver, &json!({"reason": "更正"}))
                        .await;
                    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
                }
            }
            _ => {
                let grounds = approve(&app, INSTITUTION).await;
                let today = medcredit::domain::dates::legal_date(app.clock.now());
                let body = json!({"subject_code": INSTITUTION, "reason": "欺诈骗保",
                    "violation_ids": [grounds], "listed_on": today});
                let response = app.post("/api/v1/lists/black", Role::Approver, &body).await;
                assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            }
        }
    }
    // 守信激励: an approved commendation writes a bonus, which is counted with the credit lists.
    let commendation = crate::commendations::propose(&app, OTHER_INSTITUTION, 3).await;
    let approver = app.token(Role::Approver);
    let decided = crate::commendations::decide(&app, commendation, &approver, "approved").await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let lists =
        crate::stats::stats(&app, "/api/v1/stats/lists?from=2025-12-01&to=2026-01-31").await;
    assert_eq!(lists["items"][0]["values"]["bonuses"], 1, "{lists}");
    assert_eq!(lists["items"][0]["values"]["bonus_points"], 3, "{lists}");

    let kept = counters(&app).await;
    assert!(!kept.is_empty());
    medcredit::service::stats::rebuild::rebuild(&app.db)
        .await
        .expect("rebuild");
    assert_eq!(counters(&app).await, kept);
}

/// Every counter, as text, in a fixed order.
async fn counters(app: &TestApp) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT metric, CAST(day AS TEXT) AS day, region, prefecture, province, subject_kind, \
               subject_id, org, type_code, severity, sanction_type, value FROM stat_counters \
               WHERE value <> 0";
    let rows = app
        .db
        .conn
        .query_all_raw(Statement::from_string(app.backend(), sql))
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| {
            let text = |c: &str| r.try_get::<String>("", c).unwrap();
            let int = |c: &str| r.try_get::<i64>("", c).unwrap();
            format!(
                "{} {} {} {} {} {} {} {} {} {} {} {}",
                text("metric"),
                text("day"),
                text("region"),
                text("prefecture"),
                text("province"),
                text("subject_kind"),
                int("subject_id"),
                text("org"),
                text("type_code"),
                text("severity"),
                text("sanction_type"),
                int("value")
            )
        })
        .collect();
    out.sort();
    out
}
