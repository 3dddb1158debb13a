//! Bulk import (`POST /api/v1/subjects:import`): CSV and JSON lines, the rules of `POST /subjects` row by row,
//! all or nothing with errors by line, the row limit, and progress while a large import streams in.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

mod limits_and_progress;

pub(crate) const IMPORT: &str = "/api/v1/subjects:import";
pub(crate) const CSV: &str = "text/csv";
const JSONL: &str = "application/x-ndjson";
pub(crate) const HEADER: &str =
    "kind,code,name,region,uscc,id_number,profession,insurance_type,level,responsible_person";

/// The `n`th distinct valid resident ID number (GB 11643): a birth date from 1950 on and a sequence number.
fn id_number(n: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
        + chrono::Duration::days((n / 1000).into());
    let body = format!("370102{}{:03}", birth.format("%Y%m%d"), n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// A practitioner row of the CSV header above.
pub(crate) fn practitioner_row(n: u32) -> String {
    format!(
        "practitioner,D370102{n:06},医师{n},370102,,{},physician,,,",
        id_number(n)
    )
}

async fn import(app: &TestApp, role: Role, content_type: &str, body: String) -> TestResponse {
    app.send_raw(IMPORT, Some(&app.token(role)), content_type, body)
        .await
}

#[tokio::test]
async fn a_csv_import_registers_every_row_with_its_change_rows() {
    let app = spawn_app().await;
    // As a spreadsheet saves it: a byte-order mark first.
    let csv = [
        format!("\u{feff}{HEADER}"),
        "institution,H37010200021,导入测试医院,370102,91350100M000100Y43,,,,二级甲等,".into(),
        practitioner_row(1),
        // The pharmacy's responsible person is registered two lines above, in the same file.
        "pharmacy,P37010200021,导入测试药房,370102,92370102MA3M9AG94X,,,,,D370102000001".into(),
        // An insured person without a code takes the ID number as code, as `POST /subjects` does.
        format!("insured,,\"王, 小明\",370102,,{},,employee,,", id_number(2)),
    ]
    .join("\n")
        + "\n";
    let before = app.count("changes").await;

    let response = import(&app, Role::Inspector, CSV, csv.clone()).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let id = response.body["id"].as_i64().expect("id");
    assert_eq!(
        response.headers["location"].to_str().unwrap(),
        format!("/api/v1/imports/{id}")
    );
    assert_eq!(response.body["state"], "completed");
    assert_eq!(response.body["rows_read"], 4);
    assert_eq!(response.body["rows_imported"], 4);
    assert_eq!(response.body["errors"], json!([]));
    assert_eq!(
        response.body["sha256"],
        hex::encode(Sha256::digest(csv.as_bytes())),
        "the record names the file it read"
    );

    let insured = app
        .get(
            &format!("/api/v1/subjects/{}", id_number(2)),
            Role::Inspector,
        )
        .await;
    assert_eq!(insured.status, StatusCode::OK, "{}", insured.body);
    assert_eq!(insured.body["name"], "王, 小明");
    assert_eq!(insured.body["insurance_type"], "employee");
    let pharmacy = app
        .get("/api/v1/subjects/P37010200021", Role::Inspector)
        .await;
    assert_eq!(pharmacy.body["responsible_person"], "D370102000001");
    let standing = app
        .get("/api/v1/standing/D370102000001", Role::Hospital)
        .await;
    assert_ne!(standing.status, StatusCode::INTERNAL_SERVER_ERROR);

    // One `subject added` change row per row, in file order, between the seqs the record names.
    let (first, last) = (
        response.body["first_seq"].as_i64().expect("first_seq"),
        response.body["last_seq"].as_i64().expect("last_seq"),
    );
    let feed = app
        .get(
            &format!("/api/v1/changes?after={}&limit=500", first - 1),
            Role::Admin,
        )
        .await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let added: Vec<&str> = feed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| {
            c["entity"] == "subject" && c["op"] == "added" && c["seq"].as_i64() <= Some(last)
        })
        .map(|c| c["subject_code"].as_str().unwrap())
        .collect();
    let insured_code = id_number(2);
    assert_eq!(
        added,
        [
            "H37010200021",
            "D370102000001",
            "P37010200021",
            insured_code.as_str()
        ]
    );
    assert!(app.count("changes").await >= before + 4);

    // The record reads back the same, and the importer finds it in its list.
    let record = app
        .get(&format!("/api/v1/imports/{id}"), Role::Inspector)
        .await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    assert_eq!(record.body["rows_imported"], 4);
    let mine = app.get("/api/v1/imports", Role::Inspector).await;
    assert_eq!(mine.body["items"][0]["id"], id);
    // Another writer does not see it; an auditor does.
    let other = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/imports/{id}"),
            Some(&app.token_for(Role::Inspector, "inspector-2", None)),
            None,
        )
        .await;
    other.assert_problem(404);
    let audited = app
        .get(&format!("/api/v1/imports/{id}"), Role::Auditor)
        .await;
    assert_eq!(audited.status, StatusCode::OK);
}

