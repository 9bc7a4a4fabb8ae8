//! Argon2id password hashes (m = 19456 KiB, t = 2, p = 1), computed off the async threads.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::AuthError;
use crate::domain::Password;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: &Password) -> Result<String, AuthError> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AuthError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| AuthError::Hashing(e.to_string()))?
}

/// Checks `candidate` against `stored`; with no stored hash it still spends the same work,
/// so response time does not tell whether an account exists.
pub async fn verify(stored: Option<&str>, candidate: &str) -> Result<bool, AuthError> {
    let stored = stored.map(str::to_owned);
    let candidate = candidate.to_owned();
    tokio::task::spawn_blocking(move || {
        let dummy;
        let phc = match &stored {
            Some(s) => s.as_str(),
            None => {
                dummy = dummy_hash();
                dummy.as_str()
            }
        };
        let parsed = PasswordHash::new(phc).map_err(|e| AuthError::Hashing(e.to_string()))?;
        let ok = hasher().verify_password(candidate.as_bytes(), &parsed).is_ok();
        Ok(ok && stored.is_some())
    })
    .await
    .map_err(|e| AuthError::Hashing(e.to_string()))?
}

fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            hasher().hash_password(b"not a real password", &salt).expect("hash dummy").to_string()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let p = Password::parse("correct horse").unwrap();
        let h = hash(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(Some(&h), "correct horse").await.unwrap());
        assert!(!verify(Some(&h), "wrong horse").await.unwrap());
        assert!(!verify(None, "correct horse").await.unwrap());
    }
}
