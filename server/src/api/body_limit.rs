//! Refuses request bodies over the configured size with 413. Unlike poem's `SizeLimit` it
//! lets body-less requests (no `Content-Length`) through, and it also bounds chunked bodies.
//! An empty body without a content type is taken as empty JSON, so operations whose body is
//! optional (`POST .../read`) accept a bare POST; where a body is required the JSON parser
//! then answers 400 rather than 415.

use poem::http::{header, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response, Result};

pub async fn limit_body<E: Endpoint>(next: E, mut req: Request, max: usize) -> Result<Response> {
    let too_large = || poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(len) if len > max => return Err(too_large()),
        Some(_) => {}
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let bytes = req.take_body().into_bytes_limit(max).await.map_err(|_| too_large())?;
            req.set_body(bytes);
        }
        None => {}
    }
    let empty = declared.unwrap_or(0) == 0 && !req.headers().contains_key(header::TRANSFER_ENCODING);
    if empty && !req.headers().contains_key(header::CONTENT_TYPE) {
        req.headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    }
    next.call(req).await.map(IntoResponse::into_response)
}
