//! Second review (复审): the draw, four eyes, confirming and overturning, a suspect awaiting it that cannot be
//! closed, the 5% floor over a large sample; bulk triage, all or nothing; the change feed, staff only.

use medcredit::auth::Role;
use medcredit::domain::policy::SuspicionPolicy;
use medcredit::domain::suspicions::drawn;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{BEFORE_HOLIDAYS, IMPORT, always_reviewing, ids, read, receive, step, suspect};
use crate::helpers::*;

#[tokio::test]
async fn a_reviewer_other_than_the_triager_confirms_or_overturns() {
    let (app, _policy) = always_reviewing().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let dismissed = receive(&app, &suspect("R-1", "R-DUP", 100)).await;
    let explained = receive(&app, &suspect("R-2", "R-DUP", 100)).await;

    let triage = json!({"outcome": "dismissed", "reason": "规则误报"});
    let decided = step(&app, dismissed, "triage", Role::Inspector, triage).await;
    assert_eq!(decided.body["second_review"]["state"], "awaiting");
    assert_eq!(decided.body["second_review"]["due"], "2026-10-09");
    assert_eq!(decided.body["closed"], false, "awaiting its second review");
    assert_eq!(
        ids(&app, "awaiting_review=true", Role::Reviewer).await,
        vec![dismissed]
    );

    // The triager may not review their own decision; an overturn needs a reason.
    let triager = app.token_for(Role::Reviewer, "inspector-1", None);
    let path = format!("/api/v1/suspicions/{dismissed}/second-review");
    let overturn = json!({"outcome": "overturned", "reason": "收费明细显示确有重复"});
    app.send(Method::POST, &path, Some(&triager), Some(&overturn))
        .await
        .assert_problem(403);
    step(
        &app,
        dismissed,
        "second-review",
        Role::Reviewer,
        json!({"outcome": "overturned"}),
    )
    .await
    .assert_problem(422);
    step(
        &app,
        dismissed,
        "second-review",
        Role::Inspector,
        overturn.clone(),
    )
    .await
    .assert_problem(403);
    let overturned = step(&app, dismissed, "second-review", Role::Reviewer, overturn).await;
    assert_eq!(overturned.status, StatusCode::OK, "{}", overturned.body);
    assert_eq!(overturned.body["state"], "to_explain");
    assert_eq!(overturned.body["explain_due"], "2026-10-15");
    assert_eq!(overturned.body["second_review"]["state"], "overturned");

    // Sent for explanation and answered, it still cannot be verified until its review is done.
    let decided = step(
        &app,
        explained,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await;
    assert_eq!(decided.body["second_review"]["state"], "awaiting");
    let answered = step(
        &app,
        explained,
        "explanation",
        Role::Hospital,
        json!({"text": "已退费"}),
    )
    .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    let clear = json!({"outcome": "cleared", "reason": "已退费"});
    step(
        &app,
        explained,
        "verification",
        Role::Inspector,
        clear.clone(),
    )
    .await
    .assert_problem(409);
    let confirm = json!({"outcome": "confirmed"});
    let confirmed = step(&app, explained, "second-review", Role::Reviewer, confirm).await;
    assert_eq!(confirmed.body["closed"], false, "to_verify is not final");
    let cleared = step(&app, explained, "verification", Role::Inspector, clear).await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(
        cleared.body["closed"], true,
        "a clearance under the policy amount closes at once"
    );
}

#[tokio::test]
async fn overturning_a_conversion_rejects_its_case_and_large_clearances_are_always_reviewed() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let policy = SuspicionPolicy::default();
    // Ids not drawn at triage, so that only the verification sends them to review.
    let mut undrawn = Vec::new();
    for n in 1.. {
        let id = receive(&app, &suspect(&format!("C-{n}"), "R-DUP", 2_000_000)).await;
        if !drawn(id, &policy) {
            undrawn.push(id);
        }
        if undrawn.len() == 2 {
            break;
        }
    }
    let [converted, cleared] = [undrawn[0], undrawn[1]];
    for id in [converted, cleared] {
        let triaged = step(
            &app,
            id,
            "triage",
            Role::Inspector,
            json!({"outcome": "to_explain"}),
        )
        .await;
        assert!(triaged.body["second_review"].is_null(), "{}", triaged.body);
        step(
            &app,
            id,
            "explanation",
            Role::Hospital,
            json!({"text": "说明"}),
        )
        .await;
    }
    let convert = json!({"outcome": "converted", "type_code": "INST-DUPLICATE-BILLING"});
    let done = step(&app, converted, "verification", Role::Inspector, convert).await;
    let case = done.body["violation_id"].as_i64().unwrap();
    let overturn = json!({"outcome": "overturned", "reason": "证据不足"});
    let back = step(&app, converted, "second-review", Role::Reviewer, overturn).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["state"], "to_verify");
    assert!(back.body["violation_id"].is_null());
    let case = app
        .get(&format!("/api/v1/violations/{case}"), Role::Inspector)
        .await;
    assert_eq!(case.body["state"], "rejected");

    // ¥20,000 is above the policy's ¥10,000: this clearance is reviewed whatever the draw.
    let clear = json!({"outcome": "cleared", "reason": "已退费"});
    let done = step(&app, cleared, "verification", Role::Inspector, clear).await;
    assert_eq!(done.body["second_review"]["state"], "awaiting");
    assert_eq!(done.body["closed"], false);
}

