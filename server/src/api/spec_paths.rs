//! The paths of the finished spec, read once when the routes are built, and the one way a
//! request path is matched to them. The 405 `Allow` header, the strict JSON check and the
//! HTTP metrics' route label all look a request up here, so they agree with each other and
//! with the published document.

use std::collections::BTreeMap;

use serde_json::Value;

/// The keys of a path item that are operations; anything else (`parameters`, `summary`)
/// is not.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One path of the spec.
pub struct SpecPath {
    /// As the spec writes it: `/v1/chat/conversations/{id}/messages`.
    pub template: String,
    /// Path segments; `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    /// The operations, by upper-case method.
    pub operations: BTreeMap<String, Value>,
}

/// Every path of the spec, in matching order.
pub struct SpecPaths {
    paths: Vec<SpecPath>,
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

impl SpecPaths {
    pub fn from_spec(spec: &Value) -> Self {
        let mut paths: Vec<SpecPath> = spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(template, item)| {
                let operations = item
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(method, _)| METHODS.contains(&method.as_str()))
                    .map(|(method, operation)| (method.to_ascii_uppercase(), operation.clone()))
                    .collect();
                let segments = segments(template).map(|s| (!s.starts_with('{')).then(|| s.to_owned())).collect();
                SpecPath { template: template.clone(), segments, operations }
            })
            .collect();
        // Literal segments win over parameters (`/messages/forward` over `/messages/{id}`),
        // as in the router: it picks the path first and only then looks at the method.
        paths.sort_by_key(|p| p.segments.iter().filter(|s| s.is_none()).count());
        SpecPaths { paths }
    }

    /// The spec path `path` (a request's path, without the query) is an instance of.
    pub fn find(&self, path: &str) -> Option<&SpecPath> {
        let parts: Vec<&str> = segments(path).collect();
        self.paths.iter().find(|p| {
            p.segments.len() == parts.len() && p.segments.iter().zip(&parts).all(|(want, got)| want.as_deref().is_none_or(|w| w == *got))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SpecPaths;

    #[test]
    fn literal_segments_win_and_parameters_match_any_one_segment() {
        let spec = serde_json::json!({"paths": {
            "/v1/messages/{id}": {"patch": {}, "delete": {}, "parameters": []},
            "/v1/messages/forward": {"post": {}},
            "/v1/tenant": {"get": {}}
        }});
        let paths = SpecPaths::from_spec(&spec);
        assert_eq!(paths.find("/v1/messages/forward").map(|p| p.template.as_str()), Some("/v1/messages/forward"));
        let by_id = paths.find("/v1/messages/01ABC").expect("a parameter matches");
        assert_eq!(by_id.template, "/v1/messages/{id}");
        assert_eq!(by_id.operations.keys().collect::<Vec<_>>(), ["DELETE", "PATCH"]);
        assert!(paths.find("/v1/messages/01ABC/more").is_none());
        assert!(paths.find("/v1/nothing").is_none());
    }
}
