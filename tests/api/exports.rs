//! Exports for what people take away (issue 24): cases, sanctions, the red and black lists and a hospital's
//! roster, as CSV a Chinese spreadsheet opens and as JSON lines equal to the lists, each with its `seq`, and
//! never more than the reader's list shows.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

struct Exported {
    status: StatusCode,
    seq: Option<i64>,
    content_type: String,
    body: Vec<u8>,
}

async fn export(app: &TestApp, path: &str, token: &str, language: &str) -> Exported {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Exported {
        status: response.status(),
        seq: header("x-medcredit-seq").and_then(|s| s.parse().ok()),
        content_type: header("content-type").unwrap_or_default(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

fn lines(body: &[u8]) -> Vec<Value> {
    String::from_utf8(body.to_vec())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The CSV's header row and data rows, after checking its byte-order mark.
fn table(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark first");
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

async fn history(app: &TestApp) {
    app.seed_registry().await;
    app.approved_case(PHYSICIAN, "PRAC-FALSE-PRESCRIPTION", json!({"points": 12}))
        .await;
    crate::webhooks::blacklist(app, OTHER_INSTITUTION).await;
    app.record_case(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
        .await;
}

#[tokio::test]
async fn every_export_is_its_list_as_json_lines_and_as_a_chinese_csv() {
    let app = spawn_app().await;
    history(&app).await;
    let staff = app.token(Role::Auditor);
    let exports = [
        (
            "/api/v1/violations",
            "/api/v1/violations/export",
            "案件编号",
        ),
        ("/api/v1/sanctions", "/api/v1/sanctions/export", "处理编号"),
        ("/api/v1/lists/black", "/api/v1/lists/black/export", "编号"),
        ("/api/v1/lists/red", "/api/v1/lists/red/export", "编号"),
    ];
    for (list, path, first_header) in exports {
        // In the export's language: generated texts (reasons, exit conditions) follow the reader's.
        let listed = app
            .in_language(Some("zh-CN"))
            .get(&format!("{list}?limit=500"), Role::Auditor)
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{list}: {}", listed.body);
        let items = listed.body["items"].as_array().unwrap().clone();
        let jsonl = export(&app, &format!("{path}?format=jsonl"), &staff, "zh-CN").await;
        assert_eq!(jsonl.status, StatusCode::OK, "{path}");
        assert_eq!(jsonl.content_type, "application/x-ndjson");
        assert!(jsonl.seq.is_some_and(|s| s > 0), "{path} names its seq");
        assert_eq!(lines(&jsonl.body), items, "{path} equals {list}");

        let csv = export(&app, &format!("{path}?format=csv"), &staff, "zh-CN").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.content_type.starts_with("text/csv"),
            "{}",
            csv.content_type
        );
        assert_eq!(csv.seq, jsonl.seq);
        let (headers, rows) = table(&csv.body);
        assert_eq!(headers[0], first_header, "{path}: {headers:?}");
        assert_eq!(rows.len(), items.len(), "{path}");
    }
    let (_, cases) = table(
        &export(
            &app,
            "/api/v1/violations/export?format=csv",
            &staff,
            "zh-CN",
        )
        .await
        .body,
    );
    assert!(cases.len() >= 3, "{cases:?}");
    // Headers follow the reader's language; the rows do not change.
    let english = export(&app, "/api/v1/sanctions/export?format=csv", &staff, "en").await;
    assert_eq!(table(&english.body).0[0], "Sanction ID");
}

#[tokio::test]
async fn the_roster_export_is_the_roster_and_only_the_hospitals_own() {
    let app = spawn_app().await;
    history(&app).await;
    let own = app.token(Role::Hospital);
    let roster = app
        .get(
            &format!("/api/v1/institutions/{INSTITUTION}/practitioners"),
            Role::Hospital,
        )
        .await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    let path = format!("/api/v1/institutions/{INSTITUTION}/practitioners/export");
    let jsonl = export(&app, &path, &own, "zh-CN").await;
    assert_eq!(jsonl.status, StatusCode::OK);
    let practitioners = roster.body["practitioners"].as_array().unwrap();
    let exported = lines(&jsonl.body);
    assert_eq!(exported.len(), practitioners.len());
    assert_eq!(exported[0]["code"], PHYSICIAN);
    let csv = export(&app, &format!("{path}?format=csv"), &own, "zh-CN").await;
    let (headers, rows) = table(&csv.body);
    assert_eq!(headers[0], "主体代码");
    assert_eq!(rows[0][0], PHYSICIAN);
    assert_eq!(
        rows[0][1], "张三",
        "a hospital reads its own practitioners' names"
    );

    let other = export(
        &app,
        &format!("/api/v1/institutions/{OTHER_INSTITUTION}/practitioners/export"),
        &own,
        "en",
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_export_shows_no_more_than_the_readers_list() {
    let app = spawn_app().await;
    history(&app).await;
    // Partners read no case files, and an anonymous caller nothing.
    let partner = app.token(Role::Partner);
    let cases = export(&app, "/api/v1/violations/export", &partner, "en").await;
    assert_eq!(cases.status, StatusCode::FORBIDDEN);
    let anonymous = app
        .client
        .get(format!("{}/api/v1/sanctions/export", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // A partner's sanctions: people masked, in the JSON lines and in every CSV cell.
    let jsonl = export(&app, "/api/v1/sanctions/export", &partner, "en").await;
    assert_eq!(jsonl.status, StatusCode::OK);
    let text = String::from_utf8(jsonl.body.clone()).unwrap();
    assert!(
        !text.contains("张三") && !text.contains("11010519491231002X"),
        "{text}"
    );
    let listed = app.get("/api/v1/sanctions?limit=500", Role::Partner).await;
    assert_eq!(
        lines(&jsonl.body),
        listed.body["items"].as_array().unwrap().clone()
    );

    // A hospital's sanctions: its own institution's and its practitioners', never another's.
    let hospital = app.token(Role::Hospital);
    let own = lines(
        &export(&app, "/api/v1/sanctions/export", &hospital, "en")
            .await
            .body,
    );
    assert!(!own.is_empty());
    assert!(
        own.iter().all(|s| s["subject_code"] != OTHER_INSTITUTION),
        "{own:?}"
    );
    let black = lines(
        &export(&app, "/api/v1/lists/black/export", &hospital, "en")
            .await
            .body,
    );
    assert!(black.iter().all(|e| e["subject_code"] != OTHER_INSTITUTION));
}

#[tokio::test]
async fn a_case_export_runs_no_formula_and_filters_as_the_list_does() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let mut body = case_body(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY");
    body["description"] = json!("=HYPERLINK(\"http://evil.example\",\"点此\")");
    let created = app.post("/api/v1/violations", Role::Inspector, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    app.record_case(OTHER_INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
        .await;
    let staff = app.token(Role::Inspector);
    let path = format!("/api/v1/violations/export?format=csv&subject_code={INSTITUTION}");
    let (headers, rows) = table(&export(&app, &path, &staff, "zh-CN").await.body);
    assert_eq!(rows.len(), 1, "the filter applies: {rows:?}");
    let description = headers.iter().position(|h| h == "违规事实").unwrap();
    assert!(
        rows[0][description].starts_with("'="),
        "{}",
        rows[0][description]
    );
    let amount = headers.iter().position(|h| h == "涉及金额（元）").unwrap();
    assert!(
        rows[0][amount].contains('.'),
        "yuan with fen: {}",
        rows[0][amount]
    );

    let bad = export(&app, "/api/v1/violations/export?format=xlsx", &staff, "en").await;
    assert!(matches!(bad.status.as_u16(), 400 | 422), "{}", bad.status);
}
