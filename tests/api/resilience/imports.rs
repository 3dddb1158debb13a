//! Import records that tell the truth after a fault: an import cut off by a stop reads `failed` ("the server
//! stopped") as soon as the server is back; one that failed for space says so; `error_count` is the number of
//! errors recorded and `finished_at` its real end.

use std::time::{Duration, Instant};

use medcredit::auth::Role;
use reqwest::StatusCode;
use sea_orm::{DbBackend, EntityTrait};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::database::cap_every_connection;
use super::serve_keeping_state;
use crate::crash::Server;
use crate::helpers::*;
use crate::imports::{CSV, HEADER, IMPORT, practitioner_row};

/// The record's promises: failed, nothing imported, as many errors counted as listed, an end after its start.
#[track_caller]
fn assert_failed_truthfully(record: &Value, reason: &str) {
    assert_eq!(record["state"], "failed", "{record}");
    assert_eq!(record["rows_imported"], 0, "{record}");
    let errors = record["errors"].as_array().expect("errors");
    assert_eq!(record["error_count"], errors.len(), "{record}");
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains(reason)),
        "no {reason:?} in {record}"
    );
    let started = record["started_at"].as_str().expect("started_at");
    let finished = record["finished_at"].as_str().expect("finished_at");
    assert!(finished >= started, "{record}");
}

async fn imports(api: &Api, query: &str) -> Vec<Value> {
    let response = api
        .get(&format!("/api/v1/imports{query}"), Role::Inspector)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn an_import_cut_off_by_a_kill_reads_failed_as_soon_as_the_server_is_back() {
    let database = TestDatabase::fresh().await;
    let logs = tempfile::tempdir().expect("log dir");
    let mut server = Server::start(&database, logs.path()).await;
    let address = server.api.address.trim_start_matches("http://").to_string();
    // Half a body of a declared 10 MB: the import runs, waiting for the rest.
    let rows: String = (1..=50).map(|n| practitioner_row(n) + "\n").collect();
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Content-Length: 10000000\r\n\r\n{HEADER}\n{rows}",
        server.api.token(Role::Inspector)
    );
    let mut upload = TcpStream::connect(&address).await.unwrap();
    upload.write_all(head.as_bytes()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let id = loop {
        if let Some(running) = imports(&server.api, "?state=running").await.first() {
            break running["id"].as_i64().expect("id");
        }
        assert!(
            Instant::now() < deadline,
            "the import never showed as running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    server.kill();
    drop(upload);
    let server = Server::start(&database, logs.path()).await;
    let record = server
        .api
        .get(&format!("/api/v1/imports/{id}"), Role::Inspector)
        .await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    assert_failed_truthfully(&record.body, "the server stopped");
    assert!(imports(&server.api, "?state=running").await.is_empty());
}

#[tokio::test]
async fn an_import_that_fails_for_space_records_why() {
    let served = serve_keeping_state(&[]).await;
    if served.state.db.backend() != DbBackend::Sqlite {
        eprintln!("skipped: a full disk is provoked with SQLite's max_page_count");
        return;
    }
    let api = &served.api;
    cap_every_connection(&served.state.db.conn, 1).await;
    let rows: String = (1..=2000).map(|n| practitioner_row(n) + "\n").collect();
    let body = format!("{HEADER}\n{rows}");
    let response = api
        .send_raw(IMPORT, Some(&api.token(Role::Inspector)), CSV, body)
        .await;
    response.assert_problem(507);
    let failed = imports(api, "?state=failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_failed_truthfully(&failed[0], "space");
}

/// Several nodes share PostgreSQL: a node that starts must not fail another node's running import. The lock
/// that a running import holds tells them apart.
#[tokio::test]
async fn a_starting_node_leaves_other_nodes_running_imports_alone() {
    let app = spawn_app().await;
    if app.backend() != DbBackend::Postgres {
        eprintln!(
            "skipped: several nodes are a PostgreSQL deployment (an SQLite file has one server)"
        );
        return;
    }
    let address = app.address.trim_start_matches("http://").to_string();
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Content-Length: 10000000\r\n\r\n{HEADER}\n{}\n",
        app.token(Role::Inspector),
        practitioner_row(1)
    );
    let mut upload = TcpStream::connect(&address).await.unwrap();
    upload.write_all(head.as_bytes()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while imports(&app.api, "?state=running").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the import never showed as running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Give the import a moment to take its lock in its transaction.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (second, _) = app.second_node().await;
    assert_eq!(imports(&second, "?state=running").await.len(), 1);
    drop(upload);
}

/// A stopping server whose grace period runs out in the middle of an import closes the import's record itself:
/// the request is dropped, and its record says so at once rather than waiting for a restart.
#[tokio::test]
async fn an_import_cut_off_by_the_grace_period_records_why() {
    let database = TestDatabase::fresh().await;
    let settings = [
        ("MEDCREDIT_JWT_SECRET", SECRET),
        ("MEDCREDIT_SHUTDOWN_GRACE_SECS", "1"),
    ];
    let config = database.config(&settings);
    let keys = medcredit::auth::JwtKeys::from_config(&config, None).expect("keys");
    let app = medcredit::startup::Application::build(config, keys.clone())
        .await
        .expect("build");
    let state = app.state().clone();
    let api = Api {
        address: format!("http://127.0.0.1:{}", app.port()),
        client: reqwest::Client::new(),
        keys,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Content-Length: 10000000\r\n\r\n{HEADER}\n{}\n",
        api.token(Role::Inspector),
        practitioner_row(1)
    );
    let address = api.address.trim_start_matches("http://").to_string();
    let mut upload = TcpStream::connect(&address).await.unwrap();
    upload.write_all(head.as_bytes()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let id = loop {
        if let Some(running) = imports(&api, "?state=running").await.first() {
            break running["id"].as_i64().expect("id");
        }
        assert!(
            Instant::now() < deadline,
            "the import never showed as running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops after its grace period")
        .expect("no panic")
        .expect("served");
    // The record is closed on a task of its own: give it a moment, through the test's own connection.
    let deadline = Instant::now() + Duration::from_secs(10);
    let record = loop {
        let row = entity::import::Entity::find_by_id(id)
            .one(&state.db.conn)
            .await
            .expect("read")
            .expect("the record");
        if row.state != "running" || Instant::now() > deadline {
            break row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(record.state, "failed", "{record:?}");
    // The row keeps the message's key, rendered in the reader's language when the import is read.
    assert!(record.errors.contains("import-request-ended"), "{record:?}");
    assert_eq!(record.error_count, 1, "{record:?}");
    assert!(record.finished_at.is_some(), "{record:?}");
    drop(upload);
}
