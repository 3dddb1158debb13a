//! Handling tips and their rewards through the HTTP API (issue 21): taking up, linking cases, closing, the
//! reward proposed by the schedule, approved under four eyes, claimed with the claim code, paid or declined; every
//! refusal; first reporter only.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::tips::{
    CONTACT, MILLION_YUAN, PAYMENT, accept, case_from_tip, claim, follow, id_of, new_tip, submit,
    tip,
};

#[tokio::test]
async fn a_named_tip_goes_from_intake_to_a_paid_reward() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (number, code) = submit(&app, &new_tip(Some(CONTACT))).await;
    let id = id_of(&app, &number).await;
    let accepted = accept(&app, id).await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["handler"], "inspector-1");
    assert_eq!(accepted["named"], true);
    assert!(
        accepted["notify_due"].is_string(),
        "a named reporter is told"
    );
    assert!(accepted.get("contact").is_none());

    let case = case_from_tip(&app, id, MILLION_YUAN).await;
    let before = tip(&app, id).await;
    assert_eq!(before["case_ids"], json!([case]));
    assert!(before["reward"].is_null(), "no reward before approval");
    app.review_and_approve(case, json!({"points": 6})).await;

    let after = tip(&app, id).await;
    assert_eq!(after["state"], "closed", "its only case is decided");
    assert_eq!(after["reward"]["state"], "proposed");
    assert_eq!(after["reward"]["confirmed_fen"], MILLION_YUAN);
    assert_eq!(
        after["reward"]["proposed_fen"], 1_550_000,
        "¥15,500 by Sichuan's bands"
    );
    // The reporter sees the proposal only as a state, not yet an amount.
    let seen = follow(&app, &number, Some(&code)).await.body;
    assert_eq!(seen["state"], "closed");
    assert_eq!(seen["decision"], "accepted");
    assert!(seen["decided_on"].is_string() && seen["closed_on"].is_string());
    assert_eq!(seen["reward"]["state"], "proposed");
    assert!(seen["reward"]["amount_fen"].is_null());

    // Four eyes: whoever handled the tip may not decide its reward, whatever their role now.
    let handler_as_approver = app.token_for(Role::Approver, "inspector-1", None);
    let decision =
        json!({"outcome": "changed", "amount_fen": 1_600_000, "reason": "线索具体，查实金额大"});
    let path = format!("/api/v1/tips/{id}/reward/decision");
    let refused = app
        .send(
            Method::POST,
            &path,
            Some(&handler_as_approver),
            Some(&decision),
        )
        .await;
    refused.assert_problem(403);
    let decided = app.post(&path, Role::Approver, &decision).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert_eq!(decided.body["reward"]["state"], "approved");
    assert_eq!(decided.body["reward"]["amount_fen"], 1_600_000);
    app.post(&path, Role::Approver, &decision)
        .await
        .assert_problem(409);

    // The reporter gives payment details with the claim code alone.
    let claimed = claim(&app, &number, &code, &json!({"payment": PAYMENT})).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    assert_eq!(claimed.body["payment_details_given"], true);
    assert!(!claimed.body.to_string().contains("6216610000000000000"));
    claim(
        &app,
        &number,
        "AAAAA-AAAAA-AAAAA-AAAAA",
        &json!({"payment": PAYMENT}),
    )
    .await
    .assert_problem(404);

    // The handler reads the sealed details; each reading is an audit row without them.
    let details = app
        .get(&format!("/api/v1/tips/{id}/details"), Role::Inspector)
        .await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.body);
    assert_eq!(details.body["contact"], CONTACT);
    assert_eq!(details.body["payment"], PAYMENT);
    let audit = app.get("/api/v1/audit?limit=500", Role::Auditor).await;
    let readings = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "tip.details.read")
        .count();
    assert_eq!(readings, 1);
    assert!(!audit.body.to_string().contains("13800138000"));
    assert!(!audit.body.to_string().contains("6216610000000000000"));

    let payment = json!({"paid_on": medcredit::domain::dates::legal_date(chrono::Utc::now()), "reference": "ZF-2026-001"});
    let pay_path = format!("/api/v1/tips/{id}/reward/payment");
    let paid = app.post(&pay_path, Role::Approver, &payment).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["reward"]["state"], "paid");
    app.post(&pay_path, Role::Approver, &payment)
        .await
        .assert_problem(409);
    let seen = follow(&app, &number, Some(&code)).await.body;
    assert_eq!(seen["reward"]["state"], "paid");
    assert_eq!(seen["reward"]["amount_fen"], 1_600_000);
    assert!(seen["reward"]["paid_on"].is_string());
    // Paid: nothing more to claim or decline.
    claim(&app, &number, &code, &json!({"decline": true}))
        .await
        .assert_problem(409);

    // The register's statistics (举报台账): the tip received and accepted and its reward paid, with its amount;
    // nothing of the reporter.
    let stats = app.get("/api/v1/stats/tips", Role::Auditor).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let values = &stats.body["items"][0]["values"];
    assert_eq!(values["received"], 1, "{}", stats.body);
    assert_eq!(values["accepted"], 1, "{}", stats.body);
    assert_eq!(values["rewards_paid"], 1, "{}", stats.body);
    assert_eq!(values["rewards_paid_fen"], 1_600_000, "{}", stats.body);
    assert!(!stats.body.to_string().contains("13800138000"));
}

