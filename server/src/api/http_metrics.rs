//! Counts and times every request for `/metrics`. The route label is the spec's template of
//! the path (`/v1/chat/conversations/{id}/messages`), never the path itself, whose ids would
//! make a new series each; the pages outside the spec (docs, console, media, the document
//! itself) get the router's own pattern, and a path no route takes gets `unmatched`.

use std::sync::Arc;
use std::time::Instant;

use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, PathPattern, Request, Response, Result};

use super::spec_paths::SpecPaths;
use crate::metrics::http::UNMATCHED;
use crate::metrics::Metrics;

/// The method label: the standard methods by name, anything else (a client may send any
/// token) as one value.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route label of a request: its spec path, else the router's pattern, else
/// `unmatched`. A 404 off the spec is `unmatched` even with a pattern: the API is nested at
/// `/`, so the router reports that prefix for every unknown path.
fn route_label(spec: Option<&str>, pattern: Option<&PathPattern>, status: StatusCode) -> String {
    match (spec, pattern) {
        (Some(template), _) => template.to_owned(),
        (None, Some(pattern)) if status != StatusCode::NOT_FOUND => pattern.0.to_string(),
        _ => UNMATCHED.to_owned(),
    }
}

/// Calls `next` and records the request's method, route, status and duration.
pub async fn track<E: Endpoint>(next: E, req: Request, paths: Arc<SpecPaths>, metrics: Arc<Metrics>) -> Result<Response> {
    let started = Instant::now();
    let method = method_label(req.method());
    let template = paths.find(req.uri().path()).map(|p| p.template.clone());
    let result = next.call(req).await.map(IntoResponse::into_response);
    let (status, pattern) = match &result {
        Ok(response) => (response.status(), response.data::<PathPattern>()),
        Err(err) => (err.status(), err.data::<PathPattern>()),
    };
    let route = route_label(template.as_deref(), pattern, status);
    metrics.http.observe(method, &route, status.as_u16(), started.elapsed());
    result
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use poem::http::StatusCode;
    use poem::PathPattern;

    use super::route_label;

    #[test]
    fn the_spec_template_wins_and_an_unknown_path_is_unmatched() {
        let pattern = PathPattern(Arc::from("/"));
        let template = Some("/v1/messages/{id}");
        assert_eq!(route_label(template, Some(&pattern), StatusCode::NOT_FOUND), "/v1/messages/{id}");
        assert_eq!(route_label(None, Some(&pattern), StatusCode::NOT_FOUND), "unmatched");
        assert_eq!(route_label(None, None, StatusCode::METHOD_NOT_ALLOWED), "unmatched");
        let docs = PathPattern(Arc::from("/docs"));
        assert_eq!(route_label(None, Some(&docs), StatusCode::OK), "/docs");
    }
}
