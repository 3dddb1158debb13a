//! The audit log: one row per write with who/what/request id, readable by auditors, tamper-evident.

use medcredit::auth::Role;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn every_write_is_audited_and_the_chain_verifies() {
    let app = spawn_app().await;
    app.seed_registry().await;
    app.patch(
        &format!("/api/v1/subjects/{INSTITUTION}"),
        Role::Approver,
        &json!({"name": "新名"}),
    )
    .await;
    // A refused write leaves no trace.
    app.post(
        "/api/v1/subjects",
        Role::Inspector,
        &institution(INSTITUTION, "重复"),
    )
    .await
    .assert_problem(409);

    let rows = app
        .get(
            &format!("/api/v1/audit?target={INSTITUTION}"),
            Role::Auditor,
        )
        .await;
    assert_eq!(rows.status, StatusCode::OK);
    let items = rows.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["subject.create", "subject.update"]);
    assert_eq!(items[1]["actor"], "approver-1");
    assert_eq!(items[1]["role"], "approver");
    assert_eq!(items[1]["change"]["name"], "新名");
    assert!(!items[1]["request_id"].as_str().unwrap().is_empty());
    assert_eq!(items[1]["prev_hash"].as_str().unwrap().len(), 64);

    let all = app.get("/api/v1/audit?limit=500", Role::Admin).await;
    let all = all.body["items"].as_array().unwrap().clone();
    let by_users = all.iter().filter(|r| r["actor"] != "system").count();
    assert_eq!(by_users, 7, "5 subjects, 1 affiliation, 1 update");
    let by_actor = app
        .get("/api/v1/audit?actor=approver-1", Role::Auditor)
        .await;
    assert_eq!(by_actor.body["items"].as_array().unwrap().len(), 1);
    let future = app
        .get("/api/v1/audit?from=2999-01-01T00:00:00Z", Role::Auditor)
        .await;
    assert!(future.body["items"].as_array().unwrap().is_empty());

    let report = app.get("/api/v1/audit/verify", Role::Auditor).await;
    assert_eq!(report.body["ok"], true, "{}", report.body);
    assert_eq!(report.body["rows_checked"], all.len());

    for role in [
        Role::Inspector,
        Role::Reviewer,
        Role::Approver,
        Role::Hospital,
        Role::Partner,
    ] {
        app.get("/api/v1/audit", role).await.assert_problem(403);
        app.get("/api/v1/audit/verify", role)
            .await
            .assert_problem(403);
    }
}

#[tokio::test]
async fn the_database_refuses_to_rewrite_audit_rows() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let update = app
        .db
        .conn
        .execute_unprepared("UPDATE audit_log SET actor = 'mallory' WHERE id = 1")
        .await;
    assert!(update.is_err(), "UPDATE must fail");
    let delete = app
        .db
        .conn
        .execute_unprepared("DELETE FROM audit_log WHERE id = 1")
        .await;
    assert!(delete.is_err(), "DELETE must fail");
}

#[tokio::test]
async fn a_tampered_row_is_detected() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // Someone with database superuser rights disables the guard and edits history.
    let disable = match app.backend() {
        DbBackend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        _ => "DROP TRIGGER audit_log_no_update",
    };
    app.db.conn.execute_unprepared(disable).await.unwrap();
    app.db
        .conn
        .execute_unprepared("UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
        .await
        .unwrap();
    let report = app.get("/api/v1/audit/verify", Role::Auditor).await;
    assert_eq!(report.body["ok"], false);
    assert_eq!(report.body["first_broken_id"], 3);
    assert_eq!(report.body["rows_checked"], 2);

    // Rewriting the change without its digest is caught too.
    app.db
        .conn
        .execute_unprepared("UPDATE audit_log SET actor = 'inspector-1' WHERE id = 3")
        .await
        .unwrap();
    app.db
        .conn
        .execute_unprepared("UPDATE audit_log SET change = '{}' WHERE id = 5")
        .await
        .unwrap();
    let report = app.get("/api/v1/audit/verify", Role::Admin).await;
    assert_eq!(report.body["first_broken_id"], 5);
    assert!(report.body["reason"].as_str().unwrap().contains("digest"));
}

#[tokio::test]
async fn every_audit_change_reads_as_an_object_as_documented() {
    let app = spawn_app().await;
    let seed = app
        .get("/api/v1/audit?target=violation-types", Role::Auditor)
        .await;
    assert_eq!(seed.status, StatusCode::OK, "{}", seed.body);
    let first = &seed.body["items"][0];
    assert_eq!(first["action"], "catalogue.seed");
    assert!(first["change"].is_object(), "{first}");
    assert!(
        first["change"]["value"].is_array(),
        "the codes the seed added: {first}"
    );
}