#[tokio::test]
async fn json_lines_import_thousands_of_rows_in_batches() {
    let app = spawn_app().await;
    let before = app.count("subjects").await;
    let lines: String = (100..2600)
        .map(|n| {
            json!({"kind": "insured", "name": format!("参保人{n}"), "region": "370102",
                "id_number": id_number(n), "insurance_type": "resident"})
            .to_string()
                + "\n"
        })
        .collect();
    let response = import(&app, Role::Approver, JSONL, lines).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.body["rows_imported"], 2500);
    assert_eq!(app.count("subjects").await, before + 2500);
    assert_eq!(
        app.count("standings").await,
        app.count("subjects").await,
        "every imported subject has its standing row"
    );
    let found = app
        .get(
            &format!("/api/v1/subjects/{}", id_number(2599)),
            Role::Inspector,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
}

#[tokio::test]
async fn any_bad_row_fails_the_whole_import_with_errors_by_line() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (subjects, changes, audit) = (
        app.count("subjects").await,
        app.count("changes").await,
        app.count("audit_log").await,
    );
    let mut bad_check = id_number(7);
    bad_check.replace_range(17.., if bad_check.ends_with('0') { "1" } else { "0" });
    let csv = [
        HEADER.to_string(),
        practitioner_row(5), // 2: fine
        format!("practitioner,D370102000006,医师,370102,,{bad_check},physician,,,"), // 3: check digit
        "hospital,H37010200030,某医院,370102,91350100M000100Y43,,,,,".into(), // 4: no such kind
        practitioner_row(5), // 5: twice in the file
        format!("institution,{INSTITUTION},已有医院,370102,91350100M000100Y43,,,,,"), // 6: registered
        "institution,H37010200031,,370102,91350100M000100Y43,,,,,".into(),            // 7: no name
        "institution,H37010200032,少一列".into(), // 8: wrong width
        "pharmacy,P37010200031,某药房,370102,91350100M000100Y43,,,,,D370102999999".into(), // 9: unknown person
    ]
    .join("\n");
    let response = import(&app, Role::Inspector, CSV, csv).await;
    let problem = response.assert_problem(422);
    let errors: Vec<(u64, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            (
                e["line"].as_u64().expect("line"),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        (3, "id_number"),
        (4, "kind"),
        (5, "code"),
        (6, "code"),
        (7, "name"),
        (8, "row"),
        (9, "responsible_person"),
    ] {
        assert!(
            errors.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} in {errors:?}"
        );
    }
    assert!(!errors.iter().any(|(line, _)| *line == 2), "{errors:?}");
    // Nothing was written: not the good row, not a change row, not an audit row.
    assert_eq!(app.count("subjects").await, subjects);
    assert_eq!(app.count("changes").await, changes);
    assert_eq!(app.count("audit_log").await, audit);
    let missing = app
        .get("/api/v1/subjects/D370102000005", Role::Inspector)
        .await;
    missing.assert_problem(404);

    // The record says how it ended.
    let failed = app
        .get("/api/v1/imports?state=failed", Role::Inspector)
        .await;
    let record = &failed.body["items"][0];
    assert_eq!(record["state"], "failed", "{}", failed.body);
    assert_eq!(record["rows_imported"], 0);
    assert_eq!(record["rows_read"], 8);
    assert_eq!(
        record["errors"].as_array().map(Vec::len),
        Some(errors.len())
    );
}

