//! The change log (DESIGN §13): what it records, and that `seq` follows commit order under concurrent writers.

use medcredit::auth::Role;
use medcredit::domain::standing::Standing;
use medcredit::read::standing::folded;
use medcredit::service::context::Ctx;
use proptest::prelude::*;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::helpers::*;
use entity::change;

async fn all_changes(app: &TestApp) -> Vec<change::Model> {
    change::Entity::find()
        .order_by_asc(change::Column::Seq)
        .all(&app.db.conn)
        .await
        .expect("changes")
}

#[tokio::test]
async fn an_approval_writes_case_ledger_sanction_and_standing_changes_in_order() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let registered = all_changes(&app).await;
    assert!(
        registered
            .iter()
            .any(|c| c.entity == "subject" && c.entity_id == PHYSICIAN && c.op == "added")
    );
    app.approved_case(
        PHYSICIAN,
        "PRAC-IRRATIONAL-PRESCRIPTION",
        json!({"points": 6}),
    )
    .await;
    let after = all_changes(&app).await.last().map_or(0, |c| c.seq);
    let case = app
        .approved_case(PHYSICIAN, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
        .await;
    let new: Vec<change::Model> = all_changes(&app)
        .await
        .into_iter()
        .filter(|c| c.seq > after)
        .collect();
    let kinds: Vec<(&str, &str)> = new
        .iter()
        .map(|c| (c.entity.as_str(), c.op.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("case", "added"),
            ("ledger_entry", "added"),
            ("sanction", "added"),
            ("standing", "changed")
        ],
        "{new:?}"
    );
    assert!(new.iter().all(|c| c.subject_code == PHYSICIAN));
    assert_eq!(new[0].entity_id, case["id"].to_string());
    let sanction: Value = serde_json::from_str(&new[2].value).unwrap();
    assert_eq!(sanction["type"], "qualification_suspension");
    let seqs: Vec<i64> = new.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (after + 1..=after + 4).collect::<Vec<_>>());

    // Revoking is a change too; the standing row follows in the same transaction.
    let id = sanction["id"].clone();
    let response = app
        .post(
            &format!("/api/v1/sanctions/{id}/revoke"),
            Role::Approver,
            &json!({"reason": "撤销"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let last: Vec<change::Model> = all_changes(&app).await.into_iter().rev().take(2).collect();
    assert_eq!(
        (last[1].entity.as_str(), last[1].op.as_str()),
        ("sanction", "removed")
    );
    assert_eq!(last[0].entity, "standing");
    let detail = app
        .get(&format!("/api/v1/sanctions/{id}"), Role::Inspector)
        .await
        .body;
    let ops: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["added", "removed"], "{detail}");
}

/// Eight writers at once while a reader polls `seq > N`: what the reader collected is the whole table, in
/// order, with nothing skipped — a row never commits below a `seq` a reader has already seen.
#[tokio::test]
async fn concurrent_writers_never_commit_a_seq_below_one_already_read() {
    let app = Arc::new(spawn_app().await);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (app, done) = (app.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen: Vec<i64> = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let after = seen.last().copied().unwrap_or(0);
                let rows = change::Entity::find()
                    .filter(change::Column::Seq.gt(after))
                    .order_by_asc(change::Column::Seq)
                    .all(&app.db.conn)
                    .await
                    .expect("poll");
                seen.extend(rows.iter().map(|c| c.seq));
                if finished {
                    return seen;
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let app = app.clone();
            tokio::spawn(async move {
                for i in 0..6 {
                    let code = format!("H3701029{w}{i:03}");
                    let body = institution(&code, "并发写入测试医院");
                    let response = app.post("/api/v1/subjects", Role::Inspector, &body).await;
                    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.expect("reader");
    let table: Vec<i64> = all_changes(&app).await.iter().map(|c| c.seq).collect();
    assert_eq!(table.len(), 8 * 6, "a `subject added` row each");
    assert_eq!(seen, table, "the reader saw every row once, in order");
    assert_eq!(table, (1..=table.len() as i64).collect::<Vec<_>>());
}

#[derive(Clone, Debug)]
enum Op {
    Approve(u32),
    RevokeLast,
    LiftLast,
    Suspend { scope: &'static str, months: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u32..=6).prop_map(Op::Approve),
        1 => Just(Op::RevokeLast),
        1 => Just(Op::LiftLast),
        1 => (prop::sample::select(vec!["outpatient_general", "inpatient", "all"]), 1u32..=3)
            .prop_map(|(scope, months)| Op::Suspend { scope, months }),
    ]
}

async fn apply(app: &TestApp, op: &Op, cases: &mut Vec<Value>) {
    let last_sanction = || async {
        app.sanctions_of(PHYSICIAN)
            .await
            .last()
            .map(|s| s["id"].clone())
    };
    let today = medcredit::domain::dates::legal_date(app.clock.now());
    match op {
        Op::Approve(points) => {
            // The catalogue ranges: 1–3 for an unchecked identity, 4–6 for an irrational prescription.
            let type_code = if *points <= 3 {
                "PRAC-IDENTITY-UNCHECKED"
            } else {
                "PRAC-IRRATIONAL-PRESCRIPTION"
            };
            let case = app
                .approved_case(PHYSICIAN, type_code, json!({"points": points}))
                .await;
            cases.push(case);
        }
        Op::RevokeLast | Op::LiftLast => {
            if let Some(id) = last_sanction().await {
                let action = if matches!(op, Op::RevokeLast) {
                    "revoke"
                } else {
                    "lift"
                };
                // A sanction already ended answers 409; the sequence goes on either way.
                app.post(
                    &format!("/api/v1/sanctions/{id}/{action}"),
                    Role::Approver,
                    &json!({"reason": "测试"}),
                )
                .await;
            }
        }
        Op::Suspend { scope, months } => {
            if let Some(case) = cases.last() {
                let starts = today + chrono::Days::new(u64::from(*months) * 20);
                let ends = medcredit::domain::sanctions::last_day_of_term(starts, *months);
                let response = app
                    .post(
                        "/api/v1/sanctions",
                        Role::Approver,
                        &json!({"subject_code": PHYSICIAN, "type": "qualification_suspension",
                                "scope": scope, "starts_on": starts, "ends_on": ends,
                                "violation_ids": [case["id"]], "reason": "性质测试"}),
                    )
                    .await;
                assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            }
        }
    }
}

/// For random sequences of approvals (and the engine's extensions), revocations, lifts and manual suspensions,
/// the answer from the materialised row equals the answer folded from the ledger and the sanctions, on every
/// day of the cycle.
#[test]
fn the_materialised_standing_equals_the_fold_on_every_day_of_the_cycle() {
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
    let mut cases = Vec::new();
    for op in &ops {
        apply(&app, op, &mut cases).await;
    }
    let cx = Ctx::new(app.clock.now(), Arc::new(app.config.clone()));
    let year = cx.cycle();
    let mut day = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    while chrono::Datelike::year(&day) == year {
        let path = format!("/api/v1/standing/{PHYSICIAN}?as_of={day}");
        let answer = app.get(&path, Role::Inspector).await.body;
        let expected: Standing = folded(&app.db.conn, &cx, PHYSICIAN, day)
            .await
            .expect("fold");
        let expected = serde_json::to_value(&expected).unwrap();
        for (field, value) in expected.as_object().unwrap() {
            assert_eq!(
                &answer[field], value,
                "{field} on {day} after {ops:?}: {answer}"
            );
        }
        day = day.succ_opt().unwrap();
    }
}
