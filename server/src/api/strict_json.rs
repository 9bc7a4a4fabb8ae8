//! Strict JSON types: a number or a boolean where the spec says string gets 400, and so does
//! a required field left out, named. poem-openapi
//! parses a `String` field from `5` or `true` as "5" or "true", so a client's type error
//! would otherwise be stored as text. The request body is checked against the schema the
//! spec publishes for its operation, so every operation and field, present and future, is
//! covered by this one rule while the spec keeps saying `type: string`.

use std::sync::Arc;

use poem::http::{header, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response, Result};
use serde_json::Value;

use super::spec_paths::SpecPaths;
use super::spec_schemas::{Schemas, MAX_DEPTH};

/// The request schemas of every operation, read once from the spec.
pub struct StrictTypes {
    paths: Arc<SpecPaths>,
    schemas: Schemas,
}

impl StrictTypes {
    /// Keeps the spec document's schemas, to follow the `$ref`s of the paths' bodies.
    pub fn from_spec(spec: &Value, paths: Arc<SpecPaths>) -> Self {
        StrictTypes { paths, schemas: Schemas::of(spec) }
    }

    /// The JSON body schema of the operation `method` `path` reaches, if it takes one.
    fn schema_for(&self, method: &Method, path: &str) -> Option<&Value> {
        let operation = self.paths.find(path)?.operations.get(method.as_str())?;
        let content = operation.pointer("/requestBody/content").and_then(Value::as_object)?;
        content.iter().find(|(kind, _)| kind.starts_with("application/json")).and_then(|(_, c)| c.get("schema"))
    }

    /// The first fault of `value` against `schema`: a number or boolean where it wants a
    /// string, or a required field left out.
    fn refusal(&self, schema: &Value, value: &Value, at: &str, depth: usize) -> Option<Refusal> {
        if depth > MAX_DEPTH || value.is_null() {
            return None;
        }
        let parts = self.schemas.parts(schema);
        // Between several objects (a union), which one the value means is the parser's call.
        let one_object = parts.iter().filter(|part| part.get("properties").is_some()).count() == 1;
        parts.into_iter().find_map(|part| self.refusal_in(part, value, at, depth, one_object))
    }

    /// The same for one part of a schema (see `Schemas::parts`).
    fn refusal_in(&self, schema: &Value, value: &Value, at: &str, depth: usize, check_required: bool) -> Option<Refusal> {
        let path = |name: &str| if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") };
        if schema.get("type").and_then(Value::as_str) == Some("string") && (value.is_number() || value.is_boolean()) {
            return Some(Refusal::Mistyped(if at.is_empty() { "body".to_owned() } else { at.to_owned() }));
        }
        match value {
            Value::Object(fields) => {
                let mistyped = fields.iter().find_map(|(name, field)| {
                    let declared = schema.get("properties").and_then(|p| p.get(name));
                    // A key of a free-form map is the client's own text: it is not repeated back.
                    let label = if declared.is_some() { name.as_str() } else { "*" };
                    let schema = declared.or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))?;
                    self.refusal(schema, field, &path(label), depth + 1)
                });
                let mut required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
                mistyped.or_else(|| {
                    let missing = required.find(|name| check_required && !fields.contains_key(*name))?;
                    Some(Refusal::Missing(path(missing)))
                })
            }
            Value::Array(items) => {
                let schema = schema.get("items")?;
                items.iter().enumerate().find_map(|(i, item)| self.refusal(schema, item, &format!("{at}[{i}]"), depth + 1))
            }
            _ => None,
        }
    }
}

/// What is wrong with a body, by the path of the field (built from the schema's own names,
/// so it may be shown, where poem's generic errors are reworded).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// A number or boolean where a string is wanted.
    Mistyped(String),
    /// A required field left out.
    Missing(String),
}

impl Refusal {
    fn message(&self) -> String {
        match self {
            Refusal::Mistyped(field) => format!("`{field}` must be a string"),
            Refusal::Missing(field) => format!("`{field}` is required"),
        }
    }
}

