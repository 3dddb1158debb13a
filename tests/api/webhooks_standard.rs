//! Standard Webhooks (issue 24): every attempt of a delivery carries the same `webhook-id` and a signature the
//! reference library verifies with the secret shown at creation; a changed body or another secret does not
//! verify; a secret made before the change still verifies, written the specification's way.

use std::sync::atomic::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use medcredit::auth::Role;
use medcredit::worker::outbox::deliver_due;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use standardwebhooks::Webhook;

use crate::helpers::*;
use crate::webhooks::{blacklist, receiver, subscribe};

#[tokio::test]
async fn every_attempt_has_the_deliverys_id_and_verifies_with_the_reference_library() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = receiver().await;
    got.answer.store(503, Ordering::SeqCst);
    let hook = subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    let secret = hook["secret"].as_str().unwrap();
    let key = secret
        .strip_prefix("whsec_")
        .expect("a Standard Webhooks secret");
    assert_eq!(STANDARD.decode(key).unwrap().len(), 32, "{secret}");

    blacklist(&app, INSTITUTION).await;
    let client = app.outbound();
    let mut now = Utc::now();
    for _ in 0..2 {
        assert_eq!(deliver_due(&app.db, &client, now).await.unwrap().retried, 1);
        now += Duration::hours(1);
    }
    got.answer.store(204, Ordering::SeqCst);
    assert_eq!(
        deliver_due(&app.db, &client, now).await.unwrap().delivered,
        1
    );

    let path = format!("/api/v1/webhooks/{}/deliveries", hook["id"]);
    let delivery = &app.get(&path, Role::Partner).await.body["items"][0];
    assert_eq!(delivery["status"], "delivered");
    let received = got.got.lock().unwrap().clone();
    assert_eq!(
        received.len(),
        3,
        "two failed attempts and one that arrived"
    );
    let verifier = Webhook::new(secret).unwrap();
    for (headers, body) in &received {
        assert_eq!(
            headers["webhook-id"].to_str().unwrap(),
            format!("msg_{}", delivery["id"]),
            "the same id on every attempt"
        );
        assert!(
            headers["webhook-signature"]
                .to_str()
                .unwrap()
                .starts_with("v1,")
        );
        verifier
            .verify(body.as_bytes(), headers)
            .expect("verifies with the secret shown at creation");
        let tampered = body.replace(INSTITUTION, OTHER_INSTITUTION);
        assert!(verifier.verify(tampered.as_bytes(), headers).is_err());
        let stranger = Webhook::new(&format!("whsec_{}", STANDARD.encode([7u8; 32]))).unwrap();
        assert!(stranger.verify(body.as_bytes(), headers).is_err());
    }
    for old in [
        "x-medcredit-signature",
        "x-medcredit-timestamp",
        "x-medcredit-delivery",
    ] {
        assert!(!received[0].0.contains_key(old), "{old} is gone");
    }
}

#[tokio::test]
async fn a_secret_made_before_the_specification_still_verifies() {
    let app = spawn_app().await;
    app.seed_registry().await;
    let (url, got) = receiver().await;
    let hook = subscribe(&app, Role::Partner, &url, json!(["list.added"])).await;
    // What creation used to hand out: 64 hex characters, used as the key as they stand.
    let legacy = "0123456789abcdef".repeat(4);
    let backend = app.db.backend();
    app.db
        .conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => "UPDATE webhooks SET secret = $1 WHERE id = $2",
                _ => "UPDATE webhooks SET secret = ? WHERE id = ?",
            },
            [legacy.clone().into(), hook["id"].as_i64().unwrap().into()],
        ))
        .await
        .unwrap();
    blacklist(&app, INSTITUTION).await;
    deliver_due(&app.db, &app.outbound(), Utc::now())
        .await
        .unwrap();
    let received = got.got.lock().unwrap().clone();
    let (headers, body) = &received[0];
    let written_the_standard_way = format!("whsec_{}", STANDARD.encode(&legacy));
    Webhook::new(&written_the_standard_way)
        .unwrap()
        .verify(body.as_bytes(), headers)
        .expect("the old secret, base64-encoded after whsec_");
}
