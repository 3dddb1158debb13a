//! One file per person and per organisation (一医一档, issue 18 point 1): an ID number is one person in each role,
//! a USCC one organisation, in `POST /subjects`, in a correction, in the import, in the database itself; and
//! `medcredit check` lists what an older database holds twice before the migration adding the rule.

use medcredit::auth::Role;
use medcredit::db::Db;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_second_record_of_one_person_or_organisation_is_refused_naming_the_first() {
    let app = spawn_app().await;
    // The physician 张三 is also insured under the same ID number: one record in each role is right.
    app.seed_registry().await;

    // A suspended doctor cannot start again under a new practitioner code.
    let again = app
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &practitioner("D370102000099", "张三", "11010519491231002X"),
        )
        .await;
    let detail = again.assert_problem(409)["detail"].as_str().unwrap();
    assert!(detail.contains(PHYSICIAN), "{detail}");
    // Nor a second insured record for the same person.
    let insured = json!({"kind": "insured", "code": "INS0001", "name": "李四", "region": "370102",
                         "id_number": "11010519491231002X", "insurance_type": "resident"});
    let twice = app
        .post("/api/v1/subjects", Role::Inspector, &insured)
        .await;
    let detail = twice.assert_problem(409)["detail"].as_str().unwrap();
    assert!(detail.contains("11010519491231002X"), "{detail}");

    // Institutions and pharmacies share one namespace of USCCs.
    let pharmacy = json!({"kind": "pharmacy", "code": "P37010200001", "name": "泉城大药房", "region": "370102",
                          "uscc": uscc_for(INSTITUTION)});
    let refused = app
        .post("/api/v1/subjects", Role::Inspector, &pharmacy)
        .await;
    let detail = refused.assert_problem(409)["detail"].as_str().unwrap();
    assert!(detail.contains(INSTITUTION), "{detail}");

    // A correction cannot take another organisation's USCC, and may keep its own.
    let path = format!("/api/v1/subjects/{OTHER_INSTITUTION}");
    let taken = app
        .patch(
            &path,
            Role::Inspector,
            &json!({"uscc": uscc_for(INSTITUTION)}),
        )
        .await;
    let detail = taken.assert_problem(409)["detail"].as_str().unwrap();
    assert!(detail.contains(INSTITUTION), "{detail}");
    let own = app
        .patch(
            &path,
            Role::Inspector,
            &json!({"uscc": uscc_for(OTHER_INSTITUTION)}),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);

    // The database holds the rule even for a writer that skipped the service.
    let sql = "INSERT INTO subjects (kind, code, name, region, uscc, created_at, updated_at) VALUES \
               ('pharmacy', 'P37010200002', '药房', '370102', '{uscc}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        .replace("{uscc}", &uscc_for(INSTITUTION));
    assert!(app.db.conn.execute_unprepared(&sql).await.is_err());
}

#[tokio::test]
async fn an_import_refuses_a_second_record_in_the_file_and_in_the_registry_by_line() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let subjects = app.count("subjects").await;
    let csv = [
        "kind,code,name,region,uscc,id_number,profession".to_string(),
        "practitioner,D370102000031,赵六,370102,,440524188001010014,physician".into(), // 2: OTHER_PHYSICIAN's
        format!(
            "institution,H37010200031,新医院,370102,{},,",
            uscc_for("H37010200031")
        ), // 3: fine
        format!(
            "pharmacy,P37010200031,新药房,370102,{},,",
            uscc_for("H37010200031")
        ), // 4: line 3's USCC
        format!(
            "pharmacy,P37010200032,药房,370102,{},,",
            uscc_for(INSTITUTION)
        ), // 5: registered USCC
        "practitioner,D370102000033,某医师,370102,,11010519491231002X,physician".into(), // 6: PHYSICIAN's
    ]
    .join("\n");
    let token = app.token(Role::Inspector);
    let response = app
        .send_raw("/api/v1/subjects:import", Some(&token), "text/csv", csv)
        .await;
    let problem = response.assert_problem(422);
    let errors: Vec<(u64, String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_string();
            (e["line"].as_u64().unwrap(), text("field"), text("message"))
        })
        .collect();
    let named = |line: u64, field: &str, code: &str| {
        errors
            .iter()
            .any(|(l, f, m)| *l == line && f == field && m.contains(code))
    };
    assert!(named(2, "id_number", OTHER_PHYSICIAN), "{errors:?}");
    assert!(named(4, "uscc", "H37010200031"), "{errors:?}");
    assert!(named(5, "uscc", INSTITUTION), "{errors:?}");
    assert!(named(6, "id_number", PHYSICIAN), "{errors:?}");
    assert!(!errors.iter().any(|(line, ..)| *line == 3), "{errors:?}");
    assert_eq!(app.count("subjects").await, subjects);
}

