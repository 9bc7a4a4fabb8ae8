//! Each operation lists only the statuses it can answer with. poem-openapi gives every
//! operation the whole `ApiError` set; this keeps, per operation, the ones that follow
//! from what it takes and does:
//!
//! - 400 (malformed input) and 422 (a broken rule) where it takes parameters or a body;
//! - 401 and 403 where it takes credentials (a refused role, permission or suspension);
//! - 404 where it names something by id, in its path, query or body;
//! - 409 on writes (a unique rule or a change made meanwhile);
//! - 413 and 415 where it takes a body;
//! - 429 where a rate limit applies;
//! - 500 everywhere, and 503 everywhere too: every operation reads the database, which can
//!   be out of reach, and some need the rate limiter's store, search or media storage.
//!
//! Every test request is checked against these lists (`tests/api/helpers/declared.rs`), and
//! schemathesis checks them again against the binary.

use serde_json::Value;

use super::spec_limits::ULID_PATTERN;
use super::spec_schemas::Schemas;

/// Operations a rate limit applies to.
const RATE_LIMITED: &[&str] = &[
    "auth_login",
    "auth_signup",
    "conversations_create",
    "conversations_messages_send",
    "media_confirm",
    "media_upload_url",
    "messages_forward",
    "realtime_connect",
    "reports_create",
    "tickets_create",
];

/// Public operations that take credentials elsewhere than in a header (a password, a
/// refresh token, a token in the query) or that a setting can close, with what they answer
/// then.
const REFUSE_WITHOUT_A_HEADER: &[(&str, &[&str])] =
    &[("auth_login", &["401", "403"]), ("auth_refresh", &["401", "403"]), ("auth_signup", &["403"]), ("realtime_connect", &["401", "403"])];

/// Operations whose answer does not depend on a request at all, with the error statuses
/// they declare themselves (`/readyz` answers 503 while a dependency is down).
const PROBES: &[(&str, &[&str])] = &[("ops_healthz", &[]), ("ops_metrics", &[]), ("ops_readyz", &["503"])];

pub fn apply(doc: &mut Value) {
    let schemas = Schemas::of(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, methods) in paths.iter_mut() {
        let Some(methods) = methods.as_object_mut() else { continue };
        for (method, operation) in methods.iter_mut() {
            let body_names_an_id = operation
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .is_some_and(|content| content.values().any(|media| names_an_id(&schemas, &media["schema"])));
            let keep = statuses(path, method, operation, &schemas, body_names_an_id);
            if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
                responses.retain(|status, _| !is_error(status) || keep.contains(&status.as_str()));
            }
        }
    }
}

/// Whether `schema` has an id field (one `spec_limits` gave the id pattern), itself or in
/// the schemas it nests.
fn names_an_id(schemas: &Schemas, schema: &Value) -> bool {
    schemas.any_nested(schema, &|s| s.get("pattern").and_then(Value::as_str) == Some(ULID_PATTERN))
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// The error statuses `operation` (at `method path`) can answer with.
fn statuses(path: &str, method: &str, operation: &Value, schemas: &Schemas, body_names_an_id: bool) -> Vec<&'static str> {
    let id = operation["operationId"].as_str().unwrap_or_default();
    if let Some((_, own)) = PROBES.iter().find(|(probe, _)| *probe == id) {
        return [&["500"], *own].concat();
    }
    let has_body = operation.get("requestBody").is_some();
    let parameters = operation["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
    let secured = operation.get("security").and_then(Value::as_array).is_none_or(|s| !s.is_empty());
    let names_an_id = path.contains('{')
        || parameters.iter().any(|p| names_an_id(schemas, &p["schema"]) || p["schema"].get("pattern").is_some())
        || body_names_an_id;
    let mut keep = vec!["500", "503"];
    let mut add = |yes: bool, codes: &[&'static str]| {
        if yes {
            keep.extend_from_slice(codes);
        }
    };
    add(has_body || !parameters.is_empty(), &["400", "422"]);
    add(secured, &["401", "403"]);
    add(names_an_id, &["404"]);
    add(method != "get", &["409"]);
    add(has_body, &["413", "415"]);
    add(RATE_LIMITED.contains(&id), &["429"]);
    if let Some((_, codes)) = REFUSE_WITHOUT_A_HEADER.iter().find(|(op, _)| *op == id) {
        keep.extend_from_slice(codes);
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}
