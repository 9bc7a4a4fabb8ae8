//! The error of the service layer: what went wrong, in domain terms. The API layer maps it
//! to a status code and the error envelope.

use std::time::Duration;

use crate::auth::AuthError;
use crate::domain::{Invalid, MalformedId};
use crate::limiter::LimiterError;
use crate::store::StoreError;

/// How long a client is told to wait when a dependency is down: long enough for a restart
/// or a reconnect, short enough that nobody waits on a dependency that is back.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

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
    /// Over a rate limit (429); nothing was done.
    #[error("too many requests; retry in {} s", .0.retry_after_secs)]
    RateLimited(Throttled),
    #[error(transparent)]
    Auth(AuthError),
    #[error(transparent)]
    Store(StoreError),
    /// A dependency the request needs is down (503); retrying later can succeed.
    #[error("{what} is unavailable; retry shortly")]
    Unavailable { what: &'static str, cause: String },
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
            AppError::RateLimited(_) => "rate_limited",
            AppError::Auth(auth) => auth.code(),
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Unavailable { .. } => "unavailable",
            AppError::Store(_) | AppError::Internal(_) => "internal",
        }
    }

    /// A dependency that is down: `what` names it to the client, `cause` goes to the log.
    pub fn unavailable(what: &'static str, cause: impl std::fmt::Display) -> Self {
        AppError::Unavailable { what, cause: cause.to_string() }
    }

    /// For a refusal by a rate limit or an unavailable dependency, the seconds to wait
    /// before retrying.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::RateLimited(throttled) => Some(throttled.retry_after_secs),
            AppError::Unavailable { .. } => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
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

/// What a client over a rate limit is told: REST sends it as headers, the WebSocket as the
/// error frame's `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// The size of the limit that refused the request.
    pub limit: u64,
    /// What is left of it.
    pub remaining: u64,
    /// Seconds until a retry can succeed, at least 1.
    pub retry_after_secs: u64,
    /// Seconds until the limit is whole again.
    pub reset_secs: u64,
}

impl Throttled {
    /// A refusal by a limit of `limit` that frees up in `retry_after` and is whole again
    /// in `reset`; seconds are rounded up, so a client waiting as told is not refused again.
    pub fn new(limit: u64, remaining: u64, retry_after: Duration, reset: Duration) -> Self {
        let secs = |d: Duration| d.as_secs() + u64::from(d.subsec_nanos() > 0);
        let retry_after_secs = secs(retry_after).max(1);
        Throttled { limit, remaining, retry_after_secs, reset_secs: secs(reset).max(retry_after_secs) }
    }
}

impl From<MalformedId> for AppError {
    fn from(err: MalformedId) -> Self {
        AppError::BadRequest(err.to_string())
    }
}

impl From<LimiterError> for AppError {
    fn from(err: LimiterError) -> Self {
        AppError::unavailable("the rate limiter", err)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => AppError::Conflict(conflict_message(&what)),
            StoreError::Unavailable(cause) => AppError::unavailable("the database", cause),
            other => AppError::Store(other),
        }
    }
}

impl From<AuthError> for AppError {
    /// Checking a credential reads the database too; while it is out of reach the caller
    /// hears 503, as for any other request, rather than 500.
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Store(store @ StoreError::Unavailable(_)) => store.into(),
            other => AppError::Auth(other),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_unavailable_to_the_client_even_while_checking_credentials() {
        for err in [
            AppError::from(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
            AppError::from(AuthError::Store(StoreError::Unavailable(sqlx::Error::PoolClosed))),
        ] {
            assert_eq!(err.code(), "unavailable", "{err}");
            assert_eq!(err.retry_after_secs(), Some(UNAVAILABLE_RETRY_SECS));
            assert_eq!(err.public_message(), "the database is unavailable; retry shortly");
        }
        let refused = AppError::from(StoreError::Database(sqlx::Error::RowNotFound));
        assert!(refused.is_internal());
        assert_eq!(AppError::from(AuthError::Unauthorized("expired")).code(), "unauthorized");
    }
}
