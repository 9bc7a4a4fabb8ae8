//! Webhook secrets and signatures. A receiver recomputes HMAC-SHA256 over
//! `"<Confab-Timestamp>.<body>"` with its secret and compares it with any `v1=` entry of
//! `Confab-Signature`; while a rotated-out secret still signs, there are two entries.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// What every webhook secret starts with, so one is recognised in a config file.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh secret: the prefix and 32 random bytes in hex.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", hex::encode(bytes))
}

/// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Confab-Signature` value: one `v1=<hex>` per secret, in the order given (the current
/// secret first), separated by commas.
pub fn signature_header(secrets: &[&str], timestamp: i64, body: &str) -> String {
    secrets.iter().map(|secret| format!("v1={}", sign(secret, timestamp, body))).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_prefixed() {
        let (a, b) = (generate_secret(), generate_secret());
        assert!(a.starts_with(SECRET_PREFIX) && a.len() == SECRET_PREFIX.len() + 64);
        assert_ne!(a, b);
    }

    #[test]
    fn the_header_carries_one_signature_per_secret() {
        let header = signature_header(&["one", "two"], 1_700_000_000, "{}");
        let parts: Vec<&str> = header.split(',').collect();
        assert_eq!(parts, [format!("v1={}", sign("one", 1_700_000_000, "{}")), format!("v1={}", sign("two", 1_700_000_000, "{}"))]);
        assert_ne!(sign("one", 1, "{}"), sign("one", 2, "{}"));
    }
}
