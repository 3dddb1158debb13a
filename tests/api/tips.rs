//! Tip-offs (举报, issue 21) through the HTTP API: intake with a claim code, handling, rewards by the policy
//! schedule, and the register. The confidentiality rules, tried as an attacker would, are in `tips_secrecy.rs`.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// ¥1,000,000 in fen: Sichuan's bands give ¥15,500.
pub const MILLION_YUAN: i64 = 100_000_000;
pub const CONTACT: &str = "王先生 13800138000";
pub const PAYMENT: &str = "中国银行 6216610000000000000 王某";

pub fn new_tip(contact: Option<&str>) -> Value {
    let mut tip = json!({
        "subject_code": INSTITUTION, "facts": "该院以免费体检为名诱导老人住院，虚构住院天数",
        "occurred": "2026年10月", "place": "住院部三楼", "evidence": ["住院清单照片.jpg"],
        "wants_reward": true
    });
    if let Some(contact) = contact {
        tip["contact"] = json!(contact);
    }
    tip
}

/// Sends a tip without a token; returns (number, claim code).
pub async fn submit(app: &TestApp, body: &Value) -> (String, String) {
    let response = app
        .send(Method::POST, "/public/v1/tips", None, Some(body))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let number = response.body["number"]
        .as_str()
        .expect("number")
        .to_string();
    let code = response.body["claim_code"]
        .as_str()
        .expect("code")
        .to_string();
    (number, code)
}

/// The tip's id in the register, found by its number.
pub async fn id_of(app: &TestApp, number: &str) -> i64 {
    let response = app.get("/api/v1/tips?limit=500", Role::Auditor).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["number"] == number)
        .and_then(|t| t["id"].as_i64())
        .expect("the tip is in the register")
}

/// What the holder of `code` reads about tip `number`.
pub async fn follow(app: &TestApp, number: &str, code: Option<&str>) -> TestResponse {
    let mut request = app
        .client
        .get(format!("{}/public/v1/tips/{number}", app.address));
    if let Some(code) = code {
        request = request.header("Claim-Code", code);
    }
    answer(request).await
}

pub async fn claim(app: &TestApp, number: &str, code: &str, body: &Value) -> TestResponse {
    let request = app
        .client
        .post(format!("{}/public/v1/tips/{number}/claim", app.address))
        .header("Claim-Code", code)
        .json(body);
    answer(request).await
}

pub async fn answer(request: reqwest::RequestBuilder) -> TestResponse {
    let response = request.send().await.expect("request reaches the server");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    TestResponse {
        status,
        headers,
        body,
    }
}

