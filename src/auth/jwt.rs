//! HS256 tokens: minting for operators (`medcredit token`) and tests, verification for every request.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::Role;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    /// Institution code, for the `hospital` role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub exp: i64,
    pub iat: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn mint(&self, role: Role, sub: &str, org: Option<&str>, ttl: Duration) -> String {
        let now = Utc::now();
        let claims = Claims {
            sub: sub.to_string(),
            role,
            org: org.map(str::to_string),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail")
    }

    /// Verifies signature, algorithm and expiry; the error text is safe to show to the client.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    "token has expired".to_string()
                }
                jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                    "token signature is invalid".to_string()
                }
                jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => {
                    "token algorithm is not accepted".to_string()
                }
                _ => format!("token is invalid: {e}"),
            })
    }
}

/// Parses a lifetime such as `90s`, `30m`, `8h` or `7d`.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("invalid lifetime {text:?}: use e.g. 30m, 8h, 7d"))?;
    if n <= 0 {
        return Err(format!("invalid lifetime {text:?}: must be positive"));
    }
    match unit {
        "s" => Ok(Duration::seconds(n)),
        "m" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        _ => Err(format!("invalid lifetime {text:?}: use e.g. 30m, 8h, 7d")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_verify_and_carry_their_claims() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let token = keys.mint(
            Role::Hospital,
            "his-1",
            Some("H37010200001"),
            Duration::hours(1),
        );
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.role, Role::Hospital);
        assert_eq!(claims.org.as_deref(), Some("H37010200001"));
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let expired = keys.mint(Role::Admin, "a", None, Duration::seconds(-5));
        assert_eq!(keys.verify(&expired).unwrap_err(), "token has expired");
        let other = JwtKeys::from_secret(b"another-secret-another-secret-xx");
        let token = other.mint(Role::Admin, "a", None, Duration::hours(1));
        assert!(keys.verify(&token).unwrap_err().contains("signature"));
    }

    #[test]
    fn lifetimes_parse() {
        assert_eq!(parse_ttl("8h"), Ok(Duration::hours(8)));
        assert_eq!(parse_ttl("30m"), Ok(Duration::minutes(30)));
        assert!(parse_ttl("8").is_err());
        assert!(parse_ttl("-1h").is_err());
        assert!(parse_ttl("h").is_err());
    }
}
