//! Request guards that run before any handler:
//! - bodies over the configured size get 413 (except uploads to the local blob store, bound
//!   by their signed length instead). Unlike poem's `SizeLimit` this lets body-less
//!   requests (no `Content-Length`) through, and it also bounds chunked bodies;
//! - NUL characters, in the query or the body, get 400: PostgreSQL cannot store them in
//!   text, so they would otherwise surface as 500s deep in a query (socket frames follow
//!   the same rule, `domain::text::has_nul`);
//! - an empty body without a content type is taken as empty JSON, so operations whose body
//!   is optional (`POST .../read`) accept a bare POST; where a body is required the JSON
//!   parser then answers 400 rather than 415.

use poem::http::{header, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response, Result};

use crate::domain::text::has_nul;

pub async fn limit_body<E: Endpoint>(next: E, mut req: Request, max: usize) -> Result<Response> {
    // Uploads to the local blob store stream to disk under their own signed length.
    if req.uri().path().starts_with(crate::blob::SERVED_ROUTE) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let too_large = || poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE);
    let nul = || poem::Error::from_string("NUL characters are not allowed", StatusCode::BAD_REQUEST);
    if req.uri().query().is_some_and(|q| q.contains("%00")) {
        return Err(nul());
    }
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    if declared.is_some_and(|len| len > max) {
        return Err(too_large());
    }
    if declared.unwrap_or(0) > 0 || chunked {
        let bytes = req.take_body().into_bytes_limit(max).await.map_err(|_| too_large())?;
        if has_nul(&bytes) {
            return Err(nul());
        }
        req.set_body(bytes);
    } else if !req.headers().contains_key(header::CONTENT_TYPE) {
        req.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    }
    next.call(req).await.map(IntoResponse::into_response)
}
