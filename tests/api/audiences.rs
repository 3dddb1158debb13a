//! Who sees what (issue 17, DESIGN §14), attacked as a partner, a hospital office and an anonymous visitor:
//! masking by typed views whatever the row's age or the name's characters, unpublished entries that do not
//! exist outside staff, no person reachable by ID number, ownership by principal, and one answer for "not
//! yours" and "not there".

use chrono::Utc;
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use medcredit::worker::outbox::deliver_due;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const INSURED: &str = "11010519491231002X";

/// The partner's whole feed, as text and as rows.
async fn partner_feed(app: &TestApp) -> (String, Vec<Value>) {
    let feed = app.get("/api/v1/changes?limit=500", Role::Partner).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let items = feed.body["items"].as_array().unwrap().clone();
    (feed.body.to_string(), items)
}

fn today() -> String {
    legal_date(Utc::now()).to_string()
}

async fn black_entry(app: &TestApp, subject: &str, published: bool) -> i64 {
    let case = app.grounds(subject).await;
    let body = json!({"subject_code": subject, "reason": "骗保", "violation_ids": [case],
                      "listed_on": today(), "published": published});
    let response = app.post("/api/v1/lists/black", Role::Approver, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_feed_row_written_before_a_name_correction_is_masked_too() {
    let app = spawn_app().await;
    app.register(practitioner(PHYSICIAN, "欧阳修文", "11010519491231002X"))
        .await;
    let patched = app
        .patch(
            &format!("/api/v1/subjects/{PHYSICIAN}"),
            Role::Inspector,
            &json!({"name": "欧阳修武"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let (text, items) = partner_feed(&app).await;
    for hidden in ["欧阳修文", "欧阳修武", "修文", "修武", INSURED] {
        assert!(
            !text.contains(hidden),
            "the partner feed shows {hidden}: {text}"
        );
    }
    let names: Vec<&str> = items
        .iter()
        .filter(|i| i["entity"] == "subject")
        .map(|i| i["value"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["欧***", "欧***"]);
    // Staff read what was recorded.
    let staff = app.get("/api/v1/changes?limit=500", Role::Auditor).await;
    assert!(staff.body.to_string().contains("欧阳修文"));
}

#[tokio::test]
async fn names_that_json_escapes_or_that_spell_keys_reach_no_partner_and_stop_no_mirror() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = crate::webhooks::receiver().await;
    crate::webhooks::subscribe(
        &app,
        Role::Partner,
        &url,
        json!(["list.added", "sanction.started", "standing.changed"]),
    )
    .await;
    let names = ["al", "ru", "王\"引号", "李\\斜杠"];
    for (n, name) in names.iter().enumerate() {
        let code = format!("D37010200010{n}");
        let ids = [
            "110105198001010016",
            "110105199001010010",
            "11010519850505002X",
            "110105197007070031",
        ];
        app.register(practitioner(&code, name, ids[n])).await;
        // A case and a black-list entry of each, with a partner's webhook subscribed: no 500 anywhere.
        let case = app
            .approved_case(&code, "PRAC-IDENTITY-UNCHECKED", json!({"points": 3}))
            .await;
        assert!(case["id"].is_i64(), "{case}");
        black_entry(&app, &code, true).await;
    }
    let (text, items) = partner_feed(&app).await;
    for (n, name) in names.iter().enumerate() {
        let code = format!("D37010200010{n}");
        let shown: Vec<&Value> = items
            .iter()
            .filter(|i| i["entity"] == "subject" && i["subject_code"] == code.as_str())
            .collect();
        assert_eq!(shown.len(), 1, "{code}");
        let masked = shown[0]["value"]["name"].as_str().unwrap();
        assert_ne!(masked, *name);
        assert!(masked.chars().skip(1).all(|c| c == '*'), "{masked}");
    }
    for name in ["王\"引号", "李\\斜杠", "\\\"引号", "斜杠"] {
        assert!(!text.contains(name), "{name} reached the partner: {text}");
    }
    // Every key the feed documents is still there: no name was replaced inside a key.
    for item in &items {
        for key in [
            "seq",
            "entity",
            "entity_id",
            "subject_code",
            "op",
            "at",
            "value",
        ] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
    let outcome = deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();
    assert!(outcome.delivered > 0);
    for (_, body) in got.got.lock().unwrap().iter() {
        let parsed: Value = serde_json::from_str(body).expect("every payload parses");
        for name in ["王\"引号", "李\\斜杠", "引号", "斜杠"] {
            assert!(!parsed.to_string().contains(name), "{body}");
        }
    }
}

#[tokio::test]
async fn an_entry_history_and_a_delivery_log_are_masked_like_the_entry() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, _got) = crate::webhooks::receiver().await;
    let hook = crate::webhooks::subscribe(
        &app,
        Role::Partner,
        &url,
        json!(["list.added", "sanction.started"]),
    )
    .await;
    let entry = black_entry(&app, PHYSICIAN, true).await;
    let insured_entry = black_entry(&app, INSURED, true).await;
    for id in [entry, insured_entry] {
        let detail = app
            .get(&format!("/api/v1/lists/black/{id}"), Role::Partner)
            .await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
        let text = detail.body.to_string();
        for hidden in ["张三", "李四", INSURED, "approver-1"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
        assert!(!detail.body["history"].as_array().unwrap().is_empty());
    }
    let deliveries = app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", hook["id"]),
            Role::Partner,
        )
        .await;
    let text = deliveries.body.to_string();
    assert!(!text.contains(INSURED), "{text}");
    assert!(text.contains("110105********002X"), "{text}");
}

#[tokio::test]
async fn an_unpublished_entry_exists_for_staff_only_until_it_is_published() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = crate::webhooks::receiver().await;
    crate::webhooks::subscribe(
        &app,
        Role::Partner,
        &url,
        json!(["list.added", "standing.changed"]),
    )
    .await;
    let before = partner_feed(&app).await.1.len();
    let entry = black_entry(&app, INSTITUTION, false).await;
    // Staff see it; nobody else does, by any path.
    let staff = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Inspector)
        .await;
    assert_eq!(staff.body["status"], "blacklisted");
    for role in [Role::Partner, Role::Hospital] {
        let standing = app
            .get(&format!("/api/v1/standing/{INSTITUTION}"), role)
            .await;
        assert_eq!(standing.status, StatusCode::OK);
        assert_ne!(
            standing.body["status"], "blacklisted",
            "{role:?}: {}",
            standing.body
        );
        assert_eq!(standing.body["lists"], json!([]), "{role:?}");
        let screening = app
            .post("/api/v1/screenings", role, &json!({"codes": [INSTITUTION]}))
            .await;
        let answer = &screening.body["answers"][0]["standing"];
        assert_ne!(
            answer["status"], "blacklisted",
            "{role:?}: {}",
            screening.body
        );
        let got = app.get(&format!("/api/v1/lists/black/{entry}"), role).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND);
    }
    let (text, items) = partner_feed(&app).await;
    assert!(
        !items.iter().any(|i| i["entity"] == "list_entry"),
        "the entry's row reached the partner: {text}"
    );
    for standing in items.iter().filter(|i| i["entity"] == "standing") {
        assert_eq!(
            standing["value"]["facts"]["lists"],
            json!([]),
            "a standing row cites the entry: {text}"
        );
    }
    let after_hidden = items.len();
    deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();
    assert!(
        got.got
            .lock()
            .unwrap()
            .iter()
            .all(|(_, b)| !b.contains("\"lists\":[{")),
        "a webhook told of the unpublished entry"
    );
    // Published later, it appears from then on, as an `added` row.
    let published = app
        .post(
            &format!("/api/v1/lists/black/{entry}/publish"),
            Role::Approver,
            &json!({}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let (_, items) = partner_feed(&app).await;
    let added: Vec<&Value> = items
        .iter()
        .filter(|i| i["entity"] == "list_entry" && i["op"] == "added")
        .collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["value"]["id"], entry);
    assert!(items.len() > after_hidden && after_hidden >= before);
    let standing = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Partner)
        .await;
    assert_eq!(standing.body["status"], "blacklisted");
    let again = app
        .post(
            &format!("/api/v1/lists/black/{entry}/publish"),
            Role::Approver,
            &json!({}),
        )
        .await;
    again.assert_problem(409);
}

#[tokio::test]
async fn a_partner_finds_a_person_by_id_number_only_with_the_full_name() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let unknown = "110105194912310029";
    let screening = app
        .post(
            "/api/v1/screenings",
            Role::Partner,
            &json!({"codes": [
                INSURED,
                {"code": INSURED, "name": "李三"},
                {"code": unknown, "name": "李四"},
                {"code": INSURED, "name": "李四"},
                PHYSICIAN,
            ]}),
        )
        .await;
    assert_eq!(screening.status, StatusCode::CREATED, "{}", screening.body);
    let answers = screening.body["answers"].as_array().unwrap();
    let results: Vec<&str> = answers
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        ["not_found", "not_found", "not_found", "found", "found"]
    );
    // A mismatch and nobody read alike.
    assert_eq!(answers[1]["standing"], answers[2]["standing"]);
    assert_eq!(answers[3]["standing"]["name"], "李*");
    // Staff still screen by code alone.
    let staff = app
        .post(
            "/api/v1/screenings",
            Role::Inspector,
            &json!({"codes": [INSURED]}),
        )
        .await;
    assert_eq!(staff.body["answers"][0]["result"], "found");
}

