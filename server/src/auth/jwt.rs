//! Signed tokens. Every token pins HS256, names its issuer, audience, key id and purpose, so
//! an access, refresh, chat or WebSocket token can never stand in for another.

use std::collections::HashMap;

use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::AuthError;

pub const ISSUER: &str = "confab";
pub const AUDIENCE: &str = "confab-api";

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Short-lived token of a password login.
    Access,
    /// Rotating token that buys new access tokens.
    Refresh,
    /// Long-lived token a website mints for one of its users.
    Chat,
    /// One-time, 60-second WebSocket ticket.
    Ws,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// The tenant id.
    pub tid: String,
    pub pur: Purpose,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The login session: access and refresh tokens, and tickets taken with an access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The API key that minted it: chat tokens minted with a key, and tickets taken with
    /// such a token. Revoking that key ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub akid: Option<String>,
}

/// The credentials a token depends on: revoking either ends the token.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub session_id: Option<&'a str>,
    pub minted_by: Option<&'a str>,
}

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
}

/// The signing key and every key that still verifies, by key id.
pub struct TokenKeys {
    current: SigningKey,
    verifying: HashMap<String, DecodingKey>,
    /// HMAC-SHA256 of a fixed label under the signing secret: the root other server-side
    /// signatures (media URLs) derive their keys from, so no second secret is configured.
    derivation_root: [u8; 32],
}

/// A freshly signed token.
pub struct Signed {
    pub token: String,
    pub jti: String,
    /// Seconds since the Unix epoch, as the token's `exp` claim says.
    pub expires_at: i64,
}

impl Signed {
    /// When the token stops working, as a time.
    pub fn expiry(&self) -> crate::domain::Timestamp {
        // `exp` is now plus a lifetime of at most a year, well inside chrono's range.
        chrono::DateTime::from_timestamp(self.expires_at, 0).unwrap_or_default()
    }
}

