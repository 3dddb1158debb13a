//! The violation-type catalogue: the default entries, filters by kind and date, admin-only versioning.

use medcredit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const PATH: &str = "/api/v1/violation-types";

fn new_type(code: &str) -> Value {
    json!({
        "code": code, "name": "  测试违规行为  ", "applies_to": ["institution", "pharmacy"],
        "severity": "general", "points_min": 6, "points_max": 10,
        "legal_basis": "《医疗保障基金使用监督管理条例》第三十八条", "effective_from": "2024-01-01"
    })
}

fn with(mut body: Value, changes: Value) -> Value {
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app.get(&format!("{PATH}{query}"), Role::Inspector).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(response.body["next_cursor"].is_null(), "{}", response.body);
    response.body["items"].as_array().expect("a page").clone()
}

fn codes(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["code"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_default_catalogue_is_loaded_once_at_start() {
    let app = spawn_app().await;
    let all = list(&app, "").await;
    let found = codes(&all);
    assert!(found.contains(&"PRAC-IRRATIONAL-PRESCRIPTION"));
    assert!(found.contains(&"INSD-IMPERSONATION"));
    let mut sorted = found.clone();
    sorted.sort_unstable();
    assert_eq!(found, sorted, "ordered by code");

    let prescription = &list(&app, "?code=PRAC-IRRATIONAL-PRESCRIPTION").await[0];
    assert_eq!(prescription["version"], 1);
    assert_eq!(prescription["applies_to"], json!(["practitioner"]));
    assert_eq!(prescription["effective_to"], Value::Null);
    assert!(prescription["points_max"].as_u64().unwrap() <= 12);

    for kind in ["institution", "pharmacy", "practitioner", "insured"] {
        let of_kind = list(&app, &format!("?kind={kind}")).await;
        assert!(!of_kind.is_empty(), "no types for {kind}");
        for item in &of_kind {
            assert!(
                item["applies_to"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(kind))
            );
        }
    }

    let seeded = app
        .get("/api/v1/audit?target=violation-types", Role::Auditor)
        .await;
    let rows = seeded.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", seeded.body);
    assert_eq!(rows[0]["action"], "catalogue.seed");
    assert_eq!(
        rows[0]["change"]["value"].as_array().unwrap().len(),
        all.len()
    );

    // Every start runs it again: nothing more is inserted and nothing more is audited.
    medcredit::service::catalogue::ensure_default(&app.db.conn, chrono::Utc::now())
        .await
        .expect("second load");
    assert_eq!(list(&app, "").await.len(), all.len());
    let again = app
        .get("/api/v1/audit?target=violation-types", Role::Auditor)
        .await;
    assert_eq!(again.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn kind_as_of_and_code_filter_the_list() {
    let app = spawn_app().await;
    assert!(list(&app, "?as_of=2021-04-30").await.is_empty());
    let opened = list(&app, "?as_of=2021-05-01").await;
    assert!(!opened.is_empty());
    // Practitioner types follow the 2024 12-point system.
    assert!(
        list(&app, "?kind=practitioner&as_of=2023-12-31")
            .await
            .is_empty()
    );
    let practitioner = list(&app, "?kind=practitioner&as_of=2024-01-01").await;
    assert!(codes(&practitioner).contains(&"PRAC-IRRATIONAL-PRESCRIPTION"));
    assert!(!codes(&opened).contains(&"PRAC-IRRATIONAL-PRESCRIPTION"));

    let insured = list(&app, "?kind=insured").await;
    for item in &insured {
        assert_eq!(
            (&item["points_min"], &item["points_max"]),
            (&json!(0), &json!(0))
        );
    }
    assert_eq!(
        codes(&list(&app, "?code=INSD-IMPERSONATION").await),
        ["INSD-IMPERSONATION"]
    );
    assert!(list(&app, "?code=NO-SUCH-CODE").await.is_empty());

    for bad in ["?as_of=2024-13-01", "?as_of=yesterday", "?kind=doctor"] {
        app.get(&format!("{PATH}{bad}"), Role::Inspector)
            .await
            .assert_problem(400);
    }
}

#[tokio::test]
async fn every_role_reads_and_only_admin_writes() {
    let app = spawn_app().await;
    for &role in Role::ALL {
        let response = app.get(PATH, role).await;
        assert_eq!(response.status, StatusCode::OK, "{role:?}");
    }
    app.send(reqwest::Method::GET, PATH, None, None)
        .await
        .assert_problem(401);
    for role in Role::ALL.iter().copied().filter(|r| *r != Role::Admin) {
        app.post(PATH, role, &new_type("TEST-FORBIDDEN"))
            .await
            .assert_problem(403);
    }
    assert!(list(&app, "?code=TEST-FORBIDDEN").await.is_empty());

    let created = app.post(PATH, Role::Admin, &new_type("TEST-NEW")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["version"], 1);
    assert_eq!(created.body["name"], "测试违规行为", "names are trimmed");
    assert_eq!(
        created.body["applies_to"],
        json!(["institution", "pharmacy"])
    );
    assert_eq!(created.body["insured_settlement_suspension"], false);
    assert_eq!(
        list(&app, "?code=TEST-NEW").await,
        std::slice::from_ref(&created.body)
    );

    let audit = app
        .get("/api/v1/audit?target=TEST-NEW", Role::Auditor)
        .await;
    let rows = audit.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", audit.body);
    assert_eq!(rows[0]["action"], "violation_type.create");
    assert_eq!(rows[0]["actor"], "admin-1");
    assert_eq!(rows[0]["change"]["code"], "TEST-NEW");
}

#[tokio::test]
async fn each_invalid_field_is_named_and_nothing_is_written() {
    let app = spawn_app().await;
    let base = new_type("TEST-BAD");
    let insured = with(
        base.clone(),
        json!({"applies_to": ["insured"], "points_min": 0, "points_max": 0}),
    );
    let practitioner = with(
        base.clone(),
        json!({"applies_to": ["practitioner"], "points_min": 4, "points_max": 6}),
    );
    let cases = [
        (with(base.clone(), json!({"code": "test-bad"})), "code"),
        (with(base.clone(), json!({"code": "AB"})), "code"),
        (with(base.clone(), json!({"code": "TEST BAD"})), "code"),
        (with(base.clone(), json!({"name": "   "})), "name"),
        (
            with(base.clone(), json!({"legal_basis": ""})),
            "legal_basis",
        ),
        (
            with(base.clone(), json!({"legal_basis": "条".repeat(501)})),
            "legal_basis",
        ),
        (with(base.clone(), json!({"applies_to": []})), "applies_to"),
        (
            with(
                base.clone(),
                json!({"applies_to": ["institution", "institution"]}),
            ),
            "applies_to",
        ),
        (
            with(
                base.clone(),
                json!({"applies_to": ["institution", "practitioner"]}),
            ),
            "applies_to",
        ),
        (
            with(base.clone(), json!({"applies_to": ["pharmacy", "insured"]})),
            "applies_to",
        ),
        (
            with(base.clone(), json!({"points_min": 10, "points_max": 6})),
            "points_min",
        ),
        (with(base.clone(), json!({"points_min": 0})), "points_min"),
        (with(base.clone(), json!({"points_max": 101})), "points_max"),
        (
            with(practitioner.clone(), json!({"points_max": 13})),
            "points_max",
        ),
        (
            with(insured.clone(), json!({"points_max": 1})),
            "points_max",
        ),
        (
            with(base.clone(), json!({"insured_settlement_suspension": true})),
            "insured_settlement_suspension",
        ),
        (
            with(practitioner, json!({"insured_settlement_suspension": true})),
            "insured_settlement_suspension",
        ),
        (
            with(base.clone(), json!({"effective_to": "2023-12-31"})),
            "effective_to",
        ),
        (
            with(base.clone(), json!({"effective_from": "1800-01-01"})),
            "effective_from",
        ),
        (with(base.clone(), json!({"severity": "fatal"})), "severity"),
    ];
    for (body, field) in cases {
        let response = app.post(PATH, Role::Admin, &body).await;
        response.assert_problem(422);
        assert_eq!(
            response.error_fields(),
            [field],
            "{body} → {}",
            response.body
        );
    }
    // Several bad fields are reported together.
    let many = with(
        base.clone(),
        json!({"code": "x", "name": "", "points_min": 50, "points_max": 6}),
    );
    let response = app.post(PATH, Role::Admin, &many).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["code", "name", "points_min"]);

    let response = app
        .post(PATH, Role::Admin, &with(base, json!({"extra": 1})))
        .await;
    response.assert_problem(422);
    assert!(list(&app, "?code=TEST-BAD").await.is_empty());
    let audit = app
        .get("/api/v1/audit?target=TEST-BAD", Role::Auditor)
        .await;
    assert_eq!(audit.body["items"], json!([]));

    // The settlement flag is what insured types are for.
    let ok = with(
        insured,
        json!({"code": "TEST-INSURED", "insured_settlement_suspension": true}),
    );
    let response = app.post(PATH, Role::Admin, &ok).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.body["insured_settlement_suspension"], true);
}

#[tokio::test]
async fn a_new_version_closes_the_previous_one() {
    let app = spawn_app().await;
    let code = "PRAC-IRRATIONAL-PRESCRIPTION";
    let v2 = json!({
        "code": code, "name": "不合理处方（2026年修订）", "applies_to": ["practitioner"],
        "severity": "serious", "points_min": 7, "points_max": 9,
        "legal_basis": "医保发〔2024〕23号（2026年修订）", "effective_from": "2026-03-01"
    });
    let created = app.post(PATH, Role::Admin, &v2).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["version"], 2);
    assert_eq!(created.body["effective_to"], Value::Null);

    let versions = list(&app, &format!("?code={code}")).await;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["effective_to"], "2026-02-28");
    assert_eq!(versions[1]["version"], 2);

    let before = list(&app, &format!("?code={code}&as_of=2026-02-28")).await;
    assert_eq!((before.len(), &before[0]["version"]), (1, &json!(1)));
    let after = list(&app, &format!("?code={code}&as_of=2026-03-01")).await;
    assert_eq!((after.len(), &after[0]["version"]), (1, &json!(2)));
    assert_eq!(after[0]["severity"], "serious");
}

