//! `MEDCREDIT_JWT_KEYS_FILE`: the verification keys by `kid` (HS256 secrets for rotation, RS256 and Ed25519
//! public keys of an identity provider), checked whole at start-up so a bad file stops it with one clear line.

use std::collections::HashSet;
use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The kid of `MEDCREDIT_JWT_SECRET` (and of a key file's key without one).
pub const DEFAULT_KID: &str = "default";
/// Short secrets make HS256 tokens guessable; 32 bytes is the usual floor for HMAC-SHA256 keys.
pub const MIN_SECRET_LEN: usize = 32;

/// The algorithms a key of `MEDCREDIT_JWT_KEYS_FILE` may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum KeyAlgorithm {
    HS256,
    RS256,
    EdDSA,
}

impl KeyAlgorithm {
    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            KeyAlgorithm::HS256 => Algorithm::HS256,
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        }
    }
}

/// One entry of `MEDCREDIT_JWT_KEYS_FILE`: an HS256 `secret` or an RS256/EdDSA `public_key_pem`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    pub kid: String,
    pub alg: KeyAlgorithm,
    #[serde(default)]
    pub secret: Option<SecretString>,
    #[serde(default)]
    pub public_key_pem: Option<String>,
    /// Mints tokens (`medcredit token`, the demo); at most one key, HS256 only.
    #[serde(default)]
    pub sign: bool,
}

/// `Config` is printed with `{:?}` in places; a secret must never reach a log line.
impl fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("public_key_pem", &self.public_key_pem.is_some())
            .field("sign", &self.sign)
            .finish()
    }
}

impl KeySpec {
    /// Checks the entry and builds its verification key.
    pub(crate) fn decoding_key(&self) -> Result<DecodingKey, String> {
        let (kid, alg) = (&self.kid, self.alg);
        let secret = self.secret.as_ref().map(ExposeSecret::expose_secret);
        match (alg, secret, self.public_key_pem.as_deref()) {
            (KeyAlgorithm::HS256, Some(secret), None) if secret.len() >= MIN_SECRET_LEN => {
                Ok(DecodingKey::from_secret(secret.as_bytes()))
            }
            (KeyAlgorithm::HS256, Some(_), None) => Err(format!(
                "key {kid:?}: an HS256 secret must be at least {MIN_SECRET_LEN} bytes"
            )),
            (KeyAlgorithm::HS256, _, _) => Err(format!(
                "key {kid:?}: HS256 needs \"secret\" and no \"public_key_pem\""
            )),
            (_, None, Some(pem)) => {
                // The PEM parser would accept a private key too; medcredit only verifies and must not hold one.
                if pem.contains("PRIVATE KEY") {
                    return Err(format!(
                        "key {kid:?}: public_key_pem holds a private key; give the public key only"
                    ));
                }
                let key = match alg {
                    KeyAlgorithm::RS256 => DecodingKey::from_rsa_pem(pem.as_bytes()),
                    _ => DecodingKey::from_ed_pem(pem.as_bytes()),
                };
                key.map_err(|_| {
                    format!("key {kid:?}: public_key_pem is not a {alg:?} public key in PEM")
                })
            }
            (_, _, _) => Err(format!(
                "key {kid:?}: {alg:?} needs \"public_key_pem\" and no \"secret\""
            )),
        }
    }
}

