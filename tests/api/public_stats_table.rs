//! 监管统计: the public statistics page's table by prefecture through HTTP, against `/public/v1/stats` for the
//! same year (one disclosure decision: neither can be subtracted from the other), and what it counts.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::public_stats::{approved, history, page, row_of, sanction};

/// A cell of `/public/v1/stats` as the page prints it: counts grouped, amounts in yuan, `<N` escaped.
fn printed(cell: &Value, amount: bool) -> String {
    match cell {
        Value::String(hidden) => hidden.replace('<', "&#60;"),
        Value::Number(n) => {
            let n = n.as_u64().expect("a count");
            let grouped = |n: u64| {
                let digits = n.to_string();
                let mut out = String::new();
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i).is_multiple_of(3) {
                        out.push(',');
                    }
                    out.push(c);
                }
                out
            };
            if amount {
                format!("{}.{:02}", grouped(n / 100), n % 100)
            } else {
                grouped(n)
            }
        }
        other => panic!("not a cell: {other}"),
    }
}

/// Every prefecture row of the page of `year` is the row of `/public/v1/stats?year=…&group_by=prefecture`, and
/// the page has no other row.
pub(crate) async fn the_table_is_the_apis(app: &TestApp, year: i32) {
    let html = page(app, &format!("?year={year}")).await;
    let response = app
        .send(
            Method::GET,
            &format!("/public/v1/stats?year={year}&group_by=prefecture&limit=500"),
            None,
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let items = response.body["items"].as_array().expect("items").clone();
    let columns = [
        ("cases_approved", false),
        ("amount_recovered_fen", true),
        ("agreements_suspended", false),
        ("agreements_terminated", false),
        ("black_list_entries", false),
    ];
    for item in &items {
        let group = &item["group"][0];
        let label = format!(
            "{}（{}）",
            group["name"].as_str().unwrap(),
            group["value"].as_str().unwrap()
        );
        let expected: Vec<String> = columns
            .iter()
            .map(|(name, amount)| printed(&item["values"][*name], *amount))
            .collect();
        assert_eq!(row_of(&html, &label), expected, "{year} {label}");
    }
    assert_eq!(
        html.matches("<th scope=\"row\">").count(),
        items.len(),
        "{year}: {html}"
    );
}

/// With the policy's smallest cell at one organisation, the table's counts show: an unpublished black-list
/// entry and a person count nowhere; an agreement suspension counts where it started; a case approved and
/// later voided counts where it was approved, as `/public/v1/stats` counts it (its voiding is a figure of its
/// own, for staff).
#[tokio::test]
async fn the_table_counts_what_was_approved_and_published_under_the_policys_smallest_cell() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"stats": {"public_min_subjects": 1}}"#).unwrap();
    let app = spawn_app_with(&[("MEDCREDIT_POLICY_FILE", policy.to_str().unwrap())]).await;
    app.set_now("2026-01-05T02:00:00Z");
    app.seed_registry().await;
    app.set_now("2026-03-10T02:00:00Z");
    let kept = approved(&app, INSTITUTION, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    let voided = approved(&app, INSTITUTION, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    let other = approved(&app, OTHER_INSTITUTION, "INST-MANAGEMENT-DEFICIENCY", 1).await;
    app.grounds(PHYSICIAN).await;
    let response = app
        .post(
            &format!("/api/v1/violations/{voided}/void"),
            Role::Approver,
            &json!({"reason": "更正"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    for (subject, case, published) in [(INSTITUTION, kept, true), (OTHER_INSTITUTION, other, false)]
    {
        let entry = json!({"subject_code": subject, "reason": "虚构医疗服务", "violation_ids": [case],
            "listed_on": "2026-03-10", "published": published});
        let response = app
            .post("/api/v1/lists/black", Role::Approver, &entry)
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    sanction(&app, json!({"subject_code": OTHER_INSTITUTION, "type": "agreement_suspension",
        "starts_on": "2026-03-10", "ends_on": "2026-04-09", "violation_ids": [other], "reason": "暂停协议"}))
    .await;
    app.set_now("2026-06-15T02:00:00Z");

    let html = page(&app, "?year=2026").await;
    assert!(
        html.contains("<title>2026年 3月: 3</title>"),
        "the person's case is not counted"
    );
    assert!(html.contains("<title>暂停服务协议: 1</title>"));
    let jinan = row_of(&html, "济南市（370100）");
    assert_eq!(jinan[..4], ["3", "3,600.00", "1", "0"], "{jinan:?}");
    assert_eq!(jinan[4], "1", "the published entry only");
    assert!(
        html.contains("不足 1 家"),
        "the page says which cells it withholds"
    );
    the_table_is_the_apis(&app, 2026).await;
}

/// With the smallest cell at two organisations the history shows figures: the page's table is the API's for
/// either year, a month of one organisation takes the smallest month shown beside it with it, and the
/// larger months show.
#[tokio::test]
async fn the_pages_prefecture_cells_are_the_public_apis_cells_for_the_same_year() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"stats": {"public_min_subjects": 2}}"#).unwrap();
    let app = spawn_app_with(&[("MEDCREDIT_POLICY_FILE", policy.to_str().unwrap())]).await;
    history(&app).await;
    for year in [2025, 2026] {
        the_table_is_the_apis(&app, year).await;
    }
    let html = page(&app, "?year=2026").await;
    assert_eq!(row_of(&html, "济南市（370100）")[0], "3");
    assert_eq!(row_of(&html, "青岛市（370200）")[0], "5");
    for point in [
        "2026年 2月: &lt;2",
        "2026年 3月: &lt;2",
        "2026年 4月: 5",
        "约谈: &lt;2",
        "2025年 5月: &lt;2",
    ] {
        assert!(html.contains(&format!("<title>{point}</title>")), "{point}");
    }
    assert!(html.contains("<title>A级: 6</title>") && html.contains("<title>B级: &lt;2</title>"));
}
