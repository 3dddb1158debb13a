//! The database as a dependency with a state: away (503 with `Retry-After`, never 500) or full (507, and
//! `/readyz` not ready until a write succeeds again).

use medcredit::auth::Role;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};
use serde_json::json;

use super::serve_keeping_state;
use crate::helpers::*;

async fn readyz(api: &Api) -> TestResponse {
    api.send(reqwest::Method::GET, "/readyz", None, None).await
}

#[tokio::test]
async fn an_unreachable_database_is_503_with_retry_after_never_500() {
    let served = serve_keeping_state(&[]).await;
    let api = &served.api;
    api.register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    // The server's own pool, closed under it: every request that needs the database finds it gone.
    served.state.db.conn.clone().close().await.expect("close");

    let read = api.get("/api/v1/subjects", Role::Auditor).await;
    let write = api
        .post(
            "/api/v1/subjects",
            Role::Inspector,
            &institution(OTHER_INSTITUTION, "历下区中医医院"),
        )
        .await;
    let case = api
        .post(
            "/api/v1/violations",
            Role::Inspector,
            &case_body(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY"),
        )
        .await;
    for response in [read, write, case, readyz(api).await] {
        let problem = response.assert_problem(503);
        assert_eq!(problem["type"], "/problems/unavailable");
        let retry = response.headers.get("retry-after").expect("Retry-After");
        assert!(retry.to_str().unwrap().parse::<u64>().is_ok(), "{retry:?}");
        // Nothing of the driver's words (hosts, schemas) reaches the client.
        let text = problem.to_string().to_lowercase();
        assert!(
            !text.contains("pool") && !text.contains("sqlx"),
            "{problem}"
        );
    }
    let alive = api.send(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(alive.status, StatusCode::OK);
}

/// `max_page_count` caps an SQLite file at its size, per connection: every connection of the server's pool
/// gets it, held at once so that each is a different one. The error is the one a full disk gives (SQLITE_FULL).
pub(super) async fn cap_every_connection(pool: &DatabaseConnection, pages: u64) {
    let mut held = Vec::new();
    for _ in 0..8 {
        let txn = pool.begin().await.expect("a pooled connection");
        txn.execute_unprepared(&format!("PRAGMA max_page_count = {pages}"))
            .await
            .expect("max_page_count");
        held.push(txn);
    }
    for txn in held {
        txn.commit().await.expect("commit");
    }
}

#[tokio::test]
async fn a_full_database_is_507_and_not_ready_until_a_write_succeeds() {
    let served = serve_keeping_state(&[]).await;
    if served.state.db.backend() != DbBackend::Sqlite {
        eprintln!(
            "skipped: a full disk is provoked with SQLite's max_page_count (PostgreSQL's 53100 maps alike)"
        );
        return;
    }
    let api = &served.api;
    api.register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    let pool = served.state.db.conn.clone();
    // Below the file's size: SQLite holds it at the size the file has.
    cap_every_connection(&pool, 1).await;

    // Cases until the file has no free page left for the next.
    let mut full = None;
    let mut recorded = 0;
    for _ in 0..500 {
        let body = case_body(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY");
        let response = api.post("/api/v1/violations", Role::Inspector, &body).await;
        if response.status == StatusCode::CREATED {
            recorded += 1;
            continue;
        }
        full = Some(response);
        break;
    }
    let full = full.expect("the capped file fills up");
    let problem = full.assert_problem(507);
    assert_eq!(problem["type"], "/problems/insufficient-storage");
    readyz(api).await.assert_problem(503);
    // Reads still work; the refused case left nothing behind.
    let cases = api.get("/api/v1/violations?limit=500", Role::Auditor).await;
    assert_eq!(cases.status, StatusCode::OK, "{}", cases.body);
    assert_eq!(cases.body["items"].as_array().unwrap().len(), recorded);

    // Space comes back: readiness finds out by itself, with no client write.
    cap_every_connection(&pool, 1 << 30).await;
    let ready = readyz(api).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let body = json!({"kind": "institution", "code": OTHER_INSTITUTION, "name": "历下区中医医院",
        "region": "370102", "uscc": "92370102MA3M9AG94X", "level": "三级甲等"});
    api.register(body).await;
}

/// Requests give up on a busy pool after the short acquire timeout; a bulk import waits its longer one.
#[tokio::test]
async fn requests_wait_briefly_for_a_connection_and_imports_patiently() {
    let served = serve_keeping_state(&[("MEDCREDIT_DB_ACQUIRE_TIMEOUT_MS", "300")]).await;
    let api = served.api.clone();
    // Every connection of the server's pool, taken by the test.
    let mut held = Vec::new();
    while let Ok(txn) = served.state.db.conn.begin().await {
        held.push(txn);
        assert!(held.len() <= 100, "the pool never ran out");
    }
    let read = api.get("/api/v1/subjects", Role::Auditor).await;
    read.assert_problem(503);
    assert!(read.headers.contains_key("retry-after"));

    let body = format!(
        "{}\n{}\n",
        crate::imports::HEADER,
        crate::imports::practitioner_row(1)
    );
    let import = tokio::spawn(async move {
        let token = api.token(Role::Inspector);
        api.send_raw(
            crate::imports::IMPORT,
            Some(&token),
            crate::imports::CSV,
            body,
        )
        .await
    });
    // Well past the request's timeout, well within the import's.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    drop(held);
    let imported = import.await.expect("import");
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
}

/// Another process holding SQLite's write lock past the busy timeout (10 s) is an outage too: 503, not 500.
#[tokio::test]
async fn sqlite_busy_past_its_timeout_is_503() {
    let served = serve_keeping_state(&[]).await;
    if served.state.db.backend() != DbBackend::Sqlite {
        eprintln!("skipped: SQLITE_BUSY is SQLite's");
        return;
    }
    let api = &served.api;
    api.register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    // A connection of the test's own, as another process would have: a write transaction left open.
    let other = medcredit::db::Db::connect(&served.database.url, None)
        .await
        .expect("another connection");
    let holder = other.conn.begin().await.expect("begin");
    holder
        .execute_unprepared("CREATE TABLE held_by_another_process (x INTEGER)")
        .await
        .expect("take the write lock");
    let body = case_body(INSTITUTION, "INST-MANAGEMENT-DEFICIENCY");
    let refused = api.post("/api/v1/violations", Role::Inspector, &body).await;
    holder.rollback().await.expect("rollback");
    refused.assert_problem(503);
    assert!(refused.headers.contains_key("retry-after"));
    let accepted = api.post("/api/v1/violations", Role::Inspector, &body).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
}
