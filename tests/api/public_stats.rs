//! 监管统计: the public statistics page, through HTTP, against cases, sanctions and organisations whose counts
//! are known, on a pinned clock: what it withholds (its table against `/public/v1/stats`: `public_stats_table`).

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// Five institutions of Qingdao (市南区, prefecture 370200): enough for their figures to be published.
const QINGDAO: [&str; 5] = [
    "H37020200001",
    "H37020200002",
    "H37020200003",
    "H37020200004",
    "H37020200005",
];

/// Approves a case against `subject` with `points` at the server's current (pinned) time; returns its id.
pub(crate) async fn approved(app: &TestApp, subject: &str, type_code: &str, points: u32) -> i64 {
    let case = app
        .approved_case(subject, type_code, json!({"points": points}))
        .await;
    case["id"].as_i64().expect("case id")
}

pub(crate) async fn sanction(app: &TestApp, body: serde_json::Value) {
    let response = app.post("/api/v1/sanctions", Role::Approver, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
}

/// A history whose counts are known. In 2025: one institution case in May. In 2026: one in February, two in
/// March (one of each Jinan institution), one for each Qingdao institution in April, an interview; and for a
/// person, a case and a suspension in March that the page must not count. The clock ends on 2026-06-15.
pub(crate) async fn history(app: &TestApp) {
    app.set_now("2025-01-05T02:00:00Z");
    app.seed_registry().await;
    for code in QINGDAO {
        let mut body = institution(code, &format!("青岛市南区第{}医院", &code[10..]));
        body["region"] = json!("370202");
        app.register(body).await;
    }
    app.set_now("2025-05-10T02:00:00Z");
    approved(app, INSTITUTION, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    app.set_now("2026-02-10T02:00:00Z");
    approved(app, INSTITUTION, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    app.set_now("2026-03-10T02:00:00Z");
    let case = approved(app, INSTITUTION, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    approved(app, OTHER_INSTITUTION, "INST-BED-HOLDING", 15).await;
    sanction(
        app,
        json!({"subject_code": INSTITUTION, "type": "interview", "starts_on": "2026-03-10",
        "violation_ids": [case], "reason": "约谈主要负责人"}),
    )
    .await;
    let person = app.grounds(PHYSICIAN).await;
    sanction(app, json!({"subject_code": PHYSICIAN, "type": "qualification_suspension", "scope": "all",
        "starts_on": "2026-03-10", "ends_on": "2026-04-09", "violation_ids": [person], "reason": "暂停"}))
    .await;
    // A case waiting for approval counts nowhere.
    app.record_case(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
        .await;
    app.set_now("2026-04-10T02:00:00Z");
    for code in QINGDAO {
        approved(app, code, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    }
    app.set_now("2026-06-15T02:00:00Z");
}

/// The page as a reader without a token and without a language gets it (zh-CN).
pub(crate) async fn page(app: &TestApp, query: &str) -> String {
    let response = app
        .in_language(None)
        .send(Method::GET, &format!("/public/stats{query}"), None, None)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body.as_str().expect("an HTML page").to_string()
}

/// The cells of the table row of `prefecture`, as printed.
pub(crate) fn row_of(html: &str, prefecture: &str) -> Vec<String> {
    let start = html
        .find(&format!("<th scope=\"row\">{prefecture}</th>"))
        .unwrap_or_else(|| panic!("no row {prefecture} in {html}"));
    let row = &html[start..];
    let row = &row[..row.find("</tr>").expect("row end")];
    row.split("<td>")
        .skip(1)
        .map(|cell| cell.split("</td>").next().unwrap_or("").to_string())
        .collect()
}

fn is_suppressed(cell: &str) -> bool {
    cell == "&#60;5" || cell == "&lt;5"
}

#[tokio::test]
async fn the_page_counts_organisations_by_month_type_grade_and_prefecture_and_never_a_person() {
    let app = spawn_app().await;
    history(&app).await;
    let html = page(&app, "").await;
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("2026年"));
    // Cases approved by month, this year beside the last (the person's March case not among them). February
    // rests on one institution and March on two: withheld. April rests on five, yet is withheld too: the
    // year's total is published, and it less the months shown would give February's and March's away.
    for point in [
        "2026年 1月: 0",
        "2026年 2月: &lt;5",
        "2026年 3月: &lt;5",
        "2026年 4月: &lt;5",
        "2026年 6月: 0",
        "2025年 3月: 0",
        // 2025's total rests on one institution, withheld: so is every month with something in it.
        "2025年 5月: &lt;5",
    ] {
        assert!(html.contains(&format!("<title>{point}</title>")), "{point}");
    }
    let nation = app
        .send(
            Method::GET,
            "/public/v1/stats?year=2026&group_by=year",
            None,
            None,
        )
        .await;
    assert_eq!(nation.body["items"][0]["values"]["cases_approved"], 8);
    // Sanctions by type: the institution's interview, one organisation's, withheld with no bar; the person's
    // suspension nowhere.
    assert!(html.contains("<title>约谈: &lt;5</title>"), "{html}");
    assert!(!html.contains("<title>约谈: 1</title>"));
    assert!(!html.contains("暂停医保支付资格"));
    // Grades on 2026-06-15: seven institutions, one of them at 85 (B), withheld; no share that would give it
    // away.
    for grade in ["A级: 6", "B级: &lt;5", "C级: 0", "D级: 0"] {
        assert!(html.contains(&format!("<title>{grade}</title>")), "{grade}");
    }
    assert!(!html.contains("%)"), "no share");
    // Jinan has two institutions: every figure of theirs withheld. Qingdao's five are withheld beside them, or
    // the nation's total less Qingdao would give Jinan away. A figure no organisation is behind is 0.
    let jinan = row_of(&html, "济南市（370100）");
    assert_eq!(jinan.len(), 5);
    assert!(
        jinan[..2].iter().all(|cell| is_suppressed(cell)),
        "{jinan:?}"
    );
    assert_eq!(jinan[2..], ["0", "0", "0"], "{jinan:?}");
    let qingdao = row_of(&html, "青岛市（370200）");
    assert!(
        qingdao[..2].iter().all(|cell| is_suppressed(cell)),
        "{qingdao:?}"
    );
    // Nothing about a person: no practitioner's or insured person's name, code or ID number.
    for person in [
        "张三",
        "王小明",
        "李四",
        PHYSICIAN,
        OTHER_PHYSICIAN,
        "11010519491231002X",
    ] {
        assert!(!html.contains(person), "{person} on the public page");
    }

    // The year before: its own months, its grades folded from its own ledger on its last day.
    let last = page(&app, "?year=2025").await;
    assert!(
        last.contains("<title>2025年 5月: &lt;5</title>")
            && last.contains("<title>2024年 5月: 0</title>")
    );
    assert!(
        last.contains("2025年12月31日") && last.contains("<title>A级: 7</title>"),
        "{last}"
    );
    for year in [2025, 2026] {
        crate::public_stats_table::the_table_is_the_apis(&app, year).await;
    }
    assert!(
        last.contains("href=\"?year=2026\""),
        "a link to the next year"
    );
    assert!(
        !html.contains("href=\"?year=2027\""),
        "no link past the current year"
    );
}

#[tokio::test]
async fn the_page_is_a_page_for_anyone_with_the_public_pages_headers_in_either_language() {
    let app = spawn_app().await;
    app.set_now("2026-06-15T02:00:00Z");
    app.seed_registry().await;
    let response = app
        .in_language(None)
        .send(Method::GET, "/public/stats", None, None)
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.content_type().starts_with("text/html"));
    let header = |name: &str| {
        response
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let csp = header("content-security-policy");
    for part in [
        "default-src 'none'",
        "style-src 'sha256-",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("script-src") && !csp.contains("unsafe"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("content-language"), "zh-CN");
    let html = response.body.as_str().unwrap();
    assert!(html.contains("name=\"viewport\"") && html.contains("viewBox=\"0 0 480"));
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href=\"http"));
    assert!(
        !html.contains(" style=\""),
        "no style attribute: the CSP admits the one sheet only"
    );
    // No data yet: zero charts, and the empty words.
    assert!(html.contains("<title>2026年 3月: 0</title>") && html.contains("暂无数据"));

    // The same page whoever asks: a partner, another institution's office, a token of someone else's.
    let anonymous = page(&app, "?year=2026").await;
    for token in [
        app.token(Role::Partner),
        app.token_for(Role::Hospital, "hospital-9", Some(OTHER_INSTITUTION)),
        app.token_for(Role::Inspector, "someone-else", None),
    ] {
        let seen = app
            .in_language(None)
            .send(Method::GET, "/public/stats?year=2026", Some(&token), None)
            .await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.body.as_str().unwrap(), anonymous);
    }

    let english = app.send(Method::GET, "/public/stats", None, None).await;
    let html = english.body.as_str().unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("Cases approved each month"));
    // Two institutions: grade A rests on too few.
    assert!(
        html.contains("<title>2026 Mar: 0</title>")
            && html.contains("<title>Grade A: &lt;5</title>")
    );
}

#[tokio::test]
async fn a_year_that_is_not_one_is_refused_as_a_problem() {
    let app = spawn_app().await;
    app.set_now("2026-06-15T02:00:00Z");
    let get = |query: &'static str| {
        let app = &app;
        async move {
            app.send(Method::GET, &format!("/public/stats{query}"), None, None)
                .await
        }
    };
    get("?year=2026x").await.assert_problem(400);
    for query in ["?year=1899", "?year=2027", "?year=-1", "?year=2199"] {
        let response = get(query).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), vec!["year"], "{query}");
    }
    let unknown = get("?region=370102").await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), vec!["region"]);
    assert_eq!(get("?year=1900").await.status, StatusCode::OK);
}

/// `serve --demo`'s history fills every chart whatever the day, the first days of January included, and is
/// written once.
#[tokio::test]
async fn the_demo_history_puts_something_in_every_chart_even_early_in_january() {
    let app = spawn_app().await;
    let (node, state) = app.second_node().await;
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-03T01:00:00Z").unwrap();
    state.clock.set(Some(at.with_timezone(&chrono::Utc)));
    for _ in 0..2 {
        medcredit::demo::seed(&state).await.expect("demo seed");
        let response = node
            .in_language(None)
            .send(Method::GET, "/public/stats", None, None)
            .await;
        let html = response.body.as_str().expect("a page");
        for expected in [
            "<title>2026年 1月: 11</title>",
            "<title>2025年 5月: 5</title>",
            // One organisation's February, and the smallest month shown beside it, withheld.
            "<title>2025年 2月: &lt;5</title>",
            "<title>2025年 3月: &lt;5</title>",
            "<title>约谈: 6</title>",
            "<title>暂停服务协议: 5</title>",
            "<title>A级: 9</title>",
            "<th scope=\"row\">济南市（370100）</th><td>11</td>",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
    }
}
