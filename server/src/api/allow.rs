//! A 405 says which methods the path takes, in `Allow` (RFC 9110), read from the spec's
//! own paths: poem's router refuses the method but does not name the others.

use std::sync::Arc;

use poem::http::{header, HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response, Result};

use super::spec_paths::{SpecPath, SpecPaths};

/// The `Allow` value of a spec path: its methods, and `HEAD` wherever `GET` is.
fn allow_value(path: &SpecPath) -> String {
    let mut methods: Vec<&str> = path.operations.keys().map(String::as_str).collect();
    if methods.contains(&"GET") && !methods.contains(&"HEAD") {
        methods.push("HEAD");
    }
    methods.sort_unstable();
    methods.join(", ")
}

/// Adds `Allow` to a 405 from the router, in the error envelope.
pub async fn add_allow<E: Endpoint>(next: E, req: Request, paths: Arc<SpecPaths>) -> Result<Response> {
    let path = req.uri().path().to_owned();
    match next.call(req).await.map(IntoResponse::into_response) {
        Err(err) if err.status() == StatusCode::METHOD_NOT_ALLOWED => {
            let mut response = super::error::envelope_for_poem_error(err);
            if let Some(value) = paths.find(&path).map(allow_value).and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            Ok(response)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_gets_the_methods_of_its_spec_entry_literal_segments_first() {
        let spec = serde_json::json!({"paths": {
            "/v1/messages/{id}": {"patch": {}, "delete": {}},
            "/v1/messages/forward": {"post": {}},
            "/v1/tenant": {"get": {}, "patch": {}}
        }});
        let paths = super::SpecPaths::from_spec(&spec);
        let allow = |path: &str| paths.find(path).map(super::allow_value);
        assert_eq!(allow("/v1/messages/forward").as_deref(), Some("POST"));
        assert_eq!(allow("/v1/messages/01ABC").as_deref(), Some("DELETE, PATCH"));
        assert_eq!(allow("/v1/tenant").as_deref(), Some("GET, HEAD, PATCH"));
        assert_eq!(allow("/v1/nothing"), None);
    }
}
