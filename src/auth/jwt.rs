//! Tokens: HS256 minting for operators (`medcredit token`), the demo and tests; verification for every request.
//!
//! Verification keys are chosen by the token's `kid` header, so a secret can be rotated without downtime (the old
//! and the new kid verify side by side while old tokens expire) and tokens an identity provider signs with RS256
//! or Ed25519 are accepted. The key, not the token, decides the algorithm: a header naming another algorithm
//! than its key's is refused, which closes `alg: none` and the HS256-keyed-with-a-public-key confusion.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::Role;
use super::keyfile::KeySpec;
use crate::config::Config;

pub use super::keyfile::{DEFAULT_KID, MIN_SECRET_LEN};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The issuer, when the token names one: part of the principal that owns what the caller creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    pub sub: String,
    pub role: Role,
    /// Institution code, for the `hospital` role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub exp: i64,
    pub iat: i64,
    /// Not before: a token from the future (beyond the leeway) is refused like an expired one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Clock skew allowed on `nbf` and `iat` unless configured (`MEDCREDIT_JWT_LEEWAY_SECS`).
pub const DEFAULT_LEEWAY_SECS: u32 = 60;

#[derive(Clone)]
struct VerifyingKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

#[derive(Clone)]
pub struct JwtKeys {
    signing_kid: String,
    encoding: EncodingKey,
    /// Every accepted key by kid, the signing key included.
    verifying: HashMap<String, VerifyingKey>,
    /// Seconds `nbf` and `iat` may lie ahead of this server's clock (the issuer's clock may run fast).
    leeway_secs: i64,
}

impl JwtKeys {
    /// One HS256 secret under kid `default` that signs and verifies.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self::signing_with(DEFAULT_KID, secret)
    }

    fn signing_with(kid: &str, secret: &[u8]) -> Self {
        let verifying = HashMap::from([(
            kid.to_string(),
            VerifyingKey {
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret),
            },
        )]);
        Self {
            signing_kid: kid.to_string(),
            encoding: EncodingKey::from_secret(secret),
            verifying,
            leeway_secs: DEFAULT_LEEWAY_SECS.into(),
        }
    }

    /// The keys of a configuration: the file's signing key, else `MEDCREDIT_JWT_SECRET`, else `fallback_secret`
    /// (a demo's generated one) signs; every key of `MEDCREDIT_JWT_KEYS_FILE` verifies.
    pub fn from_config(
        config: &Config,
        fallback_secret: Option<&SecretString>,
    ) -> Result<Self, String> {
        let secret = config
            .jwt_secret
            .as_ref()
            .or(fallback_secret)
            .map(ExposeSecret::expose_secret);
        let mut keys = Self::from_specs(&config.jwt_keys, secret)?;
        keys.leeway_secs = config.jwt_leeway_secs.into();
        Ok(keys)
    }

    fn from_specs(specs: &[KeySpec], secret: Option<&str>) -> Result<Self, String> {
        let mut keys = match specs.iter().find(|s| s.sign) {
            Some(signer) => {
                // Checked again because `Config`'s fields are public: an unchecked spec must not sign.
                signer.decoding_key()?;
                let secret = signer
                    .secret
                    .as_ref()
                    .map(ExposeSecret::expose_secret)
                    .unwrap_or_default();
                Self::signing_with(&signer.kid, secret.as_bytes())
            }
            None => {
                let secret = secret.ok_or_else(|| {
                    format!(
                        "MEDCREDIT_JWT_SECRET (at least {MIN_SECRET_LEN} bytes) or a key with \"sign\": true in \
                         MEDCREDIT_JWT_KEYS_FILE is required"
                    )
                })?;
                Self::from_secret(secret.as_bytes())
            }
        };
        for spec in specs.iter().filter(|s| !s.sign) {
            let key = VerifyingKey {
                algorithm: spec.alg.algorithm(),
                key: spec.decoding_key()?,
            };
            keys.verifying.insert(spec.kid.clone(), key);
        }
        Ok(keys)
    }

    /// The kid `mint` puts in the header.
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    pub fn mint(&self, role: Role, sub: &str, org: Option<&str>, ttl: Duration) -> String {
        let now = Utc::now();
        let claims = Claims {
            iss: None,
            sub: sub.to_string(),
            role,
            org: org.map(str::to_string),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            nbf: None,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail")
    }

    /// Verifies signature, algorithm and expiry with the key the `kid` names (the signing key when there is none,
    /// as in tokens minted before kids existed); the error text is safe to show to the client.
    pub fn verify(&self, token: &str) -> Result<Claims, crate::i18n::Msg> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| describe(&e))?;
        let kid = header.kid.as_deref().unwrap_or(&self.signing_kid);
        let key = self
            .verifying
            .get(kid)
            .ok_or_else(|| crate::i18n::msg!("token-unknown-key-id"))?;
        // Only the key's own algorithm: the header's `alg` is attacker-controlled.
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map(|data| data.claims)
            .map_err(|e| describe(&e))?;
        // jsonwebtoken checks `nbf` with the leeway of `exp` (none here) and never checks `iat`: both here.
        let latest = Utc::now().timestamp() + self.leeway_secs;
        if claims.nbf.is_some_and(|nbf| nbf > latest) {
            return Err(crate::i18n::msg!("token-not-yet-valid"));
        }
        if claims.iat > latest {
            return Err(crate::i18n::msg!("token-issued-in-future"));
        }
        Ok(claims)
    }
}