/// Refuses a JSON body that is `null`, or whose strings are numbers or booleans, before
/// poem parses it.
pub async fn check<E: Endpoint>(next: E, mut req: Request, strict: Arc<StrictTypes>) -> Result<Response> {
    let json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if json {
        if let Some(schema) = strict.schema_for(req.method(), req.uri().path()) {
            let bytes = req.take_body().into_bytes().await?;
            // A body that is not JSON is left for the parser to refuse.
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
                // Every body of the spec is an object; poem would take `null` for an
                // optional one as no body at all.
                if value.is_null() {
                    let body = super::error::ErrorBody::new("bad_request", "the body must be a JSON object, not `null`");
                    return Ok((StatusCode::BAD_REQUEST, body).into_response());
                }
                if let Some(refusal) = strict.refusal(schema, &value, "", 0) {
                    let body = super::error::ErrorBody::new("bad_request", refusal.message());
                    return Ok((StatusCode::BAD_REQUEST, body).into_response());
                }
            }
            req.set_body(bytes);
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refusal(method: Method, path: &str, body: Value) -> Option<Refusal> {
        let spec: Value = serde_json::from_str(&crate::api::spec_json()).expect("the spec is JSON");
        let strict = StrictTypes::from_spec(&spec, Arc::new(SpecPaths::from_spec(&spec)));
        let schema = strict.schema_for(&method, path).expect("an operation with a body");
        strict.refusal(schema, &body, "", 0)
    }

    fn mistyped(method: Method, path: &str, body: Value) -> Option<String> {
        match refusal(method, path, body) {
            Some(Refusal::Mistyped(field)) => Some(field),
            other => panic!("not a type error: {other:?}"),
        }
    }

    #[test]
    fn a_required_field_left_out_is_named_at_any_depth() {
        let login = json!({"tenant": "default", "password": "secret"});
        assert_eq!(refusal(Method::POST, "/v1/auth/login", login), Some(Refusal::Missing("email".into())));
        let sync = json!({"conversations": [{"conversation_id": "01J0000000000000000000000", "last_seq": 0}, {"last_seq": 0}]});
        assert_eq!(
            refusal(Method::POST, "/v1/chat/messages/sync", sync),
            Some(Refusal::Missing("conversations[1].conversation_id".into()))
        );
        // A type error is named first.
        let both = json!({"tenant": 5, "password": "secret"});
        assert_eq!(refusal(Method::POST, "/v1/auth/login", both), Some(Refusal::Mistyped("tenant".into())));
    }

    #[test]
    fn numbers_and_booleans_are_no_strings_at_any_depth() {
        let send = "/v1/chat/conversations/01J0000000000000000000000/messages";
        assert_eq!(mistyped(Method::POST, send, json!({"body": 5})), Some("body".into()));
        assert_eq!(mistyped(Method::POST, send, json!({"body": "hi", "client_msg_id": true})), Some("client_msg_id".into()));
        assert_eq!(refusal(Method::POST, send, json!({"body": "hi", "file_size": 5, "reply_to_id": null})), None);
        let ids = json!({"kind": "group", "name": "g", "participant_ids": ["a", 7]});
        assert_eq!(mistyped(Method::POST, "/v1/chat/conversations", ids), Some("participant_ids[1]".into()));
        let origins = json!({"settings": {"allowed_file_origins": [1]}});
        assert_eq!(mistyped(Method::PATCH, "/v1/tenant", origins), Some("settings.allowed_file_origins[0]".into()));
        let sync = json!({"conversations": [{"conversation_id": 12, "last_seq": 0}]});
        assert_eq!(mistyped(Method::POST, "/v1/chat/messages/sync", sync), Some("conversations[0].conversation_id".into()));
    }

    #[test]
    fn literal_paths_win_over_parameters() {
        assert_eq!(mistyped(Method::POST, "/v1/chat/messages/forward", json!({"message_id": 1})), Some("message_id".into()));
    }
}
