//! Credentials: password hashing, signed tokens, API keys, and who a request comes from.

pub mod api_key;
pub mod caller;
pub mod jwt;
pub mod password;

pub use caller::{Caller, KeyCaller, Subject, UserCaller};
pub use jwt::{Claims, Origin, Purpose, TokenKeys};

use crate::store::StoreError;

/// Errors of the authentication layer.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The credential is missing, malformed, expired, revoked or of the wrong kind.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The credential is fine but does not allow this.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("token signing failed: {0}")]
    Signing(#[from] jsonwebtoken::errors::Error),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

impl AuthError {
    /// The stable code of this error (see `AppError::code`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Unauthorized(_) => "unauthorized",
            AuthError::Forbidden(_) => "forbidden",
            AuthError::Store(StoreError::Conflict(_)) => "conflict",
            AuthError::Store(_) | AuthError::Signing(_) | AuthError::Hashing(_) => "internal",
        }
    }
}