/// What the client is told: the kind of fault in words, never the library's variant name (`InvalidToken`).
fn describe(e: &jsonwebtoken::errors::Error) -> crate::i18n::Msg {
    use crate::i18n::msg;
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => msg!("token-expired"),
        ErrorKind::InvalidSignature => msg!("token-signature-invalid"),
        ErrorKind::InvalidAlgorithm => msg!("token-algorithm-not-accepted"),
        ErrorKind::ImmatureSignature => msg!("token-not-yet-valid"),
        ErrorKind::MissingRequiredClaim(claim) => {
            msg!("token-missing-claim", claim = claim.as_str())
        }
        _ => {
            tracing::debug!(error = %e, "token refused");
            msg!("token-invalid")
        }
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
    use crate::auth::keyfile::KeyAlgorithm;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const NEW_SECRET: &str = "fedcba9876543210fedcba9876543210";
    const RSA_PUBLIC: &str = include_str!("../../tests/fixtures/rsa_public.pem");
    const RSA_PRIVATE: &str = include_str!("../../tests/fixtures/rsa_private.pem");
    const ED_PUBLIC: &str = include_str!("../../tests/fixtures/ed25519_public.pem");
    const ED_PRIVATE: &str = include_str!("../../tests/fixtures/ed25519_private.pem");

    fn spec(kid: &str, alg: KeyAlgorithm, secret: Option<&str>, pem: Option<&str>) -> KeySpec {
        KeySpec {
            kid: kid.into(),
            alg,
            secret: secret.map(Into::into),
            public_key_pem: pem.map(Into::into),
            sign: false,
        }
    }

    /// A token with this header, valid for an hour, signed by `key`.
    fn signed(alg: Algorithm, kid: Option<&str>, key: &EncodingKey) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(Into::into);
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: None,
            sub: "idp-user".into(),
            role: Role::Auditor,
            org: None,
            iat: now,
            exp: now + 3600,
            nbf: None,
        };
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    }

    /// Rotation in progress: `new` signs, `old` and the identity provider's public keys still verify.
    fn rotating() -> JwtKeys {
        let specs = [
            KeySpec {
                sign: true,
                ..spec("new", KeyAlgorithm::HS256, Some(NEW_SECRET), None)
            },
            spec("old", KeyAlgorithm::HS256, Some(SECRET), None),
            spec("idp-rsa", KeyAlgorithm::RS256, None, Some(RSA_PUBLIC)),
            spec("idp-ed", KeyAlgorithm::EdDSA, None, Some(ED_PUBLIC)),
        ];
        JwtKeys::from_specs(&specs, None).unwrap()
    }

    #[test]
    fn minted_tokens_verify_and_carry_their_claims_and_kid() {
        let keys = JwtKeys::from_secret(SECRET.as_bytes());
        let token = keys.mint(
            Role::Hospital,
            "his-1",
            Some("H37010200001"),
            Duration::hours(1),
        );
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.role, Role::Hospital);
        assert_eq!(claims.org.as_deref(), Some("H37010200001"));
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(DEFAULT_KID));
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let keys = JwtKeys::from_secret(SECRET.as_bytes());
        let expired = keys.mint(Role::Admin, "a", None, Duration::seconds(-5));
        assert_eq!(
            keys.verify(&expired)
                .unwrap_err()
                .render(crate::i18n::Locale::En),
            "token has expired"
        );
        let other = JwtKeys::from_secret(b"another-secret-another-secret-xx");
        let token = other.mint(Role::Admin, "a", None, Duration::hours(1));
        assert!(
            keys.verify(&token)
                .unwrap_err()
                .render(crate::i18n::Locale::En)
                .contains("signature")
        );
    }

    #[test]
    fn tokens_without_kid_are_checked_with_the_signing_key() {
        let keys = rotating();
        let new_key = EncodingKey::from_secret(NEW_SECRET.as_bytes());
        assert!(
            keys.verify(&signed(Algorithm::HS256, None, &new_key))
                .is_ok()
        );
        // The old secret verifies only under its own kid.
        let old_key = EncodingKey::from_secret(SECRET.as_bytes());
        assert!(
            keys.verify(&signed(Algorithm::HS256, None, &old_key))
                .is_err()
        );
        assert!(
            keys.verify(&signed(Algorithm::HS256, Some("old"), &old_key))
                .is_ok()
        );
        assert_eq!(keys.signing_kid(), "new");
        let minted = keys.mint(Role::Admin, "a", None, Duration::hours(1));
        assert!(keys.verify(&minted).is_ok());
    }

    #[test]
    fn a_kid_selects_one_key_and_its_algorithm_only() {
        let keys = rotating();
        let old_key = EncodingKey::from_secret(SECRET.as_bytes());
        let unknown = signed(Algorithm::HS256, Some("removed"), &old_key);
        assert_eq!(
            keys.verify(&unknown)
                .unwrap_err()
                .render(crate::i18n::Locale::En),
            "unknown key id"
        );
        // The old secret under the new kid is a bad signature, not a fallback to other keys.
        let mixed = signed(Algorithm::HS256, Some("new"), &old_key);
        assert_eq!(
            keys.verify(&mixed)
                .unwrap_err()
                .render(crate::i18n::Locale::En),
            "token signature is invalid"
        );

        let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
        let ed = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap();
        assert!(
            keys.verify(&signed(Algorithm::RS256, Some("idp-rsa"), &rsa))
                .is_ok()
        );
        assert!(
            keys.verify(&signed(Algorithm::EdDSA, Some("idp-ed"), &ed))
                .is_ok()
        );
        // Signed correctly but presented under the other public key.
        let swapped = signed(Algorithm::EdDSA, Some("idp-rsa"), &ed);
        assert_eq!(
            keys.verify(&swapped)
                .unwrap_err()
                .render(crate::i18n::Locale::En),
            "token algorithm is not accepted"
        );

        // The classic confusion: HS256 keyed with the (public) RSA key text.
        let forger = EncodingKey::from_secret(RSA_PUBLIC.as_bytes());
        for kid in [Some("idp-rsa"), None] {
            assert!(
                keys.verify(&signed(Algorithm::HS256, kid, &forger))
                    .is_err()
            );
        }
        let claims =
            URL_SAFE_NO_PAD.encode(r#"{"sub":"a","role":"admin","exp":9999999999,"iat":0}"#);
        for header in [r#"{"alg":"none"}"#, r#"{"alg":"none","kid":"new"}"#] {
            let unsigned = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(header));
            assert!(keys.verify(&unsigned).is_err(), "{header}");
        }
    }

    #[test]
    fn a_signer_is_required() {
        let verify_only = [spec("idp", KeyAlgorithm::EdDSA, None, Some(ED_PUBLIC))];
        let err = JwtKeys::from_specs(&verify_only, None).err().unwrap();
        assert!(err.contains("MEDCREDIT_JWT_SECRET"), "{err}");
        let keys = JwtKeys::from_specs(&verify_only, Some(SECRET)).unwrap();
        assert_eq!(keys.signing_kid(), DEFAULT_KID);
    }

    #[test]
    fn tokens_from_the_future_are_refused_beyond_the_leeway() {
        let keys = JwtKeys::from_secret(SECRET.as_bytes());
        let key = EncodingKey::from_secret(SECRET.as_bytes());
        let now = Utc::now().timestamp();
        let token = |iat: i64, nbf: Option<i64>| {
            let mut claims =
                serde_json::json!({"sub": "a", "role": "admin", "iat": iat, "exp": now + 7200});
            if let Some(nbf) = nbf {
                claims["nbf"] = nbf.into();
            }
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap()
        };
        assert!(
            keys.verify(&token(now + 30, Some(now + 30))).is_ok(),
            "within the leeway"
        );
        assert!(
            keys.verify(&token(now, Some(now + 3600)))
                .unwrap_err()
                .render(crate::i18n::Locale::En)
                .contains("nbf")
        );
        assert!(
            keys.verify(&token(now + 86400, None))
                .unwrap_err()
                .render(crate::i18n::Locale::En)
                .contains("iat")
        );
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