#[tokio::test]
async fn an_overlapping_version_is_a_conflict() {
    let app = spawn_app().await;
    let first = with(
        new_type("TEST-DATED"),
        json!({"effective_to": "2024-12-31"}),
    );
    let response = app.post(PATH, Role::Admin, &first).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);

    for from in ["2024-01-01", "2023-06-01", "2024-12-31"] {
        let again = with(new_type("TEST-DATED"), json!({"effective_from": from}));
        app.post(PATH, Role::Admin, &again)
            .await
            .assert_problem(409);
    }
    assert_eq!(list(&app, "?code=TEST-DATED").await.len(), 1);

    // After a closed version the next may start the following day; the closed end is kept as it was.
    let next = with(
        new_type("TEST-DATED"),
        json!({"effective_from": "2025-01-01"}),
    );
    let response = app.post(PATH, Role::Admin, &next).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.body["version"], 2);
    let versions = list(&app, "?code=TEST-DATED").await;
    assert_eq!(versions[0]["effective_to"], "2024-12-31");

    // The open-ended version 2 now bounds version 3.
    let same_start = with(
        new_type("TEST-DATED"),
        json!({"effective_from": "2025-01-01"}),
    );
    app.post(PATH, Role::Admin, &same_start)
        .await
        .assert_problem(409);
    let audit = app
        .get("/api/v1/audit?target=TEST-DATED", Role::Auditor)
        .await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 2);
}