#[tokio::test]
async fn every_step_refuses_what_it_may_not_do() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (number, code) = submit(&app, &new_tip(None)).await;
    let id = id_of(&app, &number).await;
    let decide = format!("/api/v1/tips/{id}/decision");
    // Not taken up without a reason; taken up without a subject, or an unknown one.
    let response = app
        .post(
            &decide,
            Role::Inspector,
            &json!({"outcome": "not_accepted"}),
        )
        .await;
    assert_eq!(response.assert_problem(422)["errors"][0]["field"], "reason");
    let response = app
        .post(&decide, Role::Inspector, &json!({"outcome": "accepted"}))
        .await;
    assert_eq!(response.error_fields(), ["subject_code"]);
    let unknown = json!({"outcome": "accepted", "subject_code": "H99999999999"});
    assert_eq!(
        app.post(&decide, Role::Inspector, &unknown)
            .await
            .error_fields(),
        ["subject_code"]
    );
    // Reviewers and approvers do not take tips up.
    let not_accepted =
        json!({"outcome": "not_accepted", "reason": "举报内容不属于医保基金监管范围"});
    app.post(&decide, Role::Reviewer, &not_accepted)
        .await
        .assert_problem(403);
    let decided = app.post(&decide, Role::Inspector, &not_accepted).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    app.post(&decide, Role::Inspector, &not_accepted)
        .await
        .assert_problem(409);
    // The reporter reads the answer and its reason; a tip not taken up has no reward to claim.
    let seen = follow(&app, &number, Some(&code)).await.body;
    assert_eq!(seen["state"], "not_accepted");
    assert_eq!(seen["decision_reason"], "举报内容不属于医保基金监管范围");
    claim(&app, &number, &code, &json!({"payment": PAYMENT}))
        .await
        .assert_problem(409);
    // No case is linked to a tip not taken up.
    let case = app.record_case(INSTITUTION, "INST-OVERCHARGING").await;
    app.post(
        &format!("/api/v1/tips/{id}/cases"),
        Role::Inspector,
        &json!({"violation_id": case}),
    )
    .await
    .assert_problem(409);

    // An accepted tip: only its handler (or an admin) links cases; one case once; no reward to decide or pay yet.
    let (number, code) = submit(&app, &new_tip(None)).await;
    let id = id_of(&app, &number).await;
    accept(&app, id).await;
    let link = format!("/api/v1/tips/{id}/cases");
    let other = app.token_for(Role::Inspector, "inspector-2", None);
    let body = json!({"violation_id": case});
    app.send(Method::POST, &link, Some(&other), Some(&body))
        .await
        .assert_problem(403);
    assert_eq!(
        app.post(&link, Role::Inspector, &body).await.status,
        StatusCode::OK
    );
    app.post(&link, Role::Admin, &body)
        .await
        .assert_problem(409);
    let missing = json!({"violation_id": 999_999});
    assert_eq!(
        app.post(&link, Role::Inspector, &missing)
            .await
            .error_fields(),
        ["violation_id"]
    );
    let reason = json!({"outcome": "approved", "reason": "同意"});
    app.post(
        &format!("/api/v1/tips/{id}/reward/decision"),
        Role::Approver,
        &reason,
    )
    .await
    .assert_problem(409);
    let payment = json!({"paid_on": "2026-01-05", "reference": "ZF-1"});
    app.post(
        &format!("/api/v1/tips/{id}/reward/payment"),
        Role::Approver,
        &payment,
    )
    .await
    .assert_problem(409);
    claim(&app, &number, &code, &json!({"decline": true}))
        .await
        .assert_problem(409);
    claim(&app, &number, &code, &json!({}))
        .await
        .assert_problem(422);
    // Only the handler and admins read the details: another inspector, a reviewer, an auditor may not.
    let details = format!("/api/v1/tips/{id}/details");
    app.send(Method::GET, &details, Some(&other), None)
        .await
        .assert_problem(403);
    for role in [Role::Reviewer, Role::Approver, Role::Auditor] {
        app.get(&details, role).await.assert_problem(403);
    }
    assert_eq!(app.get(&details, Role::Admin).await.status, StatusCode::OK);
    // A rejected case closes the tip, without a reward.
    app.post(
        &format!("/api/v1/violations/{case}/reject"),
        Role::Reviewer,
        &json!({"reason": "证据不足"}),
    )
    .await;
    let closed = tip(&app, id).await;
    assert_eq!(closed["state"], "closed");
    assert!(closed["reward"].is_null());
}

