//! Tokens from the future: `nbf` or `iat` ahead of the server's clock by more than the leeway are 401, like an
//! expired `exp`, even with the right key and an admin role.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn signed(claims: Value) -> String {
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("default".into());
    jsonwebtoken::encode(&header, &claims, &key).expect("encode")
}

#[tokio::test]
async fn nbf_and_iat_in_the_future_are_401_beyond_the_leeway() {
    let app = spawn_app_with(&[("MEDCREDIT_JWT_LEEWAY_SECS", "60")]).await;
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, nbf: Option<i64>| {
        let mut claims = json!({"sub": "a", "role": "admin", "iat": iat, "exp": now + 7200});
        if let Some(nbf) = nbf {
            claims["nbf"] = json!(nbf);
        }
        signed(claims)
    };
    let refused = [
        claims(now, Some(now + 3600)),
        claims(now + 86400, None),
        claims(now + 3600, Some(now + 3600)),
    ];
    for path in ["/api/v1/subjects", "/api/v1/audit/verify"] {
        for token in &refused {
            let response = app.send(Method::GET, path, Some(token), None).await;
            response.assert_problem(401);
        }
        // A few seconds of skew is what the leeway is for.
        let skewed = claims(now + 20, Some(now + 20));
        let response = app.send(Method::GET, path, Some(&skewed), None).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    }
}
