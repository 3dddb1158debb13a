//! Verification keys by `kid` (MEDCREDIT_JWT_KEYS_FILE): rotating the HS256 secret without downtime, accepting
//! an identity provider's RS256 and EdDSA tokens, and refusing forgeries that play with the header.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use medcredit::auth::{Claims, Role};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const OLD_SECRET: &str = "old-secret-of-2025-old-secret-of-2025";
const NEW_SECRET: &str = "new-secret-of-2026-new-secret-of-2026";
const RSA_PUBLIC: &str = include_str!("../fixtures/rsa_public.pem");
const RSA_PRIVATE: &str = include_str!("../fixtures/rsa_private.pem");
const ED_PUBLIC: &str = include_str!("../fixtures/ed25519_public.pem");
const ED_PRIVATE: &str = include_str!("../fixtures/ed25519_private.pem");

/// An auditor's token, valid for an hour, with this algorithm and kid in the header, signed by `key`.
fn token(alg: Algorithm, kid: Option<&str>, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: None,
        sub: "idp-auditor".into(),
        role: Role::Auditor,
        org: None,
        iat: now,
        exp: now + 3600,
        nbf: None,
    };
    jsonwebtoken::encode(&header, &claims, key).expect("encode")
}

fn hs256(kid: Option<&str>, secret: &str) -> String {
    token(
        Algorithm::HS256,
        kid,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
}

/// An app configured with `keys` as its MEDCREDIT_JWT_KEYS_FILE.
async fn app_with_keys(keys: Value) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("keys.json");
    std::fs::write(&path, keys.to_string()).expect("write keys file");
    // The file is read once, at start-up; the directory may go afterwards.
    spawn_app_with(&[("MEDCREDIT_JWT_KEYS_FILE", &path.display().to_string())]).await
}

/// The status of an audit-log read with `token` (auditors may read it).
async fn status_with(app: &TestApp, token: &str) -> u16 {
    let response = app
        .send(Method::GET, "/api/v1/audit", Some(token), None)
        .await;
    if response.status.as_u16() != 200 {
        response.assert_problem(401);
    }
    response.status.as_u16()
}

#[tokio::test]
async fn old_and_new_kids_verify_during_rotation_and_a_removed_kid_is_refused() {
    let rotating = app_with_keys(json!([
        {"kid": "2025", "alg": "HS256", "secret": OLD_SECRET},
        {"kid": "2026", "alg": "HS256", "secret": NEW_SECRET, "sign": true},
    ]))
    .await;
    assert_eq!(rotating.keys.signing_kid(), "2026");
    let old = hs256(Some("2025"), OLD_SECRET);
    let new = hs256(Some("2026"), NEW_SECRET);
    assert_eq!(status_with(&rotating, &old).await, 200);
    assert_eq!(status_with(&rotating, &new).await, 200);
    // What the service mints (demo, `medcredit token`) carries the signing kid and verifies.
    assert_eq!(
        status_with(&rotating, &rotating.token(Role::Auditor)).await,
        200
    );
    // Each secret verifies only under its own kid.
    assert_eq!(
        status_with(&rotating, &hs256(Some("2026"), OLD_SECRET)).await,
        401
    );
    // A token without kid is checked with the signing key; the file's signer replaces MEDCREDIT_JWT_SECRET.
    assert_eq!(status_with(&rotating, &hs256(None, NEW_SECRET)).await, 200);
    assert_eq!(status_with(&rotating, &hs256(None, SECRET)).await, 401);

    let rotated = app_with_keys(json!([
        {"kid": "2026", "alg": "HS256", "secret": NEW_SECRET, "sign": true},
    ]))
    .await;
    assert_eq!(status_with(&rotated, &new).await, 200);
    let refused = rotated
        .send(Method::GET, "/api/v1/audit", Some(&old), None)
        .await;
    assert_eq!(refused.assert_problem(401)["detail"], "unknown key id");
}

#[tokio::test]
async fn an_identity_providers_rs256_and_eddsa_tokens_verify_with_its_public_keys() {
    let app = app_with_keys(json!([
        {"kid": "idp-rsa", "alg": "RS256", "public_key_pem": RSA_PUBLIC},
        {"kid": "idp-ed", "alg": "EdDSA", "public_key_pem": ED_PUBLIC},
    ]))
    .await;
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("RSA fixture");
    let ed = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("Ed25519 fixture");
    assert_eq!(
        status_with(&app, &token(Algorithm::RS256, Some("idp-rsa"), &rsa)).await,
        200
    );
    assert_eq!(
        status_with(&app, &token(Algorithm::EdDSA, Some("idp-ed"), &ed)).await,
        200
    );
    // Without a signer in the file MEDCREDIT_JWT_SECRET still signs (kid `default`) and verifies.
    assert_eq!(app.keys.signing_kid(), "default");
    assert_eq!(status_with(&app, &app.token(Role::Auditor)).await, 200);
    assert_eq!(status_with(&app, &hs256(None, SECRET)).await, 200);
    // A good signature under the other provider key's kid is still refused: the kid fixes the algorithm.
    assert_eq!(
        status_with(&app, &token(Algorithm::RS256, Some("idp-ed"), &rsa)).await,
        401
    );
}

#[tokio::test]
async fn forged_headers_are_refused() {
    let app = app_with_keys(json!([
        {"kid": "idp-rsa", "alg": "RS256", "public_key_pem": RSA_PUBLIC},
    ]))
    .await;
    // HS256 keyed with the public key text, which anyone may have: the RSA kid accepts only RS256, and without
    // a kid the HS256 signing key is a different secret.
    let public_as_secret = EncodingKey::from_secret(RSA_PUBLIC.as_bytes());
    for kid in [Some("idp-rsa"), None] {
        let forged = token(Algorithm::HS256, kid, &public_as_secret);
        assert_eq!(status_with(&app, &forged).await, 401, "kid {kid:?}");
    }
    let claims = URL_SAFE_NO_PAD.encode(
        json!({"sub": "x", "role": "admin", "exp": chrono::Utc::now().timestamp() + 3600, "iat": 0})
            .to_string(),
    );
    for header in [
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "none", "kid": "idp-rsa"}),
        json!({"alg": "none", "kid": "default"}),
    ] {
        let unsigned = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(header.to_string()));
        assert_eq!(status_with(&app, &unsigned).await, 401, "{header}");
    }
}
