//! Texts the service writes (a black-list entry's exit conditions, the engine's reasons) are kept as catalogue
//! keys and arguments, so every reader reads them in their own language, wherever they read them: the entry,
//! the list, the public page, the change feed, a notice. Words a person typed read as typed in both.

use crate::helpers::*;
use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// `path` read by `role` in Chinese (no `Accept-Language`, as `curl` sends) and in English.
async fn both(app: &TestApp, path: &str, role: Option<Role>) -> (TestResponse, TestResponse) {
    let token = role.map(|role| app.token(role));
    let chinese = app
        .in_language(None)
        .send(Method::GET, path, token.as_deref(), None)
        .await;
    let english = app.send(Method::GET, path, token.as_deref(), None).await;
    assert_eq!(chinese.status, StatusCode::OK, "{path}: {}", chinese.body);
    assert_eq!(english.status, StatusCode::OK, "{path}: {}", english.body);
    (chinese, english)
}

/// The text of a page (HTML) in the language `language` asks for (the test client's default is English).
async fn page(app: &TestApp, path: &str, role: Option<Role>, language: Option<&str>) -> String {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(role) = role {
        request = request.bearer_auth(app.token(role));
    }
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a text: {value}"))
}

/// Chinese exit conditions of a black-list entry, and their English twin.
fn assert_exit_conditions(chinese: &Value, english: &Value, expires_on: &str) {
    let (zh, en) = (text(chinese), text(english));
    assert!(zh.starts_with("最迟于") && zh.contains(expires_on), "{zh}");
    assert!(zh.contains("信用修复") && !zh.contains("Ends on"), "{zh}");
    assert!(en.starts_with("Ends on") && en.contains(expires_on), "{en}");
}

#[tokio::test]
async fn exit_conditions_and_the_engines_reasons_read_in_the_readers_language_everywhere() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // Twelve points from one event: the engine terminates the qualification and black-lists the practitioner.
    app.approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;

    // The automatic sanction's reason.
    let path = format!("/api/v1/sanctions?subject_code={PHYSICIAN}");
    let (zh, en) = both(&app, &path, Some(Role::Auditor)).await;
    // The first is the interview the 12 points also call for; the termination follows it.
    let (zh_sanction, en_sanction) = (&zh.body["items"][1], &en.body["items"][1]);
    assert_eq!(zh_sanction["type"], "qualification_termination");
    assert_eq!(
        zh_sanction["type"], en_sanction["type"],
        "codes never change"
    );
    let reason = text(&zh_sanction["reason"]);
    assert!(
        reason.contains("一次记满 12 分") && reason.contains("终止医保支付资格"),
        "{reason}"
    );
    let reason = text(&en_sanction["reason"]);
    assert!(
        reason.contains("12 points") && reason.contains("single event"),
        "{reason}"
    );
    let sanction = zh_sanction["id"].as_i64().unwrap();
    let (zh, en) = both(
        &app,
        &format!("/api/v1/sanctions/{sanction}"),
        Some(Role::Auditor),
    )
    .await;
    assert!(text(&zh.body["reason"]).contains("终止医保支付资格"));
    assert!(text(&en.body["reason"]).contains("terminated"));

    // The entry, in the list and on its own.
    let (zh, en) = both(&app, "/api/v1/lists/black", Some(Role::Partner)).await;
    let (zh_entry, en_entry) = (&zh.body["items"][0], &en.body["items"][0]);
    let expires_on = text(&zh_entry["expires_on"]).to_string();
    assert_exit_conditions(
        &zh_entry["exit_conditions"],
        &en_entry["exit_conditions"],
        &expires_on,
    );
    assert!(text(&zh_entry["reason"]).contains("一次记满 12 分"));
    assert!(text(&en_entry["reason"]).contains("from a single event"));
    assert_eq!(zh_entry["measures"], en_entry["measures"]);
    assert_eq!(zh_entry["remedies"], en_entry["remedies"]);
    let id = zh_entry["id"].as_i64().unwrap();
    let (zh, en) = both(
        &app,
        &format!("/api/v1/lists/black/{id}"),
        Some(Role::Approver),
    )
    .await;
    assert_exit_conditions(
        &zh.body["exit_conditions"],
        &en.body["exit_conditions"],
        &expires_on,
    );
    // Its history is the change log's rows, re-read in the reader's language too.
    let history = &zh.body["history"][0]["value"];
    assert!(
        text(&history["exit_conditions"]).starts_with("最迟于"),
        "{history}"
    );
    assert!(text(&en.body["history"][0]["value"]["exit_conditions"]).starts_with("Ends on"));

    // The public list and its page.
    let (zh, en) = both(&app, "/public/v1/blacklist", None).await;
    assert_exit_conditions(
        &zh.body["items"][0]["exit_conditions"],
        &en.body["items"][0]["exit_conditions"],
        &expires_on,
    );
    let chinese = page(&app, "/public/blacklist", None, Some("zh-CN")).await;
    assert!(
        chinese.contains(&format!("最迟于 {expires_on} 期满移出")),
        "{chinese}"
    );
    let english = page(&app, "/public/blacklist", None, Some("en")).await;
    assert!(
        english.contains(&format!("Ends on {expires_on} at the latest")),
        "{english}"
    );
    assert!(!english.contains("期满移出"));

    // The change feed: the rows were written once, and read in each reader's language.
    let (zh, en) = both(
        &app,
        "/api/v1/changes?after=0&limit=500",
        Some(Role::Partner),
    )
    .await;
    let row = |body: &Value, entity: &str| -> Value {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["entity"] == entity && c["value"]["type"] != "interview")
            .unwrap_or_else(|| panic!("no {entity} row: {body}"))["value"]
            .clone()
    };
    let (zh_row, en_row) = (row(&zh.body, "list_entry"), row(&en.body, "list_entry"));
    assert_exit_conditions(
        &zh_row["exit_conditions"],
        &en_row["exit_conditions"],
        &expires_on,
    );
    let (zh_row, en_row) = (row(&zh.body, "sanction"), row(&en.body, "sanction"));
    assert!(text(&zh_row["reason"]).contains("终止医保支付资格"));
    assert!(text(&en_row["reason"]).contains("single event"));

    // The printable notice of the entry.
    let path = format!("/api/v1/lists/black/{id}/notice");
    let chinese = page(&app, &path, Some(Role::Auditor), Some("zh-CN")).await;
    assert!(chinese.contains(&format!("最迟于 {expires_on} 期满移出")));
    let english = page(&app, &path, Some(Role::Auditor), Some("en")).await;
    assert!(english.contains(&format!("Ends on {expires_on} at the latest")));
}

