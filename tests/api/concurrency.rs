//! Racing posts of one `Idempotency-Key` (DESIGN §4). A client that retries on a timeout may have its first
//! request still in flight, so the same key arrives several times at once: one case may come of it, every
//! same-body post must see that case, and a different body must be refused rather than stored beside it.

use std::sync::Arc;

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::Barrier;

use crate::helpers::*;

const KEY: &str = "case-2026-race";

/// What one racing post got back.
struct Answer {
    status: StatusCode,
    replayed: bool,
    body: Value,
}

/// Posts every body with the same key at once: each request waits on a barrier, so all are in flight together.
async fn race(api: &Api, bodies: &[Value]) -> Vec<Answer> {
    let barrier = Arc::new(Barrier::new(bodies.len()));
    let token = api.token(Role::Inspector);
    let tasks: Vec<_> = bodies
        .iter()
        .map(|body| {
            let request = api
                .client
                .post(format!("{}/api/v1/violations", api.address))
                .bearer_auth(&token)
                .header("Idempotency-Key", KEY)
                .json(body);
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let response = request.send().await.expect("the server answers");
                let status = response.status();
                let replayed = response.headers().contains_key("idempotent-replayed");
                let body = response.json().await.expect("a JSON body");
                Answer {
                    status,
                    replayed,
                    body,
                }
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("request task"));
    }
    answers
}

async fn stored_cases(app: &TestApp) -> Vec<Value> {
    let list = app.get("/api/v1/violations", Role::Auditor).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["items"].as_array().cloned().expect("items")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_posted_eight_times_at_once_records_one_case() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let body = case_body(INSTITUTION, "INST-OVERCHARGING");
    let answers = race(&app, &vec![body; 8]).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let id = &answers[0].body["id"];
    assert!(id.is_i64(), "{}", answers[0].body);
    assert!(answers.iter().all(|a| &a.body["id"] == id));
    let created = answers.iter().filter(|a| !a.replayed).count();
    assert_eq!(created, 1, "one post creates, the others are replays");
    let stored = stored_cases(&app).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(&stored[0]["id"], id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bodies_racing_on_one_key_store_one_and_refuse_the_other() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut first = case_body(INSTITUTION, "INST-OVERCHARGING");
    first["description"] = "超标准收费（甲）".into();
    let mut second = first.clone();
    second["description"] = "超标准收费（乙）".into();
    let bodies: Vec<Value> = (0..8)
        .map(|i| if i % 2 == 0 { &first } else { &second }.clone())
        .collect();
    let answers = race(&app, &bodies).await;

    let stored = stored_cases(&app).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let winner = &stored[0];
    assert!(
        winner["description"] == first["description"]
            || winner["description"] == second["description"],
        "{winner}"
    );
    for (body, answer) in bodies.iter().zip(&answers) {
        if body["description"] == winner["description"] {
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
            assert_eq!(answer.body["id"], winner["id"]);
            assert_eq!(answer.body["description"], winner["description"]);
        } else {
            assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
            assert_eq!(answer.body["status"], 409);
        }
    }
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED && !a.replayed)
        .count();
    assert_eq!(created, 1, "exactly one post stored its body");
}
