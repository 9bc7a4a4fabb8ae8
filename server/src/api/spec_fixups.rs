//! The spec as poem-openapi writes it, made plain for client generators before it is served
//! or checked in. OpenAPI 3.0 is kept: every generator the project supports reads it.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// The finished spec, pretty JSON.
pub fn finish(spec: &str) -> String {
    let mut doc: Value = serde_json::from_str(spec).expect("poem-openapi writes valid JSON");
    plain_refs(&mut doc);
    nullable_optional_fields(&mut doc);
    public_operations(&mut doc);
    unsupported_media_type(&mut doc);
    super::spec_limits::apply(&mut doc);
    super::spec_links::apply(&mut doc);
    super::spec_statuses::apply(&mut doc);
    serde_json::to_string_pretty(&doc).expect("a JSON value serializes")
}

/// poem-openapi writes a documented field of a named type as
/// `{"allOf": [{"$ref": X}, {"description": D}], "description": D}`. Generators such as
/// openapi-python-client cannot take an `allOf` of an enum and drop every schema that uses
/// one, so the field becomes a plain `{"$ref": X}`; the named schema has its own
/// description, and OpenAPI 3.0 ignores anything written beside a `$ref`.
fn plain_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = wrapped_ref(map) {
                *value = json!({ "$ref": reference });
                return;
            }
            map.values_mut().for_each(plain_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_refs),
        _ => {}
    }
}

/// The reference of an `allOf` that only wraps one `$ref` to describe it.
fn wrapped_ref(map: &Map<String, Value>) -> Option<String> {
    let Value::Array(all) = map.get("allOf")? else { return None };
    let (first, rest) = all.split_first()?;
    let first = first.as_object()?;
    let reference = first.get("$ref")?.as_str()?;
    let only_described = |o: &Map<String, Value>| o.keys().all(|k| k == "description");
    let wraps = first.len() == 1
        && rest.iter().all(|r| r.as_object().is_some_and(only_described))
        && map.keys().all(|k| k == "allOf" || k == "description");
    wraps.then(|| reference.to_owned())
}

/// The one rule for absent values: an optional field with no value is written as `null`
/// (as the seed documents show), and a request may send `null` for any optional field,
/// which means "absent" or, where a field says so, "clear it". So every optional field is
/// `nullable`. An optional object reference becomes `{"oneOf": [{"$ref": X}, {"enum":
/// [null]}]}`: the object or null. OpenAPI 3.0 cannot put `nullable` on a reference
/// (`nullable` needs a `type` beside it, and then an `allOf` of the object still refuses
/// null), and this form is the one every generator the project tests reads as "X or
/// null": openapi-typescript, openapi-python-client (which drops the null of `{"type":
/// "object", "allOf": [X], "nullable": true}` and then fails on it) and progenitor
/// (`Option<X>`). An optional enum reference
/// stays a plain `$ref`: generators refuse an `allOf` of an enum, and no response leaves
/// one out (only requests have them, where leaving the field out does what `null` does).
fn nullable_optional_fields(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let objects: BTreeSet<String> =
        schemas.iter().filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("object")).map(|(n, _)| n.clone()).collect();
    for schema in schemas.values_mut().filter_map(Value::as_object_mut) {
        let required: BTreeSet<String> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
        for (field, property) in schema.get_mut("properties").and_then(Value::as_object_mut).into_iter().flatten() {
            if required.contains(field) {
                continue;
            }
            let Some(map) = property.as_object_mut() else { continue };
            match map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
                Some(name) if objects.contains(name) => {
                    *property = json!({"oneOf": [{"$ref": format!("#/components/schemas/{name}")}, {"enum": [null]}]});
                }
                // An enum reference, or a value of any type (which includes null already).
                Some(_) => {}
                None if map.contains_key("allOf") || !map.contains_key("type") => {}
                None => {
                    map.insert("nullable".into(), Value::Bool(true));
                }
            }
        }
    }
}

/// An operation that takes no credentials says so with an empty `security`, rather than by
/// leaving it out, so no generator or reader has to guess a default.
fn public_operations(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
        if let Some(operation) = operation.as_object_mut() {
            operation.entry("security").or_insert_with(|| json!([]));
        }
    }
}

/// An operation that takes a JSON body answers 415 `unsupported_media_type` to any other
/// body (poem refuses it before the handler; see `error::envelope_for_poem_error`).
fn unsupported_media_type(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
        let Some(operation) = operation.as_object_mut() else { continue };
        if !operation.contains_key("requestBody") {
            continue;
        }
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { continue };
        let Some(content) = responses.get("400").and_then(|r| r.get("content")).cloned() else { continue };
        responses.entry("415").or_insert_with(
            || json!({"description": "The body is not JSON: send it with `Content-Type: application/json`.", "content": content}),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_described_reference_becomes_a_plain_one() {
        let spec = json!({"properties": {"kind": {"description": "The kind.", "allOf": [
            {"$ref": "#/components/schemas/Kind"}, {"description": "The kind."}
        ]}}});
        let done: serde_json::Value = serde_json::from_str(&super::finish(&spec.to_string())).unwrap();
        assert_eq!(done, json!({"properties": {"kind": {"$ref": "#/components/schemas/Kind"}}}));
    }

    #[test]
    fn optional_fields_are_nullable_and_required_ones_are_not() {
        let spec = json!({"components": {"schemas": {
            "Dto": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "note": {"type": "string"},
                "shop": {"$ref": "#/components/schemas/Shop"}, "kind": {"$ref": "#/components/schemas/Kind"}
            }},
            "Shop": {"type": "object", "properties": {}},
            "Kind": {"type": "string", "enum": ["a"]}
        }}});
        let done: serde_json::Value = serde_json::from_str(&super::finish(&spec.to_string())).unwrap();
        let dto = &done["components"]["schemas"]["Dto"]["properties"];
        assert_eq!(dto["id"], json!({"type": "string"}));
        assert_eq!(dto["note"], json!({"type": "string", "nullable": true}));
        assert_eq!(dto["shop"], json!({"oneOf": [{"$ref": "#/components/schemas/Shop"}, {"enum": [null]}]}));
        assert_eq!(dto["kind"], json!({"$ref": "#/components/schemas/Kind"}));
    }

    #[test]
    fn an_operation_without_credentials_says_so() {
        let spec = json!({"paths": {"/healthz": {"get": {"responses": {}}}, "/me": {"get": {"security": [{"bearer": []}]}}}});
        let done: serde_json::Value = serde_json::from_str(&super::finish(&spec.to_string())).unwrap();
        assert_eq!(done["paths"]["/healthz"]["get"]["security"], json!([]));
        assert_eq!(done["paths"]["/me"]["get"]["security"], json!([{"bearer": []}]));
    }

    #[test]
    fn an_allof_that_combines_schemas_stays() {
        let spec = json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "properties": {}}]});
        let done: serde_json::Value = serde_json::from_str(&super::finish(&spec.to_string())).unwrap();
        assert_eq!(done, spec);
    }
}
