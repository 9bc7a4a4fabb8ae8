//! Every reply a test receives is checked against the spec: an operation answering with a
//! status its spec entry does not list fails the test that saw it. So the whole suite, on
//! both databases, keeps the per-operation status lists of `openapi/openapi.json` true.

use std::sync::OnceLock;

use confab_server::api::spec_paths::SpecPaths;
use serde_json::Value;

fn spec_paths() -> &'static SpecPaths {
    static PATHS: OnceLock<SpecPaths> = OnceLock::new();
    PATHS.get_or_init(|| {
        let spec: Value = serde_json::from_str(&confab_server::api::spec_json()).expect("the spec is JSON");
        SpecPaths::from_spec(&spec)
    })
}

/// Fails when the spec's operation for this request does not list `status`. Requests no
/// operation matches (unknown paths, other methods, the console, media blobs) are left
/// to the tests that make them.
pub fn check(method: &str, path: &str, status: u16) {
    let Some(operation) = spec_paths().find(path).and_then(|p| p.operations.get(method)) else { return };
    let declared = operation["responses"].as_object().expect("responses");
    assert!(
        declared.contains_key(&status.to_string()),
        "{method} {path} answered {status}, which its operation in the spec does not list ({:?})",
        declared.keys().collect::<Vec<_>>()
    );
}

#[test]
#[should_panic(expected = "does not list")]
fn a_status_the_operation_does_not_list_fails_the_check() {
    // A read never conflicts, so the spec lists no 409 for it.
    check("GET", "/v1/chat/conversations/01ARZ3NDEKTSV4RRFFQ69G5FAV", 409);
}
