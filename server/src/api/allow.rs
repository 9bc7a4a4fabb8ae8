//! A 405 says which methods the path takes, in `Allow` (RFC 9110), read from the spec's
//! own paths: poem's router refuses the method but does not name the others.

use std::collections::BTreeSet;
use std::sync::Arc;

use poem::http::{header, HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response, Result};
use serde_json::Value;

/// The methods of every path of the spec.
pub struct AllowedMethods {
    /// Path segments (`None` for a `{parameter}`) and the methods, upper case.
    paths: Vec<(Vec<Option<String>>, BTreeSet<String>)>,
}

impl AllowedMethods {
    pub fn from_spec(spec: &str) -> Self {
        let spec: Value = serde_json::from_str(spec).unwrap_or_default();
        let mut paths: Vec<(Vec<Option<String>>, BTreeSet<String>)> = spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(path, item)| {
                let segments = path.split('/').filter(|s| !s.is_empty()).map(|s| (!s.starts_with('{')).then(|| s.to_owned())).collect();
                let methods = item.as_object().into_iter().flatten().map(|(m, _)| m.to_ascii_uppercase()).collect();
                (segments, methods)
            })
            .collect();
        // Literal segments win over parameters (`/messages/forward` over `/messages/{id}`).
        paths.sort_by_key(|(segments, _)| segments.iter().filter(|s| s.is_none()).count());
        AllowedMethods { paths }
    }

    /// The `Allow` value for `path`, if the spec has the path.
    fn for_path(&self, path: &str) -> Option<String> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (_, methods) = self.paths.iter().find(|(segments, _)| {
            segments.len() == parts.len() && segments.iter().zip(&parts).all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
        })?;
        let mut methods = methods.clone();
        if methods.contains("GET") {
            methods.insert("HEAD".into());
        }
        Some(methods.into_iter().collect::<Vec<_>>().join(", "))
    }
}

/// Adds `Allow` to a 405 from the router, in the error envelope.
pub async fn add_allow<E: Endpoint>(next: E, req: Request, allowed: Arc<AllowedMethods>) -> Result<Response> {
    let path = req.uri().path().to_owned();
    match next.call(req).await.map(IntoResponse::into_response) {
        Err(err) if err.status() == StatusCode::METHOD_NOT_ALLOWED => {
            let mut response = super::error::envelope_for_poem_error(err);
            if let Some(value) = allowed.for_path(&path).and_then(|v| HeaderValue::from_str(&v).ok()) {
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
        }})
        .to_string();
        let allowed = super::AllowedMethods::from_spec(&spec);
        assert_eq!(allowed.for_path("/v1/messages/forward").as_deref(), Some("POST"));
        assert_eq!(allowed.for_path("/v1/messages/01ABC").as_deref(), Some("DELETE, PATCH"));
        assert_eq!(allowed.for_path("/v1/tenant").as_deref(), Some("GET, HEAD, PATCH"));
        assert_eq!(allowed.for_path("/v1/nothing"), None);
    }
}