#[tokio::test]
async fn person_look_ups_past_the_daily_quota_are_429_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"screenings": {"daily_person_lookups": 3}}"#).unwrap();
    let app = spawn_app_with(&[("MEDCREDIT_POLICY_FILE", policy.to_str().unwrap())]).await;
    app.seed_registry().await;
    // Organisations are not people: they never count.
    for _ in 0..5 {
        let org = app
            .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Partner)
            .await;
        assert_eq!(org.status, StatusCode::OK);
    }
    assert_eq!(
        app.get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Partner)
            .await
            .status,
        StatusCode::OK
    );
    let too_many = app
        .post(
            "/api/v1/screenings",
            Role::Partner,
            &json!({"codes": [PHYSICIAN, OTHER_PHYSICIAN, INSURED]}),
        )
        .await;
    too_many.assert_problem(429);
    assert!(too_many.headers.get("retry-after").is_some());
    let quota = app.get("/api/v1/lookup-quotas", Role::Partner).await;
    assert_eq!(quota.status, StatusCode::OK, "{}", quota.body);
    assert_eq!(quota.body["items"][0]["used"], 1);
    assert_eq!(quota.body["items"][0]["remaining"], 2);
    let two = app
        .post(
            "/api/v1/screenings",
            Role::Partner,
            &json!({"codes": [PHYSICIAN, INSTITUTION, OTHER_PHYSICIAN]}),
        )
        .await;
    assert_eq!(two.status, StatusCode::CREATED, "{}", two.body);
    let over = app
        .get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Partner)
        .await;
    over.assert_problem(429);
    // Another partner principal has its own; staff have none; admins read every principal's.
    let other = app.api.token_for(Role::Partner, "partner-2", None);
    let answer = app
        .send(
            Method::GET,
            &format!("/api/v1/standing/{PHYSICIAN}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/standing/{PHYSICIAN}"), Role::Inspector)
            .await
            .status,
        StatusCode::OK
    );
    let all = app.get("/api/v1/lookup-quotas", Role::Admin).await;
    assert_eq!(
        all.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        all.body
    );
    app.get("/api/v1/lookup-quotas", Role::Hospital)
        .await
        .assert_problem(403);
}

