//! Printable notices (行政处理告知书, issue 24): an approved case, a sanction and a black-list entry each have
//! an HTML page to print, in Chinese by default, that names the subject, the facts, the basis, the decision and
//! the remedies with their deadlines. Staff read them; a hospital its own; nobody else.

use chrono::{Datelike, Days, Utc};
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

async fn page(app: &TestApp, path: &str, token: Option<&str>, language: Option<&str>) -> Page {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    let response = request.send().await.unwrap();
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

fn long(day: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

#[tokio::test]
async fn an_approved_case_has_a_notice_in_chinese_with_every_remedy_and_its_deadline() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let case = app
        .approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    let id = case["id"].as_i64().unwrap();
    let staff = app.token(Role::Inspector);
    let notice = page(
        &app,
        &format!("/api/v1/violations/{id}/notice"),
        Some(&staff),
        Some("zh-CN"),
    )
    .await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.text);
    assert!(
        notice.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = notice.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(notice.headers["x-content-type-options"], "nosniff");
    let text = &notice.text;
    assert!(text.contains("<html lang=\"zh-CN\">"), "{text}");
    assert!(text.contains("医疗保障行政处理告知书"));
    assert!(
        text.contains("张三") && text.contains(PHYSICIAN),
        "the subject is named"
    );
    assert!(
        text.contains(case["description"].as_str().unwrap()),
        "the facts"
    );
    assert!(text.contains("记分"), "the decision");
    let approved = legal_date(Utc::now());
    for remedy in ["申诉", "行政复议", "行政诉讼", "信用修复"] {
        assert!(text.contains(remedy), "{remedy} in {text}");
    }
    // Administrative review: 60 days from the decision.
    assert!(text.contains(&long(approved + Days::new(60))), "{text}");
    assert!(
        !text.contains("inspector-1") && !text.contains("approver-1"),
        "no staff identity"
    );

    let english = page(
        &app,
        &format!("/api/v1/violations/{id}/notice"),
        Some(&staff),
        Some("en"),
    )
    .await;
    assert!(english.text.contains("<html lang=\"en\">"));
    assert!(
        english.text.contains("administrative review"),
        "{}",
        english.text
    );
}

#[tokio::test]
async fn sanctions_and_black_list_entries_have_notices_and_text_is_escaped() {
    let app = spawn_app().await;
    app.register(institution(INSTITUTION, "<script>alert(1)</script>医院"))
        .await;
    crate::webhooks::blacklist(&app, INSTITUTION).await;
    let entries = app.get("/api/v1/lists/black", Role::Auditor).await;
    let entry = entries.body["items"][0]["id"].as_i64().unwrap();
    let cases = entries.body["items"][0]["violation_ids"].clone();
    let staff = app.token(Role::Auditor);
    let notice = page(
        &app,
        &format!("/api/v1/lists/black/{entry}/notice"),
        Some(&staff),
        Some("zh-CN"),
    )
    .await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.text);
    assert!(notice.text.contains("严重失信主体名单列入告知书"));
    assert!(notice.text.contains("退出条件") && notice.text.contains("惩戒措施"));
    assert!(!notice.text.contains("<script>"), "names are escaped");
    assert!(notice.text.contains("&#60;script&#62;"));

    let sanction = app
        .post(
            "/api/v1/sanctions",
            Role::Approver,
            &json!({"subject_code": INSTITUTION, "type": "interview", "reason": "约谈负责人",
                    "starts_on": legal_date(Utc::now()), "violation_ids": cases}),
        )
        .await;
    assert_eq!(sanction.status, StatusCode::CREATED, "{}", sanction.body);
    let id = sanction.body["id"].as_i64().unwrap();
    let notice = page(
        &app,
        &format!("/api/v1/sanctions/{id}/notice"),
        Some(&staff),
        Some("zh-CN"),
    )
    .await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.text);
    assert!(notice.text.contains("约谈负责人"));
}

#[tokio::test]
async fn only_staff_and_the_subjects_own_hospital_read_a_notice() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let own = app.grounds(PHYSICIAN).await;
    let other = app.grounds(OTHER_INSTITUTION).await;
    let pending = app
        .record_case(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
        .await;
    let hospital = app.token(Role::Hospital);
    let path = |id: i64| format!("/api/v1/violations/{id}/notice");

    assert_eq!(
        page(&app, &path(own), Some(&hospital), None).await.status,
        StatusCode::OK
    );
    // Another institution's case and a case that does not exist: one and the same 403.
    let theirs = page(&app, &path(other), Some(&hospital), Some("en")).await;
    let none = page(&app, &path(999_999), Some(&hospital), Some("en")).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    assert_eq!(theirs.text, none.text);
    // Partners and anonymous callers read none.
    let partner = app.token(Role::Partner);
    assert_eq!(
        page(&app, &path(own), Some(&partner), None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        page(&app, &path(own), None, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A case not yet approved has no notice; staff are told why.
    let staff = app.token(Role::Inspector);
    assert_eq!(
        page(&app, &path(pending), Some(&staff), None).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        page(&app, &path(999_999), Some(&staff), None).await.status,
        StatusCode::NOT_FOUND
    );
}
