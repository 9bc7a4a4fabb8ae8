//! The error of the service layer: what went wrong, in domain terms. The API layer maps it
//! to a status code and the error envelope.

use crate::auth::AuthError;
use crate::domain::Invalid;
use crate::limiter::LimiterError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that parsed but breaks a rule (422).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Input that cannot be understood at all (400).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this (403); `code` is the envelope code.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Limiter(#[from] LimiterError),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden { code: "forbidden", message: message.into() }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => AppError::Conflict(conflict_message(&what)),
            other => AppError::Store(other),
        }
    }
}

/// Names the field a unique index guards, without leaking the index name.
fn conflict_message(constraint: &str) -> String {
    let field = ["external_id", "username", "email", "slug", "prefix"].into_iter().find(|f| constraint.contains(f));
    match field {
        Some("slug") => "a tenant with this slug already exists".into(),
        Some(f) => format!("this {f} is already taken"),
        None => "this already exists".into(),
    }
}

pub type AppResult<T> = Result<T, AppError>;