#[tokio::test]
async fn words_a_person_typed_and_rows_written_before_read_as_written_in_every_language() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app.grounds(INSTITUTION).await;
    // A reason that happens to look like a stored message is still the approver's words.
    let typed = r#"{"key":"list-exit-red","args":{"expires_on":"2030-01-01"}}"#;
    let today = chrono::Utc::now().date_naive();
    let listed = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &json!({"subject_code": INSTITUTION, "reason": typed, "violation_ids": [case],
                    "listed_on": today}),
        )
        .await;
    assert_eq!(listed.status, StatusCode::CREATED, "{}", listed.body);
    let id = listed.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/lists/black/{id}");
    let (zh, en) = both(&app, &path, Some(Role::Auditor)).await;
    assert_eq!(zh.body["reason"], typed);
    assert_eq!(en.body["reason"], typed);
    let removed = app
        .post(
            &format!("{path}/remove"),
            Role::Admin,
            &json!({"reason": "已整改到位"}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let (zh, en) = both(&app, &path, Some(Role::Auditor)).await;
    assert_eq!(zh.body["end_reason"], "已整改到位");
    assert_eq!(en.body["end_reason"], "已整改到位");

    // An entry written before texts were kept as keys shows its text as it was written.
    let old = "Ends on 2029-03-01 at the latest (written before).";
    let sql = format!("UPDATE list_entries SET exit_conditions = '{old}' WHERE id = {id}");
    app.db.conn.execute_unprepared(&sql).await.unwrap();
    let (zh, en) = both(&app, &path, Some(Role::Auditor)).await;
    assert_eq!(zh.body["exit_conditions"], old);
    assert_eq!(en.body["exit_conditions"], old);
}

#[tokio::test]
async fn a_webhook_delivery_reads_in_chinese_whatever_language_the_change_was_made_in() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = crate::webhooks::receiver().await;
    crate::webhooks::subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    // The approver's client asks for English; the delivery is written once, for a subscriber with no language.
    crate::webhooks::blacklist(&app, INSTITUTION).await;
    let outbound = app.outbound();
    let outcome = medcredit::worker::outbox::deliver_due(&app.db, &outbound, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(outcome.delivered, 1);
    let (_, body) = got.got.lock().unwrap()[0].clone();
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["event"], "list.added");
    let exit = text(&event["data"]["exit_conditions"]);
    assert!(
        exit.starts_with("最迟于") && exit.contains("期满移出"),
        "{exit}"
    );
    assert_eq!(
        event["data"]["reason"], "骗保",
        "the approver's words as written"
    );
}
