//! Details sealed at rest (issue 21): a tip reporter's contact and payment details are encrypted with
//! ChaCha20-Poly1305 under a key from configuration (`MEDCREDIT_TIP_KEY`). The key lives in a
//! [`secrecy::SecretBox`], so it is never printed (`{:?}` shows `[REDACTED]`) and is zeroed when dropped. Each
//! sealed value carries its own random nonce and is bound to the tip it belongs to (associated data), so a
//! sealed value copied onto another tip does not open.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use secrecy::{ExposeSecret, SecretBox};

const NONCE_LEN: usize = 12;

/// The key that seals and opens details.
pub struct TipKey(SecretBox<[u8; 32]>);

impl std::fmt::Debug for TipKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TipKey([REDACTED])")
    }
}

impl TipKey {
    /// The key written as 64 hexadecimal digits; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        let key: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(SecretBox::new(Box::new(key))))
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(*self.0.expose_secret()))
    }

    /// `text` sealed for the record named `bound_to`: base64 of nonce and ciphertext.
    pub fn seal(&self, text: &str, bound_to: &str) -> Result<String, String> {
        use rand::RngCore;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: text.as_bytes(),
            aad: bound_to.as_bytes(),
        };
        let sealed = self
            .cipher()
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| "cannot seal".to_string())?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(STANDARD.encode(out))
    }

    /// The text of a value sealed for `bound_to`; `None` if it was sealed under another key, for another record,
    /// or altered.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let payload = Payload {
            msg: body,
            aad: bound_to.as_bytes(),
        };
        let plain = self.cipher().decrypt(&Nonce::from(nonce), payload).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::TipKey;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_text_opens_only_with_its_key_and_record() {
        let key = TipKey::from_hex(KEY).unwrap();
        let sealed = key.seal("电话 13800000000", "JB1").unwrap();
        assert!(!sealed.contains("13800000000"));
        assert_eq!(
            key.open(&sealed, "JB1").as_deref(),
            Some("电话 13800000000")
        );
        assert_eq!(key.open(&sealed, "JB2"), None, "bound to its tip");
        let other = TipKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(other.open(&sealed, "JB1"), None);
        // Two seals of one text differ (a fresh nonce each time).
        assert_ne!(sealed, key.seal("电话 13800000000", "JB1").unwrap());
        assert_eq!(format!("{key:?}"), "TipKey([REDACTED])");
    }

    #[test]
    fn a_key_is_exactly_32_bytes_of_hex() {
        assert!(TipKey::from_hex(KEY).is_some());
        assert!(TipKey::from_hex("abcd").is_none());
        assert!(TipKey::from_hex(&"zz".repeat(32)).is_none());
    }
}
