//! Bulk import: who may import and the limits, named before the body is read; progress while a large import
//! streams in; and a record whose server stopped.

use super::*;

#[tokio::test]
async fn refusals_come_before_the_body_and_limits_are_named() {
    let app = spawn_app().await;
    for role in [Role::Reviewer, Role::Hospital, Role::Partner, Role::Auditor] {
        import(&app, role, CSV, "not,a,valid\nfile".into())
            .await
            .assert_problem(403);
    }
    let xml = import(
        &app,
        Role::Inspector,
        "application/xml",
        "<subjects/>".into(),
    )
    .await;
    xml.assert_problem(415);

    // A header that names an unknown column or misses a required one fails at line 1.
    let header = import(&app, Role::Inspector, CSV, "kind,name,colour\n".into()).await;
    let problem = header.assert_problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"colour") && fields.contains(&"region"),
        "{fields:?}"
    );
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["line"] == 1)
    );
    // An empty import is refused, not a success that did nothing.
    import(&app, Role::Inspector, CSV, format!("{HEADER}\n"))
        .await
        .assert_problem(422);
    // JSON lines: each line is one object.
    let lines = import(&app, Role::Inspector, JSONL, "[1]\n{not json\n".into()).await;
    let problem = lines.assert_problem(422);
    assert_eq!(problem["errors"][0]["line"], 1);
    assert_eq!(problem["errors"][1]["line"], 2);

    // One row more than the limit is 413 naming it, and nothing is written.
    let subjects = app.count("subjects").await;
    let mut big = String::from("kind,name,region\n");
    for _ in 0..100_001 {
        big.push_str("insured,某,370102\n");
    }
    let response = import(&app, Role::Inspector, CSV, big).await;
    let problem = response.assert_problem(413);
    assert!(
        problem["detail"].as_str().unwrap().contains("100000"),
        "{problem}"
    );
    assert_eq!(app.count("subjects").await, subjects);
}

/// A client streams a large file slowly; meanwhile `GET /imports?state=running` shows how many rows have been
/// read. The request is written by hand so that the test decides when each part of the body is sent.
#[tokio::test]
async fn a_running_import_shows_its_progress() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.token(Role::Inspector)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = |rows: std::ops::Range<u32>, header: bool| {
        let mut text = if header {
            format!("{HEADER}\n")
        } else {
            String::new()
        };
        for n in rows {
            text.push_str(&practitioner_row(n));
            text.push('\n');
        }
        format!("{:x}\r\n{text}\r\n", text.len())
    };
    stream
        .write_all(chunk(10..2510, true).as_bytes())
        .await
        .unwrap();
    let mut seen = None;
    for _ in 0..200 {
        let running = app
            .get("/api/v1/imports?state=running", Role::Inspector)
            .await;
        if let Some(rows) = running.body["items"][0]["rows_read"]
            .as_u64()
            .filter(|r| *r > 0)
        {
            seen = Some(rows);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let seen = seen.expect("the running import is listed with the rows read so far");
    assert!((1..=2500).contains(&seen), "{seen}");
    // Sent in chunks, without a Content-Length: the bytes so far are known, the total and the share not yet.
    let running = app
        .get("/api/v1/imports?state=running", Role::Inspector)
        .await
        .body["items"][0]
        .clone();
    assert_eq!(running["stage"], "receiving", "{running}");
    assert!(running["bytes_read"].as_u64().unwrap() > 0, "{running}");
    for unknown in ["bytes_total", "rows_total", "percent_done"] {
        assert!(running.get(unknown).is_none(), "{unknown}: {running}");
    }
    let metrics = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    let text = metrics.body.as_str().unwrap_or_default();
    assert!(
        text.lines().any(|l| l == "medcredit_imports_running 1"),
        "{text}"
    );
    stream
        .write_all(chunk(2510..3010, false).as_bytes())
        .await
        .unwrap();
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or_default())
        .or_else(|_| {
            // A chunked answer: the JSON is the first chunk's text.
            let rest = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
            serde_json::from_str(rest.split("\r\n").nth(1).unwrap_or_default())
        })
        .expect("a JSON answer");
    assert_eq!(body["rows_imported"], 3000);
    assert_eq!(body["rows_total"], 3000);
    assert_eq!(body["percent_done"], 100);
    assert!(body.get("stage").is_none(), "{body}");
    // It took as long as its upload: it finished after it started.
    let (started, finished) = (&body["started_at"], &body["finished_at"]);
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(parse(finished) > parse(started), "{body}");
    let done = app
        .get("/api/v1/imports?state=running", Role::Inspector)
        .await;
    assert_eq!(done.body["items"], json!([]));
    let metrics = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    let text = metrics.body.as_str().unwrap_or_default();
    assert!(
        text.lines().any(|l| l == "medcredit_imports_running 0"),
        "{text}"
    );
}

