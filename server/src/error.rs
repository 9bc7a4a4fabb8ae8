//! The error of the service layer: what went wrong, in domain terms. The API layer maps it
//! to a status code and the error envelope.

use crate::auth::AuthError;
use crate::domain::{Invalid, MalformedId};
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

    /// The stable, machine-readable code of this error: what the REST envelope and the
    /// WebSocket `error` frame both carry.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "validation_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Forbidden { code, .. } => code,
            AppError::TooLarge(_) => "payload_too_large",
            AppError::Auth(auth) => auth.code(),
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(_) | AppError::Limiter(_) | AppError::Internal(_) => "internal",
        }
    }

    /// True for failures of the server itself, whose cause is logged and never shown.
    pub fn is_internal(&self) -> bool {
        self.code() == "internal"
    }

    /// What the client is told: the error's own words, or a fixed text for an internal
    /// failure, whose cause goes to the log instead.
    pub fn public_message(&self) -> String {
        if self.is_internal() {
            "internal server error".to_owned()
        } else {
            self.to_string()
        }
    }
}

impl From<MalformedId> for AppError {
    fn from(err: MalformedId) -> Self {
        AppError::BadRequest(err.to_string())
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