#[tokio::test]
async fn check_lists_duplicates_and_the_migration_waits_for_them_to_be_merged() {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = crate::cli::medcredit(&database, dir.path())
            .args(args)
            .output()
            .expect("run medcredit");
        let text = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.success(), text)
    };
    assert!(run(&["migrate"]).0);
    let clean = run(&["check"]);
    assert!(clean.0, "{}", clean.1);

    // A database from before the rule: two practitioner files of one person.
    let db = Db::connect(&database.url, database.schema.as_deref())
        .await
        .unwrap();
    let sql = |statement: &str| {
        let conn = db.conn.clone();
        let statement = statement.to_string();
        async move { conn.execute_unprepared(&statement).await.unwrap() }
    };
    sql("DROP INDEX ux_subjects_kind_id_number").await;
    sql("DROP INDEX ux_subjects_uscc").await;
    sql("CREATE INDEX idx_subjects_uscc ON subjects (uscc)").await;
    sql(
        "DELETE FROM seaql_migrations WHERE version = 'm20261206_000002_unique_subject_identities'",
    )
    .await;
    for code in ["D370102000001", "D370102000002"] {
        sql(&format!(
            "INSERT INTO subjects (kind, code, name, region, id_number, profession, created_at, updated_at) \
             VALUES ('practitioner', '{code}', '张三', '370102', '11010519491231002X', 'physician', \
             CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
        .await;
    }
    let (ok, text) = run(&["check"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("11010519491231002X (practitioner): D370102000001, D370102000002"),
        "{text}"
    );
    let (ok, text) = run(&["migrate"]);
    assert!(!ok && text.contains("medcredit check"), "{text}");

    // Merged: the check passes and the migration adds the rule.
    sql("DELETE FROM subjects WHERE code = 'D370102000002'").await;
    assert!(run(&["check"]).0);
    let (ok, text) = run(&["migrate"]);
    assert!(ok, "{text}");
    assert!(run(&["check"]).0);
}

#[tokio::test]
async fn a_practitioner_who_moves_region_keeps_one_file_under_a_new_code() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.approved_case(
        PHYSICIAN,
        "PRAC-IDENTITY-UNCHECKED",
        serde_json::json!({"points": 3}),
    )
    .await;
    let before = app
        .get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Inspector)
        .await
        .body;
    assert_eq!(before["points"], 3);
    let moved = "D370103000009";
    // Another subject's code, and an insured person's code, are refused.
    app.patch(
        &format!("/api/v1/subjects/{PHYSICIAN}"),
        Role::Inspector,
        &serde_json::json!({"code": OTHER_PHYSICIAN}),
    )
    .await
    .assert_problem(409);
    app.patch(
        "/api/v1/subjects/11010519491231002X",
        Role::Inspector,
        &serde_json::json!({"code": "110105194912310029"}),
    )
    .await
    .assert_problem(422);
    let patched = app
        .patch(
            &format!("/api/v1/subjects/{PHYSICIAN}"),
            Role::Inspector,
            &serde_json::json!({"code": moved, "region": "370103"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["code"], moved);
    // One file: the points, the case and the hospital's view follow the person; the old code is gone.
    let after = app
        .get(&format!("/api/v1/standing/{moved}"), Role::Inspector)
        .await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert_eq!(after.body["points"], 3);
    assert_eq!(
        app.get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Inspector)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let cases = app
        .get(
            &format!("/api/v1/violations?subject_code={moved}"),
            Role::Inspector,
        )
        .await;
    assert_eq!(
        cases.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        cases.body
    );
    assert_eq!(
        app.get(&format!("/api/v1/standing/{moved}"), Role::Hospital)
            .await
            .status,
        StatusCode::OK
    );
    // The feed tells a mirror which code it had.
    let feed = app
        .get("/api/v1/changes?limit=500", Role::Partner)
        .await
        .body;
    let recoded: Vec<&serde_json::Value> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["entity"] == "subject" && i["value"]["previous_code"] == PHYSICIAN)
        .collect();
    assert_eq!(recoded.len(), 1, "{feed}");
    assert_eq!(recoded[0]["value"]["code"], moved);
    assert_eq!(recoded[0]["value"]["name"], "张*");
}
