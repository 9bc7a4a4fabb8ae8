//! Every reply a test receives is checked against the spec: an operation answering with a
//! status its spec entry does not list fails the test that saw it. So the whole suite, on
//! both databases, keeps the per-operation status lists of `openapi/openapi.json` true.

use std::sync::OnceLock;

use serde_json::Value;

/// One operation of the spec: its method, its path split into segments (`None` for a
/// parameter), and the statuses it declares.
struct Operation {
    method: String,
    segments: Vec<Option<String>>,
    statuses: Vec<u16>,
}

fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let spec: Value = serde_json::from_str(&confab_server::api::spec_json()).expect("the spec is JSON");
        let mut found = Vec::new();
        for (path, methods) in spec["paths"].as_object().expect("paths") {
            let segments = path.split('/').map(|s| if s.starts_with('{') { None } else { Some(s.to_owned()) }).collect::<Vec<_>>();
            for (method, operation) in methods.as_object().expect("operations") {
                let statuses = operation["responses"].as_object().expect("responses").keys().filter_map(|s| s.parse().ok()).collect();
                found.push(Operation { method: method.to_uppercase(), segments: segments.clone(), statuses });
            }
        }
        found
    })
}

/// The operation `method path` reaches: a literal segment wins over a parameter, as the
/// router decides.
fn operation(method: &str, path: &str) -> Option<&'static Operation> {
    let parts: Vec<&str> = path.split('/').collect();
    let literals = |op: &Operation| op.segments.iter().filter(|s| s.is_some()).count();
    operations()
        .iter()
        .filter(|op| op.method == method && op.segments.len() == parts.len())
        .filter(|op| op.segments.iter().zip(&parts).all(|(seg, part)| seg.as_deref().map_or(!part.is_empty(), |lit| lit == *part)))
        .max_by_key(|op| literals(op))
}

/// Fails when the spec's operation for this request does not list `status`. Requests no
/// operation matches (unknown paths, other methods, the console, media blobs) are left
/// to the tests that make them.
pub fn check(method: &str, path: &str, status: u16) {
    if let Some(op) = operation(method, path) {
        assert!(
            op.statuses.contains(&status),
            "{method} {path} answered {status}, which its operation in the spec does not list ({:?})",
            op.statuses
        );
    }
}