/// Parses and checks the contents of `MEDCREDIT_JWT_KEYS_FILE`; the error is one line for `ConfigError`.
pub fn parse_key_file(text: &str) -> Result<Vec<KeySpec>, String> {
    let specs: Vec<KeySpec> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON array of keys: {e}"))?;
    if specs.is_empty() {
        return Err("lists no keys; unset the variable instead".into());
    }
    let mut kids = HashSet::new();
    for spec in &specs {
        if spec.kid.trim().is_empty() || spec.kid.trim() != spec.kid {
            return Err(format!(
                "kid {:?} must be non-empty, without surrounding spaces",
                spec.kid
            ));
        }
        if !kids.insert(spec.kid.as_str()) {
            return Err(format!("kid {:?} is listed twice", spec.kid));
        }
        spec.decoding_key()?;
        if spec.sign && spec.alg != KeyAlgorithm::HS256 {
            return Err(format!(
                "key {:?}: only an HS256 key can sign (medcredit holds no private keys)",
                spec.kid
            ));
        }
    }
    let signers = specs.iter().filter(|s| s.sign).count();
    if signers > 1 {
        return Err(format!(
            "{signers} keys have \"sign\": true; at most one may"
        ));
    }
    // Without a signer in the file MEDCREDIT_JWT_SECRET signs as `default`; a second `default` would be ambiguous.
    if signers == 0 && kids.contains(DEFAULT_KID) {
        return Err(format!(
            "kid {DEFAULT_KID:?} belongs to MEDCREDIT_JWT_SECRET unless a key in the file has \"sign\": true"
        ));
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const RSA_PUBLIC: &str = include_str!("../../tests/fixtures/rsa_public.pem");
    const RSA_PRIVATE: &str = include_str!("../../tests/fixtures/rsa_private.pem");
    const ED_PUBLIC: &str = include_str!("../../tests/fixtures/ed25519_public.pem");

    #[test]
    fn key_files_are_checked_whole() {
        let ok = format!(
            r#"[{{"kid":"k1","alg":"HS256","secret":"{SECRET}","sign":true}},
                {{"kid":"idp","alg":"RS256","public_key_pem":{}}}]"#,
            serde_json::to_string(RSA_PUBLIC).unwrap()
        );
        assert_eq!(parse_key_file(&ok).unwrap().len(), 2);
        let pem = |text: &str| serde_json::to_string(text).unwrap();
        let bad = [
            ("[]".to_string(), "no keys"),
            (r#"{"kid":"a"}"#.to_string(), "JSON array"),
            (
                r#"[{"kid":"a","alg":"HS256","secret":"short"}]"#.to_string(),
                "at least 32",
            ),
            (
                format!(r#"[{{"kid":"a","alg":"HS512","secret":"{SECRET}"}}]"#),
                "HS512",
            ),
            (
                format!(r#"[{{"kid":"a","alg":"HS256","secret":"{SECRET}","x":1}}]"#),
                "unknown field",
            ),
            (
                format!(
                    r#"[{{"kid":"a","alg":"RS256","public_key_pem":{}}}]"#,
                    pem(ED_PUBLIC)
                ),
                "not a RS256",
            ),
            (
                format!(
                    r#"[{{"kid":"a","alg":"RS256","public_key_pem":{}}}]"#,
                    pem(RSA_PRIVATE)
                ),
                "private key",
            ),
            (
                format!(r#"[{{"kid":"a","alg":"EdDSA","secret":"{SECRET}"}}]"#),
                "needs \"public_key_pem\"",
            ),
            (
                format!(
                    r#"[{{"kid":"a","alg":"EdDSA","public_key_pem":{},"sign":true}}]"#,
                    pem(ED_PUBLIC)
                ),
                "only an HS256",
            ),
            (
                format!(r#"[{{"kid":"default","alg":"HS256","secret":"{SECRET}"}}]"#),
                "belongs to MEDCREDIT_JWT_SECRET",
            ),
            (
                format!(
                    r#"[{{"kid":"a","alg":"HS256","secret":"{SECRET}"}},{{"kid":"a","alg":"HS256","secret":"{SECRET}"}}]"#
                ),
                "twice",
            ),
            (
                format!(
                    r#"[{{"kid":"a","alg":"HS256","secret":"{SECRET}","sign":true}},{{"kid":"b","alg":"HS256","secret":"{SECRET}","sign":true}}]"#
                ),
                "at most one",
            ),
        ];
        for (text, expected) in bad {
            let err = parse_key_file(&text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let spec = KeySpec {
            kid: "k".into(),
            alg: KeyAlgorithm::HS256,
            secret: Some(SECRET.into()),
            public_key_pem: None,
            sign: true,
        };
        let debug = format!("{spec:?}");
        assert!(
            !debug.contains(SECRET) && debug.contains("redacted"),
            "{debug}"
        );
    }
}
