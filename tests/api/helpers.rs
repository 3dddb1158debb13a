//! `spawn_app()`: the real server on port 0 with its own fresh database — a temp SQLite file, or, when
//! `TEST_DATABASE_URL` is set, a fresh PostgreSQL schema dropped afterwards.

use medcredit::auth::{JwtKeys, Role};
use medcredit::config::Config;
use medcredit::db::Db;
use medcredit::startup::Application;
use medcredit::state::{AppState, Clock};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::Value;
use std::collections::HashMap;
use std::ops::Deref;

pub const SECRET: &str = "test-secret-test-secret-test-secret!";
/// The key that seals tips' contact and payment details in tests (32 bytes of hex).
pub const TIP_KEY: &str = "5c0e3c1d9a7b44f2a1e8d6c3b2a190817263544536271809a1b2c3d4e5f60718";
pub const INSTITUTION: &str = "H37010200001";
pub const OTHER_INSTITUTION: &str = "H37010200002";

/// A client of one server: its base address and the keys its tokens are minted with. Cloneable so that
/// spawned tasks can race requests, and usable on a server in a child process (tests/api/crash.rs).
#[derive(Clone)]
pub struct Api {
    pub address: String,
    pub client: reqwest::Client,
    pub keys: JwtKeys,
}

/// A server in the test's own runtime; its request helpers are those of its `Api`.
pub struct TestApp {
    pub api: Api,
    /// A connection of the test's own to the same database, for what only the database can show.
    pub db: Db,
    /// The server's clock; `set_now` moves legal time (approvals, cycles) for year-boundary tests.
    pub clock: Clock,
    /// The configuration it was built with, so a second node can join the same database.
    pub config: Config,
    _database: TestDatabase,
}

impl Deref for TestApp {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// A fresh, empty database of one test: a temp SQLite file, or a new schema in `TEST_DATABASE_URL`, dropped
/// with this value.
pub struct TestDatabase {
    pub url: String,
    /// PostgreSQL only: the schema to pass as `MEDCREDIT_DB_SCHEMA`.
    pub schema: Option<String>,
    _sqlite_dir: Option<tempfile::TempDir>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status and returns the body.
    #[track_caller]
    pub fn assert_problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "content type {} for {}",
            self.content_type(),
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].is_string() && self.body["title"].is_string());
        assert!(self.body["detail"].is_string());
        &self.body
    }

    /// The `field`s named in a validation problem.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The language the test client asks for unless a test says otherwise: existing assertions on message text are
/// in English, while the server's default (no `Accept-Language`) is zh-CN.
pub const TEST_LANGUAGE: &str = "en";

/// A client that sends `Accept-Language: en` with every request (a request's own header replaces it).
pub fn client() -> reqwest::Client {
    client_builder(Some(TEST_LANGUAGE))
        .build()
        .expect("HTTP client")
}

/// A client builder sending `Accept-Language: <language>`, or no such header at all for `None`.
pub fn client_builder(language: Option<&str>) -> reqwest::ClientBuilder {
    let mut headers = HeaderMap::new();
    if let Some(language) = language {
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            language.parse().expect("a header value"),
        );
    }
    reqwest::Client::builder().default_headers(headers)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// As `spawn_app`, with extra configuration variables (e.g. a low rate limit) laid over the test defaults.