#[tokio::test]
async fn at_least_five_per_cent_of_triage_decisions_are_drawn_reproducibly() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let rows: Vec<String> = (1..=5000)
        .map(|n| serde_json::to_string(&suspect(&format!("S-{n}"), "R-DUP", 100)).unwrap())
        .collect();
    let token = app.token(Role::Inspector);
    let imported = app
        .send_raw(
            IMPORT,
            Some(&token),
            "application/x-ndjson",
            rows.join("\n"),
        )
        .await;
    assert_eq!(imported.body["rows_imported"], 5000, "{}", imported.body);
    let mut review_ids = Vec::new();
    for first in (1..=5000).step_by(1000) {
        let batch: Vec<i64> = (first..first + 1000).collect();
        let body = json!({"ids": batch, "outcome": "dismissed", "reason": "批量排除"});
        let response = app
            .post("/api/v1/suspicions:triage", Role::Inspector, &body)
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        assert_eq!(response.body["decided"], 1000);
        review_ids.extend(
            response.body["review_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap()),
        );
    }
    assert!(
        review_ids.len() >= 250,
        "{} of 5000 drawn",
        review_ids.len()
    );
    // The same ids as the policy's seed draws, and the list says so too.
    let expected: Vec<i64> = (1..=5000)
        .filter(|id| drawn(*id, &SuspicionPolicy::default()))
        .collect();
    assert_eq!(review_ids, expected);
    let mut listed = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/suspicions?awaiting_review=true&limit=500{cursor}"),
                Role::Reviewer,
            )
            .await;
        listed.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_i64().unwrap()),
        );
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn bulk_triage_is_all_or_nothing() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let mut all = Vec::new();
    for n in 1..=4 {
        all.push(receive(&app, &suspect(&format!("B-{n}"), "R-DUP", 100)).await);
    }
    let first = json!({"ids": [all[0]], "outcome": "to_explain"});
    let done = app
        .post("/api/v1/suspicions:triage", Role::Inspector, &first)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    // One not pending: nothing of the batch is triaged.
    let mixed =
        json!({"ids": [all[1], all[0], all[2]], "outcome": "dismissed", "reason": "批量排除"});
    app.post("/api/v1/suspicions:triage", Role::Inspector, &mixed)
        .await
        .assert_problem(409);
    assert_eq!(read(&app, all[1]).await["state"], "pending");
    let unknown = json!({"ids": [all[1], 99_999], "outcome": "to_explain"});
    let refused = app
        .post("/api/v1/suspicions:triage", Role::Inspector, &unknown)
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["ids[1]".to_string()]);
    let twice = json!({"ids": [all[1], all[1]], "outcome": "to_explain"});
    app.post("/api/v1/suspicions:triage", Role::Inspector, &twice)
        .await
        .assert_problem(422);
    let too_many = json!({"ids": (1..=1001).collect::<Vec<i64>>(), "outcome": "to_explain"});
    app.post("/api/v1/suspicions:triage", Role::Inspector, &too_many)
        .await
        .assert_problem(422);
    let empty = json!({"ids": [], "outcome": "to_explain"});
    app.post("/api/v1/suspicions:triage", Role::Inspector, &empty)
        .await
        .assert_problem(422);
    for role in [Role::Hospital, Role::Partner, Role::Reviewer] {
        app.post("/api/v1/suspicions:triage", role, &mixed)
            .await
            .assert_problem(403);
    }
    let rest = json!({"ids": [all[1], all[2], all[3]], "outcome": "to_explain"});
    let done = app
        .post("/api/v1/suspicions:triage", Role::Inspector, &rest)
        .await;
    assert_eq!(done.body["decided"], 3);
    assert_eq!(ids(&app, "state=to_explain", Role::Inspector).await, all);
}

