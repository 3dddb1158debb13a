//! Rule quality against counted fixtures: per rule, counts by state, precision, median days per step and
//! amounts; and the share of decisions second-reviewed per month.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use super::{always_reviewing, receive, step, suspect};

const STATS: &str = "/api/v1/suspicions/stats?group_by=rule_code&from=2026-09-01&to=2026-09-30";

#[tokio::test]
async fn each_rule_s_precision_steps_and_amounts_are_counted() {
    let (app, _policy) = always_reviewing().await;
    app.seed_registry().await;
    // Day 0: six suspects of two rules.
    app.set_now("2026-09-01T02:00:00Z");
    let mut a = Vec::new();
    for (n, amount) in [100, 200, 300, 400].into_iter().enumerate() {
        a.push(receive(&app, &suspect(&format!("A-{n}"), "R-A", amount)).await);
    }
    let b1 = receive(&app, &suspect("B-1", "R-B", 1000)).await;
    let b2 = receive(&app, &suspect("B-2", "R-B", 2000)).await;
    // Day 1: triage; day 2: every triage confirmed on second review (the policy reviews them all).
    app.set_now("2026-09-02T02:00:00Z");
    let dismiss = json!({"outcome": "dismissed", "reason": "规则误报"});
    for id in [a[0], b1, b2] {
        step(&app, id, "triage", Role::Inspector, dismiss.clone()).await;
    }
    for id in [a[1], a[2]] {
        step(
            &app,
            id,
            "triage",
            Role::Inspector,
            json!({"outcome": "to_explain"}),
        )
        .await;
    }
    app.set_now("2026-09-03T02:00:00Z");
    for id in [a[0], a[1], a[2], b1, b2] {
        let done = step(
            &app,
            id,
            "second-review",
            Role::Reviewer,
            json!({"outcome": "confirmed"}),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
    // Day 3: the institution answers; day 6: one converted, one cleared; day 7: the conversion confirmed.
    app.set_now("2026-09-04T02:00:00Z");
    for id in [a[1], a[2]] {
        step(
            &app,
            id,
            "explanation",
            Role::Hospital,
            json!({"text": "说明"}),
        )
        .await;
    }
    app.set_now("2026-09-07T02:00:00Z");
    let convert = json!({"outcome": "converted", "type_code": "INST-DUPLICATE-BILLING"});
    step(&app, a[1], "verification", Role::Inspector, convert).await;
    let clear = json!({"outcome": "cleared", "reason": "已退费"});
    step(&app, a[2], "verification", Role::Inspector, clear).await;
    app.set_now("2026-09-08T02:00:00Z");
    step(
        &app,
        a[1],
        "second-review",
        Role::Reviewer,
        json!({"outcome": "confirmed"}),
    )
    .await;

    let stats = app.get(STATS, Role::Auditor).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let rules = stats.body["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    let rule_a = &rules[0];
    assert_eq!(rule_a["rule_code"], "R-A");
    assert_eq!(rule_a["total"], 4);
    assert_eq!(
        rule_a["by_state"],
        json!({"pending": 1, "dismissed": 1, "cleared": 1, "converted": 1})
    );
    assert!((rule_a["precision"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        rule_a["median_days"],
        json!({"triage": 1.0, "explanation": 2.0, "verification": 3.0, "second_review": 1.0})
    );
    assert_eq!(rule_a["amount_fen"], 1000);
    assert_eq!(rule_a["converted_amount_fen"], 200);
    let rule_b = &rules[1];
    assert_eq!(rule_b["by_state"], json!({"dismissed": 2}));
    assert_eq!(rule_b["precision"], 0.0);
    assert_eq!(rule_b["median_days"]["explanation"], json!(null));
    assert_eq!(rule_b["amount_fen"], 3000);
    // Seven decisions in September (five triages, two verifications): the five triages and the conversion
    // were second-reviewed; the small clearance was not.
    assert_eq!(
        stats.body["second_review_by_month"],
        json!([{"month": "2026-09", "decisions": 7, "reviewed": 6, "share": 6.0 / 7.0}])
    );
    // Another period holds none of them; a period backwards or too long is refused.
    let empty = app
        .get(
            "/api/v1/suspicions/stats?group_by=rule_code&from=2026-10-01&to=2026-10-31",
            Role::Inspector,
        )
        .await;
    assert_eq!(empty.body["rules"], json!([]));
    for query in [
        "from=2026-09-30&to=2026-09-01",
        "from=2020-01-01&to=2026-09-01",
    ] {
        app.get(
            &format!("/api/v1/suspicions/stats?group_by=rule_code&{query}"),
            Role::Inspector,
        )
        .await
        .assert_problem(422);
    }
    // A query the parameters cannot say is a 400, as for every list.
    for query in [
        "group_by=subject&from=2026-09-01&to=2026-09-30",
        "group_by=rule_code&from=2026-9-1&to=2026-09-30",
    ] {
        app.get(
            &format!("/api/v1/suspicions/stats?{query}"),
            Role::Inspector,
        )
        .await
        .assert_problem(400);
    }
}