/// A record left `running` by a server that stopped mid-import (nothing of it was committed) reads as failed
/// once the import could no longer be running anywhere, and the state filters agree with what is shown.
#[tokio::test]
async fn an_import_whose_server_stopped_reads_as_failed() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(11);
    let left = entity::import::ActiveModel {
        actor: Set("inspector-1".into()),
        role: Set("inspector".into()),
        format: Set("csv".into()),
        state: Set("running".into()),
        rows_read: Set(0),
        rows_imported: Set(0),
        error_count: Set(0),
        errors: Set("[]".into()),
        started_at: Set(started),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .expect("a left-over record");
    let record = app
        .get(&format!("/api/v1/imports/{}", left.id), Role::Inspector)
        .await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    assert_eq!(record.body["state"], "failed");
    assert_eq!(record.body["errors"][0]["field"], "body");
    let running = app
        .get("/api/v1/imports?state=running", Role::Inspector)
        .await;
    assert_eq!(running.body["items"], json!([]));
    let failed = app
        .get("/api/v1/imports?state=failed", Role::Inspector)
        .await;
    assert_eq!(failed.body["items"][0]["id"], left.id);
}

/// An upload stalled after its first row holds no writer: another user's registration answers at once, and
/// the import completes when the rest arrives (issue 18: on SQLite it used to wait for the whole upload).
#[tokio::test]
async fn a_stalled_upload_does_not_hold_the_writer() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.token(Role::Inspector)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let first = format!("{HEADER}\n{}\n", practitioner_row(1));
    let chunk = |text: &str| format!("{:x}\r\n{text}\r\n", text.len());
    stream.write_all(chunk(&first).as_bytes()).await.unwrap();
    // The import has started (its record is listed) and waits for the rest of its body.
    for _ in 0..200 {
        let running = app
            .get("/api/v1/imports?state=running", Role::Inspector)
            .await;
        if running.body["items"][0]["rows_read"].as_u64() == Some(1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let started = std::time::Instant::now();
    let other = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        app.post(
            "/api/v1/subjects",
            Role::Approver,
            &institution("H37010200071", "另一家医院"),
        ),
    )
    .await
    .expect("a registration answers while an upload is stalled");
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let rest = format!("{}\n", practitioner_row(2));
    stream.write_all(chunk(&rest).as_bytes()).await.unwrap();
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// A body announced over the import's own limit is refused at once with that limit, not another route's.
#[tokio::test]
async fn an_import_over_its_size_limit_names_its_own_limit() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{HEADER}\n",
        app.token(Role::Inspector),
        64 * 1024 * 1024 + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("64 MiB") && !answer.contains("1 MiB"),
        "{answer}"
    );
}

/// An upload that announces its size: while half of it has arrived, the record says how many bytes of how many,
/// and the share done (the arrival being the first half of the work).
#[tokio::test]
async fn an_announced_upload_shows_its_total_and_share_done() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut body = format!("{HEADER}\n");
    for n in 10..210 {
        body.push_str(&practitioner_row(n));
        body.push('\n');
    }
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {IMPORT} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: {CSV}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        app.token(Role::Inspector),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let half = body.len() / 2;
    stream.write_all(&body.as_bytes()[..half]).await.unwrap();
    let mut running = Value::Null;
    for _ in 0..200 {
        running = app
            .get("/api/v1/imports?state=running", Role::Inspector)
            .await
            .body["items"][0]
            .clone();
        if running["bytes_read"].as_u64() == Some(half as u64) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(running["bytes_read"], half, "{running}");
    assert_eq!(running["bytes_total"], body.len(), "{running}");
    assert_eq!(running["percent_done"], 25, "{running}");
    assert_eq!(running["stage"], "receiving", "{running}");
    stream.write_all(&body.as_bytes()[half..]).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains(r#""rows_total":200"#), "{answer}");
}
