//! Chinese first (DESIGN §10 "Language"): answers are in zh-CN unless `Accept-Language` asks for English, and
//! machine codes (`type`, `status`, field names) are the same in both.

use crate::helpers::*;
use reqwest::Method;

#[tokio::test]
async fn an_unknown_route_answers_in_chinese_by_default_and_in_english_when_asked() {
    let app = spawn_app().await;
    let chinese = app
        .in_language(None)
        .send(Method::GET, "/api/v1/no-such-thing", None, None)
        .await;
    let problem = chinese.assert_problem(404);
    assert_eq!(problem["title"], "未找到");
    assert_eq!(problem["detail"], "没有这个路由");
    assert_eq!(chinese.headers["content-language"], "zh-CN");
    assert!(
        chinese.headers["vary"]
            .to_str()
            .unwrap()
            .contains("accept-language")
    );

    let english = app
        .in_language(Some("en-US,en;q=0.9,zh;q=0.5"))
        .send(Method::GET, "/api/v1/no-such-thing", None, None)
        .await;
    let english_problem = english.assert_problem(404);
    assert_eq!(english_problem["title"], "Not Found");
    assert_eq!(english_problem["detail"], "no such route");
    assert_eq!(english.headers["content-language"], "en");
    assert_eq!(english_problem["type"], chinese.body["type"]);

    // q-values are honoured: Chinese preferred over English.
    let preferred = app
        .in_language(Some("en;q=0.3, zh-CN;q=0.8"))
        .send(Method::GET, "/api/v1/no-such-thing", None, None)
        .await;
    assert_eq!(preferred.body["title"], "未找到");
}

#[tokio::test]
async fn refusals_of_the_outer_layers_are_in_the_asked_language_too() {
    let app = spawn_app().await;
    // 405 comes from the router and is rewritten by the bare-error middleware.
    let chinese = app
        .in_language(Some("zh-CN"))
        .send(Method::DELETE, "/healthz", None, None)
        .await;
    chinese.assert_problem(405);
    assert_eq!(chinese.body["title"], "方法不允许");
    let english = app.send(Method::DELETE, "/healthz", None, None).await;
    english.assert_problem(405);
    assert_eq!(english.body["title"], "Method Not Allowed");
    assert_eq!(english.body["type"], chinese.body["type"]);
}

/// The 401, a 404 of a use case, a 422 with field messages and a 409: Chinese by default, English when asked,
/// the same `type` and field names in both.
#[tokio::test]
async fn use_case_errors_are_chinese_by_default_and_english_when_asked() {
    let app = spawn_app().await;
    let chinese = app.in_language(None);

    let unauthorized = chinese
        .send(Method::GET, "/api/v1/subjects", Some("not-a-token"), None)
        .await;
    unauthorized.assert_problem(401);
    assert_eq!(unauthorized.body["title"], "未认证");
    assert_eq!(unauthorized.body["detail"], "令牌不是有效的 JSON Web Token");
    let english = app
        .send(Method::GET, "/api/v1/subjects", Some("not-a-token"), None)
        .await;
    assert_eq!(
        english.body["detail"],
        "the token is not a valid JSON Web Token"
    );
    assert_eq!(english.body["type"], unauthorized.body["type"]);
    assert!(
        !english.body["detail"]
            .as_str()
            .unwrap()
            .contains("InvalidToken")
    );

    let missing = chinese
        .get(
            "/api/v1/subjects/H37010299999",
            medcredit::auth::Role::Inspector,
        )
        .await;
    missing.assert_problem(404);
    assert_eq!(missing.body["detail"], "没有此代码的信用主体");

    let mut bad = institution(INSTITUTION, "济南市第一人民医院");
    bad["uscc"] = serde_json::json!("91350100M000100Y44");
    bad["region"] = serde_json::json!("370100");
    let zh = chinese
        .post("/api/v1/subjects", medcredit::auth::Role::Inspector, &bad)
        .await;
    zh.assert_problem(422);
    let en = app
        .post("/api/v1/subjects", medcredit::auth::Role::Inspector, &bad)
        .await;
    assert_eq!(zh.body["detail"], "请求未通过校验");
    assert_eq!(zh.error_fields(), en.error_fields());
    assert_eq!(zh.body["type"], en.body["type"]);
    let message = |r: &crate::helpers::TestResponse, field: &str| {
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["message"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(message(&zh, "uscc"), "校验码不符（GB 32100）");
    assert_eq!(
        message(&en, "uscc"),
        "check character does not match (GB 32100)"
    );
    assert_eq!(message(&zh, "region"), "不是县级行政区划代码（GB/T 2260）");

    app.register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    let twice = chinese
        .post(
            "/api/v1/subjects",
            medcredit::auth::Role::Inspector,
            &institution(INSTITUTION, "济南市第一人民医院"),
        )
        .await;
    twice.assert_problem(409);
    assert_eq!(twice.body["title"], "冲突");
    let detail = twice.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("已存在") || detail.contains("一机构一档"),
        "{detail}"
    );
}
