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