/// Takes the tip up as `inspector-1`, about INSTITUTION.
pub async fn accept(app: &TestApp, id: i64) -> Value {
    let body = json!({"outcome": "accepted", "subject_code": INSTITUTION});
    let response = app
        .post(
            &format!("/api/v1/tips/{id}/decision"),
            Role::Inspector,
            &body,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body
}

/// Records a case of `amount_fen` against INSTITUTION and links it to the tip; returns the case id.
pub async fn case_from_tip(app: &TestApp, tip: i64, amount_fen: i64) -> i64 {
    let mut body = case_body(INSTITUTION, "INST-OVERCHARGING");
    body["amount_involved_fen"] = json!(amount_fen);
    body["amount_to_recover_fen"] = json!(amount_fen);
    let response = app.post("/api/v1/violations", Role::Inspector, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let case = response.body["id"].as_i64().unwrap();
    let link = app
        .post(
            &format!("/api/v1/tips/{tip}/cases"),
            Role::Inspector,
            &json!({"violation_id": case}),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    case
}

pub async fn tip(app: &TestApp, id: i64) -> Value {
    let response = app.get(&format!("/api/v1/tips/{id}"), Role::Auditor).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body
}

#[tokio::test]
async fn an_anonymous_tip_is_followed_with_its_claim_code_and_nothing_else() {
    let app = spawn_app().await;
    let (number, code) = submit(&app, &new_tip(None)).await;
    assert!(number.starts_with("JB"));
    let followed = follow(&app, &number, Some(&code)).await;
    assert_eq!(followed.status, StatusCode::OK, "{}", followed.body);
    assert_eq!(followed.body["state"], "received");
    assert!(followed.body["decision_due"].is_string());
    assert_eq!(followed.headers["cache-control"], "no-store");
    // Nothing about anyone else: no handler, subject, cases or facts.
    for field in ["handler", "subject_code", "case_ids", "facts", "reported"] {
        assert!(followed.body.get(field).is_none(), "{field} leaks");
    }
    // A wrong code, no code and an unknown number get one and the same answer.
    let wrong = follow(&app, &number, Some("AAAAA-AAAAA-AAAAA-AAAAA")).await;
    let missing = follow(&app, &number, None).await;
    let unknown = follow(&app, "JB20000101-AAAAAAAA", Some(&code)).await;
    for refused in [&wrong, &missing, &unknown] {
        refused.assert_problem(404);
        assert_eq!(refused.body, wrong.body);
    }
    // The code is stored only as a hash.
    let rows = app
        .db
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            app.backend(),
            "SELECT claim_hash FROM tips",
        ))
        .await
        .unwrap();
    let hash: String = rows[0].try_get("", "claim_hash").unwrap();
    assert_ne!(hash, code);
    assert_eq!(hash.len(), 64);
}

use sea_orm::ConnectionTrait;

#[tokio::test]
async fn intake_refuses_oversized_bodies_control_characters_and_floods() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"tips": {"per_client_per_hour": 3}}"#).unwrap();
    let app = spawn_app_with(&[("MEDCREDIT_POLICY_FILE", policy.to_str().unwrap())]).await;
    let mut huge = new_tip(None);
    huge["facts"] = json!("举".repeat(30_000));
    let response = app
        .send(Method::POST, "/public/v1/tips", None, Some(&huge))
        .await;
    response.assert_problem(413);
    let mut controls = new_tip(None);
    controls["facts"] = json!("虚构\u{0007}住院");
    let response = app
        .send(Method::POST, "/public/v1/tips", None, Some(&controls))
        .await;
    assert_eq!(response.assert_problem(422)["errors"][0]["field"], "facts");
    let nobody = json!({"facts": "有人骗保"});
    let response = app
        .send(Method::POST, "/public/v1/tips", None, Some(&nobody))
        .await;
    assert_eq!(response.error_fields(), ["subject_code"]);
    // Three tips an hour from one address (the refused ones counted too), then 429 with Retry-After.
    let response = app
        .send(Method::POST, "/public/v1/tips", None, Some(&new_tip(None)))
        .await;
    response.assert_problem(429);
    assert!(response.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn the_register_filters_overdue_tips_and_exports_without_details() {
    let app = spawn_app().await;
    let (number, _) = submit(&app, &new_tip(Some(CONTACT))).await;
    let response = app.get("/api/v1/tips?overdue=true", Role::Reviewer).await;
    assert_eq!(response.body["items"], json!([]));
    // 15 working days on, the undecided tip is overdue.
    app.set_now(&(chrono::Utc::now() + chrono::Duration::days(40)).to_rfc3339());
    let response = app.get("/api/v1/tips?overdue=true", Role::Reviewer).await;
    assert_eq!(response.body["items"][0]["number"], number.as_str());
    assert_eq!(response.body["items"][0]["overdue"], true);
    assert!(!response.body.to_string().contains("13800138000"));
    let zh = app.in_language(None);
    let token = app.token(Role::Auditor);
    let csv = zh
        .send(
            Method::GET,
            "/api/v1/tips/export?format=csv",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with('\u{feff}'), "a byte-order mark");
    assert!(text.contains("举报编号") && text.contains(&number));
    assert!(!text.contains("13800138000"));
    let jsonl = app
        .send(Method::GET, "/api/v1/tips/export", Some(&token), None)
        .await;
    assert!(
        jsonl.body.as_str().unwrap_or_default().contains(&number)
            || jsonl.body["number"] == number.as_str()
    );
}

#[tokio::test]
async fn the_form_takes_a_tip_and_shows_the_claim_code_once() {
    let app = spawn_app().await;
    let browser = app.in_language(None);
    let page = answer(browser.client.get(format!("{}/public/tips", app.address))).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("举报") && html.contains(r#"method="post""#));
    assert!(!html.contains("<script"));
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self'"));
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");

    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("subject_code", INSTITUTION)
        .append_pair("facts", "挂床住院，病人不在床")
        .append_pair("evidence", "照片1.jpg\r\n照片2.jpg")
        .append_pair("wants_reward", "yes")
        .finish();
    let sent = answer(
        browser
            .client
            .post(format!("{}/public/tips", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.headers["cache-control"], "no-store");
    let html = sent.body.as_str().unwrap();
    assert!(
        html.contains("查询码只显示这一次"),
        "a plain warning to keep it"
    );
    let grab = |id: &str| {
        let start = html.find(&format!(r#"id="{id}">"#)).unwrap() + id.len() + 6;
        html[start..].split('<').next().unwrap().to_string()
    };
    let (number, code) = (grab("number"), grab("claim-code"));
    let followed = follow(&app, &number, Some(&code)).await;
    assert_eq!(followed.status, StatusCode::OK, "{}", followed.body);
    assert_eq!(followed.body["wants_reward"], true);

    // A form without facts comes back with what to correct.
    let again = answer(
        browser
            .client
            .post(format!("{}/public/tips", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("subject_code={INSTITUTION}")),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let html = again.body.as_str().unwrap();
    assert!(
        html.contains(r#"id="errors""#) && html.contains(INSTITUTION),
        "the form keeps what was typed"
    );
}