#[tokio::test]
async fn the_public_page_matches_only_what_it_shows_and_names_no_staff() {
    let app = spawn_app().await;
    app.seed_registry().await;
    black_entry(&app, INSURED, true).await;
    black_entry(&app, INSTITUTION, true).await;
    let public = |q: &str| {
        let path = format!("/public/v1/blacklist?q={q}");
        let api = &app.api;
        async move { api.send(Method::GET, &path, None, None).await.body }
    };
    let all = public("").await;
    let text = all.to_string();
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{text}");
    for hidden in ["approver-1", "created_by", "published", INSURED, "李四"] {
        assert!(
            !text.contains(hidden),
            "{hidden} on the public list: {text}"
        );
    }
    // Hidden characters never match; what the page prints does.
    for probe in [INSURED, "李四", "19491231", "0105194912"] {
        let found = public(probe).await;
        assert_eq!(
            found["items"],
            json!([]),
            "{probe} matched a hidden character"
        );
    }
    assert_eq!(
        public("110105********002X").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        public("人民医院").await["items"].as_array().unwrap().len(),
        1
    );
    // The page is sent as a page for anyone must be.
    let page = app
        .api
        .client
        .get(format!("{}/public/blacklist", app.api.address))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let headers = page.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.get("referrer-policy").is_some());
    let html = page.text().await.unwrap();
    assert!(
        html.contains("救济途径") && html.contains("惩戒措施"),
        "{html}"
    );
    assert!(!html.contains("approver-1"));
}