pub async fn spawn_app_with(settings: &[(&'static str, &str)]) -> TestApp {
    let settings = [&[("MEDCREDIT_JWT_SECRET", SECRET)], settings].concat();
    let database = TestDatabase::fresh().await;
    let config = database.config(&settings);
    let db_url = secrecy::ExposeSecret::expose_secret(&config.database_url).to_string();
    let schema = config.db_schema.clone();
    // The server's own way of building its keys, so a MEDCREDIT_JWT_KEYS_FILE setting counts as in production.
    let keys = JwtKeys::from_config(&config, None).expect("test keys");
    let clock = Clock::default();
    let app = Application::build_with_clock(config.clone(), keys.clone(), clock.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let db = Db::connect(&db_url, schema.as_deref())
        .await
        .expect("test connection");
    TestApp {
        api: Api {
            address,
            client: client(),
            keys,
        },
        db,
        clock,
        config,
        _database: database,
    }
}

impl TestApp {
    /// Another server on the same database, as a second node behind a load balancer would be; its state is
    /// returned for the hooks a test drives instead of sleeping (the standing cache's sync).
    pub async fn second_node(&self) -> (Api, AppState) {
        self.node_with(self.config.clone()).await
    }

    /// Another node on the same database with a configuration of its own (e.g. its scheduler on).
    pub async fn node_with(&self, config: Config) -> (Api, AppState) {
        let app = Application::build(config, self.keys.clone())
            .await
            .expect("build second node");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        let api = Api {
            address,
            client: client(),
            keys: self.keys.clone(),
        };
        (api, state)
    }
}

impl TestDatabase {
    /// The configuration of an in-process server on this database: port 0, the limiter and the background
    /// writers off, then `settings` laid over. Background writers would hold transactions when a test ends and
    /// its schema is dropped; tests drive the scheduler and the outbox through their hooks instead (no sleeping).
    /// Tests fire requests faster than any person; the limiter has its own tests (limits.rs) that switch it on.
    pub fn config(&self, settings: &[(&str, &str)]) -> Config {
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("MEDCREDIT_BIND".into(), "127.0.0.1:0".into());
        env.insert("MEDCREDIT_RATE_LIMIT_PER_MINUTE".into(), "0".into());
        env.insert("MEDCREDIT_OUTBOX_MS".into(), "0".into());
        env.insert("MEDCREDIT_DATES_SECS".into(), "0".into());
        // The tests' webhook receivers listen on loopback, as an on-premises deployment's would on its network.
        env.insert("MEDCREDIT_WEBHOOK_ALLOW".into(), "127.0.0.0/8".into());
        // Tips' contact and payment details are sealed with a key from configuration.
        env.insert("MEDCREDIT_TIP_KEY".into(), TIP_KEY.into());
        env.insert("DATABASE_URL".into(), self.url.clone());
        if let Some(schema) = &self.schema {
            env.insert("MEDCREDIT_DB_SCHEMA".into(), schema.clone());
        }
        for (key, value) in settings {
            env.insert(key.to_string(), value.to_string());
        }
        Config::from_lookup(|k| env.get(k).cloned()).expect("test config")
    }

    pub async fn fresh() -> TestDatabase {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = Db::connect(&url, None)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .conn
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create test schema");
                admin.conn.close().await.ok();
                TestDatabase {
                    url,
                    schema: Some(schema),
                    _sqlite_dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("medcredit-test.db");
                TestDatabase {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    schema: None,
                    _sqlite_dir: Some(dir),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            let url = self.url.clone();
            // Drop runs inside the test's runtime; a thread with its own runtime may block on the cleanup.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(admin) = Db::connect(&url, None).await {
                            // A server task of this test may still hold a transaction on the schema, and it
                            // cannot finish while the test's thread waits here: give up rather than hang.
                            // A CI run drops its whole database at the end.
                            let _ = admin
                                .conn
                                .execute_unprepared(&format!(
                                    "SET lock_timeout = '5s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                                ))
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

impl TestApp {
    /// The client the server's own delivery loop uses, with this configuration's allowed addresses.
    pub fn outbound(&self) -> medcredit::worker::outbox::Outbound {
        medcredit::worker::outbox::Outbound::new(self.config.webhook_allow.clone())
    }

    pub fn backend(&self) -> DbBackend {
        self.db.backend()
    }

    /// Rows in `table`, read straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .conn
            .query_one_raw(sea_orm::Statement::from_string(
                self.backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// Pins the server's clock to an RFC 3339 instant.
    pub fn set_now(&self, at: &str) {
        let at = chrono::DateTime::parse_from_rfc3339(at)
            .expect("RFC 3339")
            .with_timezone(&chrono::Utc);
        self.clock.set(Some(at));
    }
}

impl Api {
    /// Records a case as `inspector-1` and returns its id.
    pub async fn record_case(&self, subject: &str, type_code: &str) -> i64 {
        let response = self
            .post(
                "/api/v1/violations",
                Role::Inspector,
                &case_body(subject, type_code),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.body["id"].as_i64().expect("id")
    }

    /// Records and reviews a case; it waits for approval.
    pub async fn reviewed_case(&self, subject: &str, type_code: &str) -> i64 {
        let id = self.record_case(subject, type_code).await;
        let response = self
            .post(
                &format!("/api/v1/violations/{id}/review"),
                Role::Reviewer,
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        id
    }

    /// Records, reviews and approves a case with `approval` as the approver's body; returns the approved case.
    pub async fn approved_case(&self, subject: &str, type_code: &str, approval: Value) -> Value {
        let id = self.record_case(subject, type_code).await;
        self.review_and_approve(id, approval).await
    }

    /// Takes a recorded case through review and approval (`approval` is the approver's body).
    pub async fn review_and_approve(&self, id: i64, approval: Value) -> Value {
        let review = format!("/api/v1/violations/{id}/review");
        let response = self
            .post(&review, Role::Reviewer, &serde_json::json!({}))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let approve = format!("/api/v1/violations/{id}/approve");
        let response = self.post(&approve, Role::Approver, &approval).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body
    }

    /// Credit standing of a subject, optionally as of a date.
    pub async fn credit(&self, code: &str, as_of: Option<&str>) -> Value {
        let path = match as_of {
            Some(day) => format!("/api/v1/subjects/{code}/credit?as_of={day}"),
            None => format!("/api/v1/subjects/{code}/credit"),
        };
        let response = self.get(&path, Role::Auditor).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body
    }

    /// Sanctions of a subject (all statuses), oldest first.
    pub async fn sanctions_of(&self, code: &str) -> Vec<Value> {
        let response = self
            .get(
                &format!("/api/v1/sanctions?subject_code={code}"),
                Role::Auditor,
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Sanctions of a subject but the engine's 6-point interviews (约谈): what the suspension ladder, the
    /// termination line and approvers wrote.
    pub async fn ladder_sanctions_of(&self, code: &str) -> Vec<Value> {
        let mut sanctions = self.sanctions_of(code).await;
        sanctions.retain(|s| !(s["type"] == "interview" && s["automatic"] == true));
        sanctions
    }

    /// A token for `role` with a subject named after it; hospitals belong to `INSTITUTION`.
    /// The same server through a client that asks for `language` (`Some("zh-CN")`), or sends no
    /// `Accept-Language` at all (`None`), as a browser or `curl` might.
    pub fn in_language(&self, language: Option<&str>) -> Api {
        Api {
            client: client_builder(language).build().expect("HTTP client"),
            ..self.clone()
        }
    }

    pub fn token(&self, role: Role) -> String {
        let org = (role == Role::Hospital).then_some(INSTITUTION);
        self.token_for(role, &format!("{}-1", role.as_str()), org)
    }

    pub fn token_for(&self, role: Role, sub: &str, org: Option<&str>) -> String {
        self.keys.mint(role, sub, org, chrono::Duration::hours(1))
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::answer(request).await
    }

    /// A request whose body is not JSON: a bulk import's CSV or JSON lines.
    pub async fn send_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> TestResponse {
        let mut request = self
            .client
            .post(format!("{}{}", self.address, path))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::answer(request).await
    }

    async fn answer(request: reqwest::RequestBuilder) -> TestResponse {
        let response = request.send().await.expect("request reaches the server");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, role: Role) -> TestResponse {
        self.send(Method::GET, path, Some(&self.token(role)), None)
            .await
    }

    pub async fn post(&self, path: &str, role: Role, body: &Value) -> TestResponse {
        self.send(Method::POST, path, Some(&self.token(role)), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, role: Role, body: &Value) -> TestResponse {
        self.send(Method::PATCH, path, Some(&self.token(role)), Some(body))
            .await
    }

    /// An approved case against `subject`, for a sanction to rest on: the lightest type of its kind (an insured
    /// person's case also suspends settlement for the minimum 3 months, as every insured type does).
    pub async fn grounds(&self, subject: &str) -> i64 {
        let (type_code, approval) = match subject.chars().next() {
            Some('H') => (
                "INST-MANAGEMENT-DEFICIENCY",
                serde_json::json!({"points": 1}),
            ),
            Some('P') => (
                "PHAR-MANAGEMENT-DEFICIENCY",
                serde_json::json!({"points": 1}),
            ),
            Some('D') => ("PRAC-IDENTITY-UNCHECKED", serde_json::json!({"points": 1})),
            _ => (
                "INSD-DUPLICATE-BENEFITS",
                serde_json::json!({"points": 0, "settlement_suspension_months": 3}),
            ),
        };
        let case = self.approved_case(subject, type_code, approval).await;
        case["id"].as_i64().expect("case id")
    }

    /// Registers a subject as an inspector and asserts it was created.
    pub async fn register(&self, body: Value) -> Value {
        let response = self.post("/api/v1/subjects", Role::Inspector, &body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.body
    }

    /// Two institutions, two physicians (the first affiliated with `INSTITUTION`), a pharmacy and an insured person.
    pub async fn seed_registry(&self) {
        self.register(institution(INSTITUTION, "济南市第一人民医院"))
            .await;
        self.register(institution(OTHER_INSTITUTION, "历下区中医医院"))
            .await;
        self.register(practitioner(PHYSICIAN, "张三", "11010519491231002X"))
            .await;
        self.register(practitioner(
            OTHER_PHYSICIAN,
            "王小明",
            "440524188001010014",
        ))
        .await;
        self.register(serde_json::json!({
            "kind": "insured", "name": "李四", "region": "370102",
            "id_number": "11010519491231002X", "insurance_type": "employee"
        }))
        .await;
        let response = self
            .post(
                &format!("/api/v1/subjects/{PHYSICIAN}/affiliations"),
                Role::Inspector,
                &serde_json::json!({"institution_code": INSTITUTION, "valid_from": "2020-01-01"}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
}

pub const PHYSICIAN: &str = "D370102000001";
pub const OTHER_PHYSICIAN: &str = "D370102000002";

pub fn institution(code: &str, name: &str) -> Value {
    serde_json::json!({
        "kind": "institution", "code": code, "name": name, "region": "370102",
        "uscc": uscc_for(code), "level": "三级甲等", "designated_since": "2000-01-01"
    })
}

/// The `n`th distinct valid resident ID number (GB 11643), born on a day from 1950 on: one person, one file.
pub fn person_id(n: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
        + chrono::Duration::days((n / 1000).into());
    let body = format!("370102{}{:03}", birth.format("%Y%m%d"), n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A valid USCC (GB 32100) of its own for each subject code: one organisation, one file.
pub fn uscc_for(code: &str) -> String {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let digits = &digits[digits.len().saturating_sub(15)..];
    let tag = if code.starts_with('P') { '2' } else { '1' };
    let body = format!("9{tag}{digits:0>15}");
    let sum: usize = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| CHARSET.iter().position(|c| *c == b).unwrap() * w)
        .sum();
    format!("{body}{}", CHARSET[(31 - sum % 31) % 31] as char)
}

pub fn practitioner(code: &str, name: &str, id_number: &str) -> Value {
    serde_json::json!({
        "kind": "practitioner", "code": code, "name": name, "region": "370102",
        "id_number": id_number, "profession": "physician"
    })
}

/// A case body dated well in the past, with the responsibility a practitioner's case needs.
pub fn case_body(subject: &str, type_code: &str) -> Value {
    let mut body = serde_json::json!({
        "subject_code": subject, "type_code": type_code,
        "occurred_on": "2025-03-01", "discovered_on": "2025-04-01",
        "description": "稽核发现的违规行为", "amount_involved_fen": 120000, "amount_to_recover_fen": 120000,
        "evidence": [{"name": "处方笺.pdf", "sha256": "ab".repeat(32), "uri": "file://evidence/1"}]
    });
    if subject.starts_with('D') {
        body["responsibility"] = serde_json::json!("main");
    }
    body
}
