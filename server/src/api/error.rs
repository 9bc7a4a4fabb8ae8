//! The error envelope of API.md and the mapping from every lower error to it. A 500 is
//! logged with its cause and answers with an opaque message.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use super::parse_errors;
use crate::auth::AuthError;
use crate::error::{AppError, Throttled};

/// A failed request.
#[derive(Object, Debug, Clone)]
pub struct ErrorBody {
    /// Always `false`.
    pub success: bool,
    /// Machine-readable reason in snake_case, such as `not_found` or `validation_failed`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// For `validation_failed`: the reason per offending field.
    #[oai(skip_serializing_if_is_none)]
    pub fields: Option<BTreeMap<String, String>>,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Json<ErrorBody> {
        Json(ErrorBody { success: false, code: code.into(), message: message.into(), fields: None })
    }
}

/// Every error status an operation can answer with.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// Malformed request: bad JSON, wrong types, unknown enum values, bad ids.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Missing, invalid, expired or revoked credentials.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The caller may not do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource in the caller's tenant.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The resource already exists or changed meanwhile.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is larger than allowed.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The input breaks a rule; `fields` says which and why.
    #[oai(status = 422)]
    ValidationFailed(Json<ErrorBody>),
    /// Over a rate limit; nothing was done. Retry after `Retry-After` seconds.
    #[oai(status = 429)]
    RateLimited(
        Json<ErrorBody>,
        /// Seconds to wait before retrying.
        #[oai(header = "Retry-After")]
        u64,
        /// The size of the limit that refused the request (a token bucket's burst, or the
        /// attempts a window allows).
        #[oai(header = "X-RateLimit-Limit")]
        u64,
        /// What is left of that limit: 0 when refused.
        #[oai(header = "X-RateLimit-Remaining")]
        u64,
        /// Seconds until the limit is whole again.
        #[oai(header = "X-RateLimit-Reset")]
        u64,
    ),
    /// An unexpected failure; details are in the server log only.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A dependency (the database, search, media storage, the rate limiter's store) is down;
    /// nothing was done. Retry after `Retry-After` seconds (a send with the same
    /// `client_msg_id`, so it is stored once even if it did land).
    #[oai(status = 503)]
    Unavailable(
        Json<ErrorBody>,
        /// Seconds to wait before retrying.
        #[oai(header = "Retry-After")]
        u64,
    ),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(ErrorBody::new("bad_request", message))
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(ErrorBody::new("not_found", format!("{what} not found")))
    }

    /// A 429 telling the client about the limit it ran into.
    pub fn rate_limited(body: Json<ErrorBody>, t: Throttled) -> Self {
        ApiError::RateLimited(body, t.retry_after_secs, t.limit, t.remaining, t.reset_secs)
    }

    fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::Internal(ErrorBody::new("internal", "internal server error"))
    }
}

impl From<AppError> for ApiError {
    /// The status follows the error's kind; the code and message come from the error
    /// itself, so REST and the WebSocket name every failure alike.
    fn from(err: AppError) -> Self {
        if err.is_internal() {
            return ApiError::internal(&err);
        }
        let body = ErrorBody::new(err.code(), err.public_message());
        match err {
            AppError::Invalid(invalid) => {
                let mut fields = BTreeMap::new();
                fields.insert(invalid.field.to_owned(), invalid.reason.clone());
                ApiError::ValidationFailed(Json(ErrorBody { fields: Some(fields), ..body.0 }))
            }
            AppError::BadRequest(_) => ApiError::BadRequest(body),
            AppError::NotFound(_) => ApiError::NotFound(body),
            AppError::Conflict(_) | AppError::Store(_) => ApiError::Conflict(body),
            AppError::Forbidden { .. } => ApiError::Forbidden(body),
            AppError::TooLarge(_) => ApiError::PayloadTooLarge(body),
            AppError::RateLimited(t) => ApiError::rate_limited(body, t),
            AppError::Auth(auth) => match auth {
                AuthError::Unauthorized(_) => ApiError::Unauthorized(body),
                AuthError::Forbidden(_) => ApiError::Forbidden(body),
                AuthError::Store(_) | AuthError::Signing(_) | AuthError::Hashing(_) => ApiError::Conflict(body),
            },
            AppError::Unavailable { what, ref cause } => {
                tracing::warn!(dependency = what, %cause, "dependency unavailable");
                ApiError::Unavailable(body, err.retry_after_secs().unwrap_or(crate::error::UNAVAILABLE_RETRY_SECS))
            }
            AppError::Internal(_) => ApiError::internal(&err),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        AppError::from(err).into()
    }
}

impl From<crate::domain::Invalid> for ApiError {
    fn from(err: crate::domain::Invalid) -> Self {
        AppError::from(err).into()
    }
}

/// Turns the errors poem and poem-openapi raise themselves (bad JSON, missing parameters,
/// unknown routes, missing credentials) into the envelope; our own errors pass unchanged.
/// Their messages are written here, never passed on, since poem's quote the refused input.
pub fn envelope_for_poem_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", parse_errors::bad_request_message(&err)),
        StatusCode::UNAUTHORIZED => ("unauthorized", "missing or invalid credentials".to_owned()),
        StatusCode::FORBIDDEN => ("forbidden", "you may not do this".to_owned()),
        StatusCode::NOT_FOUND => ("not_found", "no such route".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed on this route".to_owned()),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "request body too large".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send the body as application/json".to_owned()),
        StatusCode::UNPROCESSABLE_ENTITY => ("validation_failed", "the input breaks a rule of this operation".to_owned()),
        s if s.is_client_error() => {
            ("bad_request", format!("the request was refused ({})", s.canonical_reason().unwrap_or("client error")))
        }
        _ => {
            tracing::error!(error = %err, status = %status, "internal error");
            ("internal", "internal server error".to_owned())
        }
    };
    let body = ErrorBody::new(code, message);
    let status = if status.is_server_error() { StatusCode::INTERNAL_SERVER_ERROR } else { status };
    (status, body).into_response()
}
