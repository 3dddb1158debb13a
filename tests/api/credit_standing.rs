//! One answer for credit and standing (issue 18 point 8): `GET /subjects/{code}/credit` is the standing answer
//! plus the ledger detail, so the two agree on points, score, grade, supervision and lists on every day.

use medcredit::auth::Role;
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn today(app: &TestApp) -> chrono::NaiveDate {
    medcredit::domain::dates::legal_date(app.clock.now())
}

#[tokio::test]
async fn a_blacklisted_institution_at_94_is_grade_d_in_credit_and_in_standing() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app
        .approved_case(INSTITUTION, "INST-OVERCHARGING", json!({"points": 6}))
        .await;
    let body = json!({"subject_code": INSTITUTION, "reason": "欺诈骗保", "violation_ids": [case["id"]],
                      "listed_on": today(&app)});
    let listed = app.post("/api/v1/lists/black", Role::Approver, &body).await;
    assert_eq!(listed.status, StatusCode::CREATED, "{}", listed.body);

    let standing = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Inspector)
        .await
        .body;
    let credit = app.credit(INSTITUTION, None).await;
    assert_eq!(
        (&standing["score"], &standing["grade"]),
        (&json!(94), &json!("D"))
    );
    assert_eq!(
        (&credit["score"], &credit["grade"]),
        (&json!(94), &json!("D"))
    );
    assert_eq!(credit["supervision"], standing["supervision"]);
    assert_eq!(credit["standing_status"], "blacklisted");
    assert_eq!(credit["lists"], standing["lists"]);
    // The ledger detail the score folds.
    assert_eq!(credit["entries"][0]["kind"], "deduction");
    assert_eq!(credit["entries"][0]["points"], 6);
}

#[derive(Clone, Debug)]
enum Op {
    Approve(u32),
    /// Black-list on the last case, listed this many days ago.
    BlackList(u32),
    /// Remove the last black-list entry (by an approver who did not list it).
    RemoveLast,
    VoidLast,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u32..=10).prop_map(Op::Approve),
        2 => (0u32..=60).prop_map(Op::BlackList),
        1 => Just(Op::RemoveLast),
        1 => Just(Op::VoidLast),
    ]
}

async fn apply(app: &TestApp, op: &Op, cases: &mut Vec<Value>, entries: &mut Vec<Value>) {
    let other = app.token_for(Role::Approver, "approver-2", None);
    match op {
        Op::Approve(points) => {
            // The catalogue ranges: minor 1–5, general 6–10.
            let type_code = if *points <= 5 {
                "INST-MANAGEMENT-DEFICIENCY"
            } else {
                "INST-OVERCHARGING"
            };
            let case = app
                .approved_case(INSTITUTION, type_code, json!({"points": points}))
                .await;
            cases.push(case);
        }
        Op::BlackList(days_ago) => {
            if let Some(case) = cases.last() {
                let listed_on = today(app) - chrono::Days::new(u64::from(*days_ago));
                let body = json!({"subject_code": INSTITUTION, "reason": "性质测试",
                                  "violation_ids": [case["id"]], "listed_on": listed_on});
                let response = app.post("/api/v1/lists/black", Role::Approver, &body).await;
                if response.status == StatusCode::CREATED {
                    entries.push(response.body);
                }
            }
        }
        Op::RemoveLast => {
            if let Some(entry) = entries.last() {
                // An entry already ended answers 409; the sequence goes on either way.
                let path = format!("/api/v1/lists/black/{}/remove", entry["id"]);
                let body = json!({"reason": "测试"});
                app.send(reqwest::Method::POST, &path, Some(&other), Some(&body))
                    .await;
            }
        }
        Op::VoidLast => {
            if let Some(case) = cases.pop() {
                let path = format!("/api/v1/violations/{}/void", case["id"]);
                app.post(&path, Role::Approver, &json!({"reason": "更正"}))
                    .await;
            }
        }
    }
}

/// For random histories of approvals, black-list entries (some listed in the past), removals and voided cases,
/// credit and standing give the same points, score, grade, supervision, status and lists on days of the cycle.
#[test]
fn credit_and_standing_agree_over_random_histories() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 4,
        ..ProptestConfig::default()
    });
    runner
        .run(&prop::collection::vec(op(), 1..10), |ops| {
            runtime.block_on(check(ops));
            Ok(())
        })
        .expect("property holds");
}

async fn check(ops: Vec<Op>) {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (mut cases, mut entries) = (Vec::new(), Vec::new());
    for op in &ops {
        apply(&app, op, &mut cases, &mut entries).await;
    }
    let today = today(&app);
    let year = chrono::Datelike::year(&today);
    let days = (0..12)
        .map(|month| chrono::NaiveDate::from_ymd_opt(year, month + 1, 15).unwrap())
        .chain([today]);
    for day in days {
        let standing = app
            .get(
                &format!("/api/v1/standing/{INSTITUTION}?as_of={day}"),
                Role::Inspector,
            )
            .await
            .body;
        let credit = app.credit(INSTITUTION, Some(&day.to_string())).await;
        for field in ["points", "score", "grade", "supervision", "lists", "cycle"] {
            assert_eq!(
                credit[field], standing[field],
                "{field} on {day} after {ops:?}: {credit} / {standing}"
            );
        }
        assert_eq!(
            credit["standing_status"], standing["status"],
            "{day} {ops:?}"
        );
    }
}