#[tokio::test]
async fn only_the_first_reporter_of_new_facts_is_rewarded() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // Facts the authority already had: a case recorded before the tip arrived.
    let known = app.record_case(INSTITUTION, "INST-OVERCHARGING").await;
    let (first, _) = submit(&app, &new_tip(None)).await;
    let (second, _) = submit(&app, &new_tip(None)).await;
    let (first, second) = (id_of(&app, &first).await, id_of(&app, &second).await);
    accept(&app, first).await;
    accept(&app, second).await;
    let case = case_from_tip(&app, second, 5_000_000).await;
    // The earlier tip is linked to the same case later: it is still the first report of it.
    let link = json!({"violation_id": case});
    let response = app
        .post(
            &format!("/api/v1/tips/{first}/cases"),
            Role::Inspector,
            &link,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let known_link = json!({"violation_id": known});
    app.post(
        &format!("/api/v1/tips/{second}/cases"),
        Role::Inspector,
        &known_link,
    )
    .await;
    app.review_and_approve(case, json!({"points": 6})).await;
    app.review_and_approve(known, json!({"points": 6})).await;
    // ¥50,000 × 2% = ¥1,000 to the first reporter; nothing to the second, for either case.
    let first = tip(&app, first).await;
    assert_eq!(first["reward"]["proposed_fen"], 100_000, "{first}");
    let second = tip(&app, second).await;
    assert!(second["reward"].is_null(), "{second}");
    assert_eq!(second["state"], "closed");
}

#[tokio::test]
async fn a_reward_follows_the_cases_until_it_is_decided_and_may_be_declined() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (number, code) = submit(&app, &new_tip(None)).await;
    let id = id_of(&app, &number).await;
    accept(&app, id).await;
    let small = case_from_tip(&app, id, 500_000).await;
    let large = case_from_tip(&app, id, 5_000_000).await;
    app.review_and_approve(small, json!({"points": 6})).await;
    // ¥5,000 × 2% = ¥100, below the floor: ¥200. One case still open: not closed.
    let one = tip(&app, id).await;
    assert_eq!(one["reward"]["proposed_fen"], 20_000);
    assert_eq!(one["state"], "accepted");
    app.review_and_approve(large, json!({"points": 6})).await;
    // ¥55,000 × 2% = ¥1,100.
    let both = tip(&app, id).await;
    assert_eq!(both["reward"]["proposed_fen"], 110_000);
    assert_eq!(both["state"], "closed");
    let declined = claim(&app, &number, &code, &json!({"decline": true})).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(declined.body["reward"]["state"], "declined");
    let reason = json!({"outcome": "approved", "reason": "同意"});
    app.post(
        &format!("/api/v1/tips/{id}/reward/decision"),
        Role::Approver,
        &reason,
    )
    .await
    .assert_problem(409);
}

#[tokio::test]
async fn a_reporter_who_asks_for_the_reward_later_gets_what_was_confirmed() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut body = new_tip(None);
    body["wants_reward"] = json!(false);
    let (number, code) = submit(&app, &body).await;
    let id = id_of(&app, &number).await;
    accept(&app, id).await;
    let case = case_from_tip(&app, id, MILLION_YUAN).await;
    app.review_and_approve(case, json!({"points": 6})).await;
    assert!(
        tip(&app, id).await["reward"].is_null(),
        "no reward asked for"
    );
    let claimed = claim(&app, &number, &code, &json!({"payment": PAYMENT})).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    assert_eq!(claimed.body["reward"]["state"], "proposed");
    assert_eq!(tip(&app, id).await["reward"]["proposed_fen"], 1_550_000);
}
