//! The property of issue 17, point 1: for random names (quotes, backslashes, Unicode, names that spell parts
//! of JSON keys, names of one or two characters) and random corrections, no answer a partner or a visitor can
//! read holds a person's full name or ID number in any value, and every answer parses.

use chrono::Utc;
use medcredit::auth::Role;
use medcredit::domain::dates::legal_date;
use medcredit::worker::outbox::deliver_due;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// Characters names are drawn from: CJK, letters that spell parts of keys (`value`, `rule`, `name`), and the
/// characters JSON escapes that a name may hold.
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec!['张', '王', '欧', '阳', '修', '文', '武', '李', '·']),
        prop::sample::select(vec!['a', 'l', 'r', 'u', 'e', 'v', 'n', 'm', 'i', 'd']),
        prop::sample::select(vec!['"', '\\', '\'', '/', '<', '&']),
    ]
}

/// A name of 1–6 characters that starts with a letter, as a name must hold one; a one-character name is CJK,
/// since one Latin letter is in every key.
fn name() -> impl Strategy<Value = String> {
    let letter = prop::sample::select(vec!['张', '王', '欧', '李', 'a', 'r', 'v', 'n']);
    prop_oneof![
        prop::sample::select(vec!['张', '王', '李', '欧']).prop_map(String::from),
        (letter, prop::collection::vec(name_char(), 1..=5))
            .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect()),
    ]
}

/// Every string value (not key) in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// A valid resident ID number born on day `n` after 1950-01-01.
fn id_number(n: u32) -> String {
    let born =
        chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(u64::from(n));
    let first = format!("370102{}{:03}", born.format("%Y%m%d"), n % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{first}{}", char::from(b"10X98765432"[(sum % 11) as usize]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_masked_answer_holds_a_full_name_or_id_number() {
    let app = spawn_app().await;
    app.register(institution(INSTITUTION, "济南市第一人民医院"))
        .await;
    let (url, got) = crate::webhooks::receiver().await;
    crate::webhooks::subscribe(
        &app,
        Role::Partner,
        &url,
        json!(["list.added", "sanction.started", "standing.changed"]),
    )
    .await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    let n = std::sync::atomic::AtomicU32::new(0);
    let result = runner.run(
        &(name(), name(), any::<bool>()),
        |(first, corrected, insured)| {
            let case = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            tokio::task::block_in_place(|| {
                handle.block_on(check_one(&app, &got, case, &first, &corrected, insured))
            });
            Ok(())
        },
    );
    result.unwrap();
}

async fn check_one(
    app: &TestApp,
    got: &crate::webhooks::Receiver,
    n: u32,
    first: &str,
    corrected: &str,
    insured: bool,
) {
    let id = id_number(n * 37);
    let code = if insured {
        id.clone()
    } else {
        format!("D3701020{n:05}")
    };
    let body = if insured {
        json!({"kind": "insured", "name": first, "region": "370102", "id_number": id,
               "insurance_type": "resident"})
    } else {
        practitioner(&code, first, &id)
    };
    let created = app.post("/api/v1/subjects", Role::Inspector, &body).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{first:?}: {}",
        created.body
    );
    let patched = app
        .patch(
            &format!("/api/v1/subjects/{code}"),
            Role::Inspector,
            &json!({"name": corrected}),
        )
        .await;
    assert_eq!(
        patched.status,
        StatusCode::OK,
        "{corrected:?}: {}",
        patched.body
    );
    let grounds = app.grounds(&code).await;
    let entry = app
        .post(
            "/api/v1/lists/black",
            Role::Approver,
            &json!({"subject_code": code, "reason": "骗保", "violation_ids": [grounds],
                    "listed_on": legal_date(Utc::now())}),
        )
        .await;
    assert_eq!(entry.status, StatusCode::CREATED, "{}", entry.body);
    let entry = entry.body["id"].as_i64().unwrap();
    deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();

    let partner = app.token(Role::Partner);
    let mut answers: Vec<(String, Value)> = Vec::new();
    for path in [
        "/api/v1/changes?limit=500".to_string(),
        format!("/api/v1/lists/black/{entry}"),
        "/api/v1/lists/black?limit=500".to_string(),
        "/api/v1/sanctions?limit=500".to_string(),
        format!("/api/v1/standing/{code}"),
        format!("/api/v1/subjects/{code}"),
        format!("/api/v1/subjects/{code}/credit"),
    ] {
        let answer = app.send(Method::GET, &path, Some(&partner), None).await;
        answers.push((path, answer.body));
    }
    let public = app
        .send(Method::GET, "/public/v1/blacklist?limit=500", None, None)
        .await;
    answers.push(("/public/v1/blacklist".into(), public.body));
    let screening = app
        .post(
            "/api/v1/screenings",
            Role::Partner,
            &json!({"codes": [code]}),
        )
        .await;
    // A screening row gives back the code as the caller sent it; what it answers is the standing.
    answers.push((
        "screening".into(),
        screening.body["answers"][0]["standing"].clone(),
    ));
    let export = app
        .api
        .client
        .get(format!(
            "{}/api/v1/lists/black/export?format=jsonl",
            app.api.address
        ))
        .bearer_auth(&partner)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in export.lines().filter(|l| !l.is_empty()) {
        answers.push((
            "export".into(),
            serde_json::from_str(line).expect("export line parses"),
        ));
    }
    for (_, body) in got.got.lock().unwrap().iter() {
        answers.push((
            "webhook".into(),
            serde_json::from_str(body).expect("payload parses"),
        ));
    }
    for (path, answer) in &answers {
        assert!(
            !answer.is_string(),
            "{path} did not parse as JSON: {answer}"
        );
        let mut values = Vec::new();
        strings(answer, &mut values);
        for value in values {
            for hidden in [first, corrected, id.as_str()] {
                // A one-character name, or one of plain letters (`al`, found in `normal`), could be part of any
                // word: such a name must not be a value; any other must not be part of one.
                let word_like =
                    hidden.chars().count() == 1 || hidden.chars().all(|c| c.is_ascii_lowercase());
                let shown = if word_like {
                    value == hidden
                } else {
                    value.contains(hidden)
                };
                assert!(!shown, "{path}: {value:?} shows {hidden:?}");
            }
        }
    }
}