#[tokio::test]
async fn the_change_feed_tells_staff_alone_about_suspects() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let id = receive(&app, &suspect("F-1", "R-DUP", 100)).await;
    step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "to_explain"}),
    )
    .await;
    let entity_rows = |body: &serde_json::Value| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["entity"] == "suspicion")
            .count()
    };
    let staff = app.get("/api/v1/changes?limit=500", Role::Auditor).await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert!(entity_rows(&staff.body) >= 2, "{}", staff.body);
    for role in [Role::Partner, Role::Hospital] {
        let feed = app.get("/api/v1/changes?limit=500", role).await;
        assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
        assert_eq!(entity_rows(&feed.body), 0, "{role:?}");
        assert!(!feed.body.to_string().contains("F-1"));
    }
    // Standing rows are not written for suspects.
    let standing_rows = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "standing")
        .count();
    let after = app.get("/api/v1/changes?limit=500", Role::Auditor).await;
    let again = after.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "standing")
        .count();
    assert_eq!(standing_rows, again);
}

#[tokio::test]
async fn the_work_queue_offers_suspects_to_whoever_may_act_on_them() {
    let (app, _policy) = always_reviewing().await;
    app.seed_registry().await;
    app.set_now(BEFORE_HOLIDAYS);
    let id = receive(&app, &suspect("Q-1", "R-DUP", 100)).await;
    let kinds = |body: &serde_json::Value| -> Vec<(String, i64)> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| Some((t["kind"].as_str()?.to_string(), t["suspicion_id"].as_i64()?)))
            .collect()
    };
    let inspector = app.get("/api/v1/tasks", Role::Inspector).await;
    assert_eq!(
        kinds(&inspector.body),
        vec![("suspicion_triage".to_string(), id)]
    );
    assert_eq!(inspector.body["items"][0]["due_on"], "2026-10-09");
    step(
        &app,
        id,
        "triage",
        Role::Inspector,
        json!({"outcome": "dismissed", "reason": "误报"}),
    )
    .await;
    let reviewer = app.get("/api/v1/tasks", Role::Reviewer).await;
    assert_eq!(
        kinds(&reviewer.body),
        vec![("suspicion_review".to_string(), id)]
    );
    // Four eyes: the triager, holding a reviewer's token, is not offered their own decision.
    let triager = app.token_for(Role::Reviewer, "inspector-1", None);
    let theirs = app
        .send(Method::GET, "/api/v1/tasks", Some(&triager), None)
        .await;
    assert!(kinds(&theirs.body).is_empty(), "{}", theirs.body);
    assert!(kinds(&app.get("/api/v1/tasks", Role::Inspector).await.body).is_empty());
}
