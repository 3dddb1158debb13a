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

    let kept = rows(&app, COUNTERS).await;
    let rolled = rows(&app, ROLLUPS).await;
    assert!(!kept.is_empty() && !rolled.is_empty());
    the_roll_ups_answer_as_the_daily_counters_do(&app).await;
    medcredit::service::stats::rebuild::rebuild(&app.db)
        .await
        .expect("rebuild");
    assert_eq!(rows(&app, COUNTERS).await, kept);
    assert_eq!(rows(&app, ROLLUPS).await, rolled);
}

/// Questions of whole months, read from the roll-ups, have the daily counters' totals; their subjects are
/// exact within one period and a lower bound across several.
async fn the_roll_ups_answer_as_the_daily_counters_do(app: &TestApp) {
    use medcredit::domain::stats::{Dimension as D, Metric};
    use medcredit::read::stats::measure::measure;
    use medcredit::read::stats::query::{Filter, Part, measure_daily};
    use std::collections::BTreeMap;
    let day = |text: &str| text.parse::<chrono::NaiveDate>().unwrap();
    let keyed = |parts: Vec<Part>| -> BTreeMap<String, (i64, i64, i64)> {
        parts
            .into_iter()
            .map(|p| {
                let key = format!("{:?} {} {:?}", p.key, p.metric, p.sanction_type);
                let m = p.measured;
                (key, (m.total, m.subjects, m.persons))
            })
            .collect()
    };
    // Dimensions, days, and whether every cell lies within one period of the roll-ups or the daily counters.
    let questions: [(&[D], Option<&str>, &str, bool); 8] = [
        (
            &[D::Prefecture, D::Month],
            Some("2025-12-01"),
            "2026-01-31",
            true,
        ),
        (
            &[D::Province, D::Year],
            Some("2025-01-01"),
            "2026-12-31",
            true,
        ),
        (
            &[D::SubjectKind, D::Quarter],
            Some("2025-10-01"),
            "2026-03-31",
            true,
        ),
        (&[D::SanctionType], Some("2026-01-01"), "2026-12-31", true),
        (&[D::Prefecture], Some("2025-12-01"), "2026-01-31", false),
        (&[], None, "2026-01-31", false),
        // Whole months in the middle, days at the edges.
        (&[D::Month], Some("2025-11-15"), "2026-01-01", true),
        (&[D::Province], Some("2025-11-15"), "2026-01-01", false),
    ];
    for (dims, from, to, exact) in questions {
        let period = (from.map(day), day(to));
        let filter = Filter::default();
        let split = medcredit::read::stats::rollup::split(&filter, dims, period);
        assert!(split.is_some(), "{dims:?} is read from the roll-ups");
        let rolled = measure(&app.db.conn, Metric::ALL, &filter, dims, period)
            .await
            .unwrap();
        let daily = measure_daily(&app.db.conn, Metric::ALL, &filter, dims, period)
            .await
            .unwrap();
        let (rolled, daily) = (keyed(rolled), keyed(daily));
        assert_eq!(
            rolled.keys().collect::<Vec<_>>(),
            daily.keys().collect::<Vec<_>>(),
            "{dims:?}"
        );
        for (key, (total, subjects, persons)) in &daily {
            let (r_total, r_subjects, r_persons) = rolled[key];
            assert_eq!(r_total, *total, "{dims:?} {key}");
            if exact {
                assert_eq!(
                    (r_subjects, r_persons),
                    (*subjects, *persons),
                    "{dims:?} {key}"
                );
            } else {
                assert!(
                    r_subjects <= *subjects && r_subjects >= (*subjects).min(1),
                    "{dims:?} {key}"
                );
                assert!(r_persons <= *persons, "{dims:?} {key}");
            }
        }
    }
}

const COUNTERS: &str = "SELECT metric || ' ' || CAST(day AS TEXT) || ' ' || region || ' ' || prefecture || ' ' \
    || province || ' ' || subject_kind || ' ' || CAST(subject_id AS TEXT) || ' ' || org || ' ' || type_code \
    || ' ' || severity || ' ' || sanction_type || ' ' || CAST(value AS TEXT) AS line FROM stat_counters";

const ROLLUPS: &str = "SELECT metric || ' ' || grain || ' ' || period || ' ' || prefecture || ' ' || province \
    || ' ' || subject_kind || ' ' || sanction_type || ' ' || CAST(value AS TEXT) || ' ' \
    || CAST(subjects AS TEXT) AS line FROM stat_rollups";

/// Every row a statement gives, as its one text column `line`, in a fixed order.
async fn rows(app: &TestApp, sql: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .conn
        .query_all_raw(Statement::from_string(app.backend(), sql))
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "line").unwrap())
        .collect();
    out.sort();
    out
}