#[tokio::test]
async fn ownership_is_the_principal_not_the_sub() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let partner = app.api.token_for(Role::Partner, "office-1", None);
    let hospital = app
        .api
        .token_for(Role::Hospital, "office-1", Some(INSTITUTION));
    let other_hospital = app
        .api
        .token_for(Role::Hospital, "office-1", Some(OTHER_INSTITUTION));
    let (url, _) = crate::webhooks::receiver().await;
    let body = json!({"url": url, "events": ["list.added"]});
    let hook = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&partner),
            Some(&body),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let id = hook.body["id"].as_i64().unwrap();
    for token in [&hospital, &other_hospital] {
        let listed = app
            .send(Method::GET, "/api/v1/webhooks", Some(token), None)
            .await;
        assert_eq!(listed.body["items"], json!([]), "{}", listed.body);
        let deliveries = app
            .send(
                Method::GET,
                &format!("/api/v1/webhooks/{id}/deliveries"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(deliveries.status, StatusCode::NOT_FOUND);
        let deleted = app
            .send(
                Method::DELETE,
                &format!("/api/v1/webhooks/{id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NOT_FOUND);
    }
    // The partner still has it; auditors read it.
    let listed = app
        .send(Method::GET, "/api/v1/webhooks", Some(&partner), None)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/webhooks", Role::Auditor).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A hospital's screening names its practitioner in full: no other principal with that sub reads it.
    let screening = app
        .send(
            Method::POST,
            "/api/v1/screenings",
            Some(&hospital),
            Some(&json!({"codes": [PHYSICIAN]})),
        )
        .await;
    assert_eq!(screening.status, StatusCode::CREATED, "{}", screening.body);
    let path = format!("/api/v1/screenings/{}", screening.body["id"]);
    for token in [&partner, &other_hospital] {
        let read = app.send(Method::GET, &path, Some(token), None).await;
        assert_eq!(read.status, StatusCode::NOT_FOUND, "{}", read.body);
        assert!(!read.body.to_string().contains("张三"));
        let listed = app
            .send(Method::GET, "/api/v1/screenings", Some(token), None)
            .await;
        assert_eq!(listed.body["items"], json!([]));
    }
    let own = app.send(Method::GET, &path, Some(&hospital), None).await;
    assert_eq!(own.status, StatusCode::OK);
}

#[tokio::test]
async fn a_hospital_gets_one_403_for_not_yours_and_not_there() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let unknown_practitioner = "D370102009999";
    for path in [
        "/api/v1/standing/{}",
        "/api/v1/subjects/{}",
        "/api/v1/subjects/{}/credit",
        "/api/v1/subjects/{}/ledger",
    ] {
        let mut bodies = Vec::new();
        for code in [
            OTHER_PHYSICIAN,
            unknown_practitioner,
            INSURED,
            "110105194912310029",
            OTHER_INSTITUTION,
        ] {
            let answer = app.get(&path.replace("{}", code), Role::Hospital).await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{path} {code}: {}",
                answer.body
            );
            bodies.push(answer.body);
        }
        assert!(
            bodies.windows(2).all(|w| w[0] == w[1]),
            "{path}: {bodies:?}"
        );
    }
    // Appeals and repairs about another institution's case: the same 403 whatever its state, before the body.
    let other_case = app
        .approved_case(
            OTHER_INSTITUTION,
            "INST-MANAGEMENT-DEFICIENCY",
            json!({"points": 1}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let recorded = app
        .record_case(OTHER_INSTITUTION, "INST-MANAGEMENT-DEFICIENCY")
        .await;
    let mut answers = Vec::new();
    for (case, body) in [
        (other_case, json!({"reason": "不服"})),
        (recorded, json!({"reason": "不服"})),
        (other_case, json!({"no_such_field": 1})),
        (999_999, json!({"reason": "不服"})),
    ] {
        let answer = app
            .post(
                &format!("/api/v1/violations/{case}/appeals"),
                Role::Hospital,
                &body,
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{case}: {}",
            answer.body
        );
        answers.push(answer.body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    let entry = black_entry(&app, OTHER_INSTITUTION, true).await;
    let hidden = black_entry(&app, INSTITUTION, false).await;
    let mut answers = Vec::new();
    for body in [
        json!({"list_entry_id": entry, "reason": "已整改", "evidence": [{"name": "整改报告.pdf"}]}),
        json!({"list_entry_id": 999_999, "reason": "已整改", "evidence": [{"name": "整改报告.pdf"}]}),
        json!({"list_entry_id": hidden, "reason": "已整改", "evidence": [{"name": "整改报告.pdf"}]}),
        json!({"violation_id": recorded, "reason": "", "evidence": []}),
    ] {
        let answer = app.post("/api/v1/repairs", Role::Hospital, &body).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{body}: {}",
            answer.body
        );
        answers.push(answer.body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
}

#[tokio::test]
async fn the_feed_refuses_a_position_it_never_reached() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let head = app
        .get("/api/v1/changes?limit=500", Role::Partner)
        .await
        .body["next_after"]
        .as_i64()
        .unwrap();
    let beyond = app
        .get(
            &format!("/api/v1/changes?after={}", head + 18),
            Role::Partner,
        )
        .await;
    beyond.assert_problem(409);
    assert!(
        beyond.body["detail"]
            .as_str()
            .unwrap()
            .contains(&head.to_string())
    );
    let at_head = app
        .get(&format!("/api/v1/changes?after={head}"), Role::Partner)
        .await;
    assert_eq!(at_head.status, StatusCode::OK);
}