impl TokenKeys {
    /// `spec` is `kid:secret[,kid:secret...]`; the first key signs, all of them verify, so a
    /// rotated-out key keeps verifying the tokens it signed until it is removed.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut current = None;
        let mut derivation_root = None;
        let mut verifying = HashMap::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kid, secret) = part.split_once(':').ok_or_else(|| "each JWT key must be written kid:secret".to_owned())?;
            if kid.is_empty() || secret.len() < 32 {
                return Err(format!("JWT key {kid:?} needs a kid and a secret of at least 32 characters"));
            }
            verifying.insert(kid.to_owned(), DecodingKey::from_secret(secret.as_bytes()));
            if current.is_none() {
                current = Some(SigningKey { kid: kid.to_owned(), encoding: EncodingKey::from_secret(secret.as_bytes()) });
                derivation_root = Some(hmac_sha256(secret.as_bytes(), b"confab key derivation"));
            }
        }
        let current = current.ok_or_else(|| "no JWT key configured".to_owned())?;
        let derivation_root = derivation_root.unwrap_or_default();
        Ok(TokenKeys { current, verifying, derivation_root })
    }

    /// A key of its own for `purpose`, derived from the signing secret: the same on every
    /// process that shares `CONFAB_JWT_KEYS`, and unrelated to the tokens' own key.
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        hmac_sha256(&self.derivation_root, purpose.as_bytes())
    }

    /// A new random key spec with one key, for a data directory that has none yet.
    pub fn generate_spec() -> String {
        use rand::distributions::{Alphanumeric, DistString};
        let mut rng = rand::rngs::OsRng;
        let kid = Alphanumeric.sample_string(&mut rng, 8).to_lowercase();
        let secret = Alphanumeric.sample_string(&mut rng, 64);
        format!("{kid}:{secret}")
    }

    pub fn sign(
        &self,
        purpose: Purpose,
        tenant_id: &str,
        user_id: &str,
        ttl_seconds: i64,
        session_id: Option<&str>,
    ) -> Result<Signed, AuthError> {
        self.sign_from(purpose, tenant_id, user_id, ttl_seconds, Origin { session_id, minted_by: None })
    }

    /// Signs a token that names the session and API key it depends on.
    pub fn sign_from(
        &self,
        purpose: Purpose,
        tenant_id: &str,
        user_id: &str,
        ttl_seconds: i64,
        origin: Origin<'_>,
    ) -> Result<Signed, AuthError> {
        let now = chrono::Utc::now().timestamp();
        let jti = ulid::Ulid::new().to_string();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            tid: tenant_id.into(),
            pur: purpose,
            iat: now,
            exp: now + ttl_seconds,
            jti: jti.clone(),
            sid: origin.session_id.map(str::to_owned),
            akid: origin.minted_by.map(str::to_owned),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current.kid.clone());
        let token = encode(&header, &claims, &self.current.encoding)?;
        Ok(Signed { token, jti, expires_at: claims.exp })
    }

    /// Verifies signature, algorithm, issuer, audience and expiry, then the purpose.
    pub fn verify(&self, token: &str, accepted: &[Purpose]) -> Result<Claims, AuthError> {
        const BAD: AuthError = AuthError::Unauthorized("invalid or expired token");
        let header = decode_header(token).map_err(|_| BAD)?;
        if header.alg != Algorithm::HS256 {
            return Err(BAD);
        }
        let key = header.kid.as_deref().and_then(|kid| self.verifying.get(kid)).ok_or(BAD)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        let claims = decode::<Claims>(token, key, &validation).map_err(|_| BAD)?.claims;
        if !accepted.contains(&claims.pur) {
            return Err(AuthError::Unauthorized("this kind of token is not accepted here"));
        }
        Ok(claims)
    }
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "k1:0123456789abcdef0123456789abcdef";
    const K2: &str = "k2:fedcba9876543210fedcba9876543210";

    #[test]
    fn a_token_verifies_only_for_its_own_purpose() {
        let keys = TokenKeys::parse(K1).unwrap();
        let t = keys.sign(Purpose::Chat, "t", "u", 60, None).unwrap();
        assert_eq!(keys.verify(&t.token, &[Purpose::Chat]).unwrap().sub, "u");
        assert!(keys.verify(&t.token, &[Purpose::Refresh]).is_err());
    }

    #[test]
    fn a_token_names_the_key_that_minted_it() {
        let keys = TokenKeys::parse(K1).unwrap();
        let t = keys.sign_from(Purpose::Chat, "t", "u", 60, Origin { session_id: None, minted_by: Some("k") }).unwrap();
        let claims = keys.verify(&t.token, &[Purpose::Chat]).unwrap();
        assert_eq!((claims.sid, claims.akid.as_deref()), (None, Some("k")));
        let plain = keys.sign(Purpose::Chat, "t", "u", 60, None).unwrap();
        assert_eq!(keys.verify(&plain.token, &[Purpose::Chat]).unwrap().akid, None);
    }

    #[test]
    fn a_rotated_out_key_still_verifies_until_removed() {
        let old = TokenKeys::parse(K1).unwrap();
        let t = old.sign(Purpose::Access, "t", "u", 60, Some("s")).unwrap();
        let rotated = TokenKeys::parse(&format!("{K2},{K1}")).unwrap();
        assert!(rotated.verify(&t.token, &[Purpose::Access]).is_ok());
        let removed = TokenKeys::parse(K2).unwrap();
        assert!(removed.verify(&t.token, &[Purpose::Access]).is_err());
    }

    #[test]
    fn expired_tokens_and_short_secrets_are_refused() {
        let keys = TokenKeys::parse(K1).unwrap();
        let t = keys.sign(Purpose::Chat, "t", "u", -5, None).unwrap();
        assert!(keys.verify(&t.token, &[Purpose::Chat]).is_err());
        assert!(TokenKeys::parse("k:short").is_err());
        assert!(TokenKeys::parse("").is_err());
    }
}
