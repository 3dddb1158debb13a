//! The confidentiality of tips (issue 21), tried as an attacker would: a partner, the hospital office of the
//! reported institution, an anonymous caller, and tokens whose `sub` is the handler's. None of them learns that a
//! tip exists: no operation answers them differently for a tip that is there, and nothing of a tip reaches the
//! change feed, webhooks, standings, exports or the audit log's bodies.

use medcredit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::tips::{CONTACT, MILLION_YUAN, accept, case_from_tip, claim, id_of, new_tip, submit};

#[tokio::test]
async fn no_outsider_learns_that_a_tip_exists() {
    let app = spawn_app().await;
    app.seed_registry().await;
    // The hospital and the partner both follow everything about the reported institution.
    let events = json!([
        "list.added",
        "list.removed",
        "sanction.started",
        "sanction.ended",
        "standing.changed"
    ]);
    for role in [Role::Hospital, Role::Partner] {
        let body = json!({"url": "http://127.0.0.1:9/hook", "events": events});
        let response = app.post("/api/v1/webhooks", role, &body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    let feed_before = app
        .get("/api/v1/changes?after=0&limit=500", Role::Partner)
        .await;
    let standing_before = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Hospital)
        .await;

    let (number, code) = submit(&app, &new_tip(Some(CONTACT))).await;
    let id = id_of(&app, &number).await;
    accept(&app, id).await;
    claim(
        &app,
        &number,
        &code,
        &json!({"payment": "中国银行 6216610000000000000"}),
    )
    .await;
    let details = app
        .get(&format!("/api/v1/tips/{id}/details"), Role::Inspector)
        .await;
    assert_eq!(details.status, StatusCode::OK);

    // Attackers: the reported institution's office, a partner, anyone, and tokens carrying the handler's sub.
    let attackers: Vec<(&str, Option<String>)> = vec![
        ("hospital office", Some(app.token(Role::Hospital))),
        ("partner", Some(app.token(Role::Partner))),
        ("anonymous", None),
        (
            "hospital with the handler's sub",
            Some(app.token_for(Role::Hospital, "inspector-1", Some(INSTITUTION))),
        ),
        (
            "partner with the handler's sub",
            Some(app.token_for(Role::Partner, "inspector-1", None)),
        ),
    ];
    let paths = [
        "/api/v1/tips".to_string(),
        "/api/v1/tips/export".to_string(),
        format!("/api/v1/tips/{id}"),
        format!("/api/v1/tips/{id}/details"),
    ];
    let absent = 999_999;
    for (who, token) in &attackers {
        for path in &paths {
            let response = app.send(Method::GET, path, token.as_deref(), None).await;
            let expected = if token.is_some() { 403 } else { 401 };
            response.assert_problem(expected);
            // A tip that is not there gets the very same answer.
            let ghost = path.replace(&format!("/tips/{id}"), &format!("/tips/{absent}"));
            let other = app.send(Method::GET, &ghost, token.as_deref(), None).await;
            assert_eq!(other.status, response.status, "{who} {path}");
            assert_eq!(
                other.body["detail"], response.body["detail"],
                "{who} {path}"
            );
            assert!(!response.body.to_string().contains(&number), "{who} {path}");
        }
        let writes = [
            (
                format!("/api/v1/tips/{id}/decision"),
                json!({"outcome": "not_accepted", "reason": "x"}),
            ),
            (
                format!("/api/v1/tips/{id}/cases"),
                json!({"violation_id": 1}),
            ),
            (
                format!("/api/v1/tips/{id}/reward/decision"),
                json!({"outcome": "approved", "reason": "x"}),
            ),
        ];
        for (path, body) in &writes {
            let response = app
                .send(Method::POST, path, token.as_deref(), Some(body))
                .await;
            assert!(
                [401, 403].contains(&response.status.as_u16()),
                "{who} {path}: {}",
                response.status
            );
        }
        // The public status needs the claim code, whoever asks.
        let response = app
            .send(
                Method::GET,
                &format!("/public/v1/tips/{number}"),
                token.as_deref(),
                None,
            )
            .await;
        response.assert_problem(404);
    }

    // A case comes of it and is approved: the case is public business, the tip is not.
    let case = case_from_tip(&app, id, MILLION_YUAN).await;
    app.review_and_approve(case, json!({"points": 6})).await;

    let feed = app
        .get("/api/v1/changes?after=0&limit=500", Role::Partner)
        .await;
    let standing = app
        .get(&format!("/api/v1/standing/{INSTITUTION}"), Role::Hospital)
        .await;
    let outbox = app
        .db
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            app.backend(),
            "SELECT payload FROM outbox",
        ))
        .await
        .unwrap();
    let payloads: Vec<String> = outbox
        .iter()
        .map(|row| row.try_get::<String>("", "payload").unwrap())
        .collect();
    let audit = app.get("/api/v1/audit?limit=500", Role::Auditor).await;
    let secrets = [
        number.as_str(),
        "13800138000",
        "6216610000000000000",
        "诱导老人住院",
        "tip",
    ];
    for secret in secrets {
        assert!(
            !feed.body.to_string().contains(secret),
            "feed carries {secret}"
        );
        assert!(
            !standing.body.to_string().contains(secret),
            "standing carries {secret}"
        );
        for payload in &payloads {
            assert!(!payload.contains(secret), "a webhook carries {secret}");
        }
    }
    for secret in ["13800138000", "6216610000000000000"] {
        assert!(
            !audit.body.to_string().contains(secret),
            "an audit body carries {secret}"
        );
    }
    // The feed grew by the case only: its items name cases, sanctions and standings, never a tip.
    let kinds: Vec<String> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .skip(feed_before.body["items"].as_array().unwrap().len())
        .map(|c| c["entity"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| !k.contains("tip")),
        "{kinds:?}"
    );
    assert_eq!(standing_before.status, StatusCode::OK);

    // The sealed details are not readable in the database itself.
    let rows = app
        .db
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            app.backend(),
            "SELECT contact_sealed, payment_sealed FROM tips",
        ))
        .await
        .unwrap();
    let contact: String = rows[0].try_get("", "contact_sealed").unwrap();
    assert!(!contact.contains("13800138000") && !contact.is_empty());
}

use sea_orm::ConnectionTrait;