/// Batches are inserted while later ones are still being checked: a bad row far down the file still leaves
/// nothing behind, and a code taken before the import or earlier in the file is found across batches.
#[tokio::test]
async fn a_bad_row_after_written_batches_leaves_nothing_behind() {
    let app = spawn_app().await;
    let registered = id_number(2300);
    app.register(
        json!({"kind": "insured", "name": "已登记", "region": "370102",
        "id_number": registered, "insurance_type": "resident"}),
    )
    .await;
    let (subjects, changes, standings) = (
        app.count("subjects").await,
        app.count("changes").await,
        app.count("standings").await,
    );
    let lines: String = (1..=2500)
        .map(|line| {
            // Line 2,300 is registered already; line 2,400 repeats line 10.
            let n = if line == 2400 { 10 } else { line };
            json!({"kind": "insured", "name": format!("参保人{n}"), "region": "370102",
                "id_number": id_number(n), "insurance_type": "resident"})
            .to_string()
                + "\n"
        })
        .collect();
    let response = import(&app, Role::Inspector, JSONL, lines).await;
    let problem = response.assert_problem(422);
    let mut lines: Vec<u64> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["line"].as_u64().expect("line"))
        .collect();
    lines.dedup();
    assert_eq!(lines, [2300, 2400], "{problem}");
    assert_eq!(app.count("subjects").await, subjects);
    assert_eq!(app.count("changes").await, changes);
    assert_eq!(app.count("standings").await, standings);
    app.get(
        &format!("/api/v1/subjects/{}", id_number(1)),
        Role::Inspector,
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn imported_subjects_start_with_the_standing_a_registration_gets() {
    let app = spawn_app().await;
    let posted = practitioner_row(61);
    let cells: Vec<&str> = posted.split(',').collect();
    app.register(
        json!({"kind": "practitioner", "code": cells[1], "name": cells[2], "region": "370102",
        "id_number": cells[5], "profession": "physician"}),
    )
    .await;
    let csv = format!(
        "{HEADER}\n{}\ninstitution,H37010200062,导入医院,370102,92370102MA3M9AG94X,,,,,\n",
        practitioner_row(62)
    );
    let response = import(&app, Role::Inspector, CSV, csv).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);

    // Each registration, single or bulk, is announced by one `subject added` row: a new subject's standing
    // is the one its kind starts with, and `standing` rows follow only once it changes.
    let feed = app
        .get("/api/v1/changes?after=0&limit=500", Role::Admin)
        .await;
    for code in ["D370102000061", "D370102000062", "H37010200062"] {
        let rows: Vec<(&str, &str)> = feed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|c| c["subject_code"] == code)
            .map(|c| (c["entity"].as_str().unwrap(), c["op"].as_str().unwrap()))
            .collect();
        assert_eq!(rows, [("subject", "added")], "{code}");
    }

    // The imported practitioner's standing answer is the registered one's, but for who they are.
    let answer = |body: Value| {
        let mut body = body;
        for key in ["code", "name", "computed_at", "seq"] {
            body.as_object_mut().expect("object").remove(key);
        }
        body
    };
    let registered = app.get("/api/v1/standing/D370102000061", Role::Admin).await;
    let imported = app.get("/api/v1/standing/D370102000062", Role::Admin).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert_eq!(answer(imported.body), answer(registered.body));

    // The rows written from known-empty facts are those a full recomputation from the ledger gives.
    let changes = app.count("changes").await;
    let cx = medcredit::service::context::Ctx::new(
        app.clock.now(),
        std::sync::Arc::new(app.config.clone()),
    );
    let rewritten = medcredit::service::standings::materialise(&app.db, cx, true)
        .await
        .expect("rebuild");
    assert!(rewritten >= 3);
    assert_eq!(app.count("changes").await, changes, "nothing to announce");

    // The first change of an imported subject's standing is announced as a change, with its points.
    app.approved_case(
        "D370102000062",
        "PRAC-IDENTITY-UNCHECKED",
        json!({"points": 3}),
    )
    .await;
    let feed = app
        .get(
            &format!("/api/v1/changes?after={changes}&limit=500"),
            Role::Admin,
        )
        .await;
    let standing: Vec<&Value> = feed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["entity"] == "standing" && c["subject_code"] == "D370102000062")
        .collect();
    assert_eq!(standing.len(), 1, "{}", feed.body);
    assert_eq!(standing[0]["op"], "changed");
    let after = app.get("/api/v1/standing/D370102000062", Role::Admin).await;
    assert_eq!(after.body["points"], 3, "{}", after.body);
}
