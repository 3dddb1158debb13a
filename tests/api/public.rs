//! 曝光台: the public black list, as JSON and as a page, without a token.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_public_sees_published_active_entries_masked_and_can_search_the_page() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let today = medcredit::domain::dates::legal_date(chrono::Utc::now());
    let insured = "11010519491231002X";
    let mut fraud = case_body(insured, "INSD-CARD-CASHOUT");
    fraud["amount_involved_fen"] = json!(1_500_000);
    let id = app
        .post("/api/v1/violations", Role::Inspector, &fraud)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    app.review_and_approve(id, json!({"points": 0, "settlement_suspension_months": 6}))
        .await;
    let case = app.grounds(INSTITUTION).await;
    let listed = json!({"subject_code": INSTITUTION, "reason": "虚构<b>医疗</b>服务", "violation_ids": [case], "listed_on": today});
    app.post("/api/v1/lists/black", Role::Approver, &listed)
        .await;
    let hidden = json!({"subject_code": INSTITUTION, "reason": "内部", "violation_ids": [case], "listed_on": today, "published": false});
    app.post("/api/v1/lists/black", Role::Approver, &hidden)
        .await;
    let later = json!({"subject_code": INSTITUTION, "reason": "将来", "violation_ids": [case],
                       "listed_on": today + chrono::Days::new(10)});
    app.post("/api/v1/lists/black", Role::Approver, &later)
        .await;

    let json = app
        .send(reqwest::Method::GET, "/public/v1/blacklist", None, None)
        .await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let items = json.body["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        2,
        "published and in force today only: {}",
        json.body
    );
    let text = json.body.to_string();
    assert!(
        !text.contains(insured) && !text.contains("李四") && text.contains("110105********002X")
    );
    let page = app
        .send(
            reqwest::Method::GET,
            "/public/v1/blacklist?limit=1",
            None,
            None,
        )
        .await;
    assert!(page.body["next_cursor"].is_string());
    // No prefix of a hidden ID number finds anyone.
    let probe = app
        .send(
            reqwest::Method::GET,
            "/public/v1/blacklist?q=1101051949",
            None,
            None,
        )
        .await;
    assert_eq!(probe.body["items"], json!([]));

    let html = app
        .client
        .get(format!("{}/public/blacklist?q=人民医院", app.address))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = html.text().await.unwrap();
    assert!(
        body.contains("济南市第一人民医院") && !body.contains("李*"),
        "searched by name"
    );
    assert!(
        body.contains("虚构&#60;b&#62;医疗&#60;/b&#62;服务") && !body.contains("<b>"),
        "escaped, not markup"
    );
    assert!(body.contains("退出条件") && body.contains("依据") && body.contains("惩戒措施"));
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "no external assets"
    );
    assert!(body.contains("name=\"viewport\""));
    let by_region = app
        .client
        .get(format!("{}/public/blacklist?region=999999", app.address))
        .send()
        .await
        .unwrap();
    // English on request: the same page, its words from the catalogue's other language.
    assert!(
        by_region
            .text()
            .await
            .unwrap()
            .contains("No entries match.")
    );
}
