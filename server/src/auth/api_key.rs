//! API key material: `sk_` (secret) or `pk_` (publishable), then a lookup id and a secret.
//! The database keeps the lookup prefix and a SHA-256 of the whole key, never the key.

use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::KeyKind;

/// The visible start of every key of `kind`.
fn tag(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Secret => "sk_",
        KeyKind::Publishable => "pk_",
    }
}

const ID_LEN: usize = 10;
const SECRET_LEN: usize = 40;

/// A new key, as shown once to its creator.
pub struct Generated {
    pub key: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate(kind: KeyKind) -> Generated {
    let mut rng = rand::rngs::OsRng;
    let id = Alphanumeric.sample_string(&mut rng, ID_LEN);
    let secret = Alphanumeric.sample_string(&mut rng, SECRET_LEN);
    let prefix = format!("{}{id}", tag(kind));
    let key = format!("{prefix}{secret}");
    let hash = digest(&key);
    Generated { key, prefix, hash }
}

/// The lookup prefix of a presented key, when it has the shape of one.
pub fn prefix_of(presented: &str) -> Option<&str> {
    let well_formed = presented.len() == 3 + ID_LEN + SECRET_LEN
        && (presented.starts_with("sk_") || presented.starts_with("pk_"))
        && presented[3..].chars().all(|c| c.is_ascii_alphanumeric());
    well_formed.then(|| &presented[..3 + ID_LEN])
}

pub fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Compares the presented key with the stored hash in constant time.
pub fn matches(stored_hash: &str, presented: &str) -> bool {
    digest(presented).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_carry_their_kind_and_match_their_hash() {
        let g = generate(KeyKind::Secret);
        assert!(g.key.starts_with("sk_"));
        assert_eq!(prefix_of(&g.key), Some(g.prefix.as_str()));
        assert!(matches(&g.hash, &g.key));
        assert!(!matches(&g.hash, &generate(KeyKind::Secret).key));
        assert!(generate(KeyKind::Publishable).key.starts_with("pk_"));
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        assert_eq!(prefix_of("sk_short"), None);
        assert_eq!(prefix_of(&format!("xx_{}", "a".repeat(50))), None);
    }
}
