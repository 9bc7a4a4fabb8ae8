//! Limits the server enforces outside poem-openapi's validators, written into the spec so
//! that it tells the truth: ids are ULIDs (`domain::parse_field_id` refuses anything else
//! with 400), and unsigned integers are never negative (poem-openapi refuses them with 400).

use serde_json::{json, Map, Value};

use super::spec_schemas::Schemas;

/// A ULID in Crockford's base32, either case: 26 characters, the first at most `7` (a
/// larger one overflows 128 bits). What `domain::parse_field_id` accepts.
macro_rules! ulid {
    () => {
        "[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}"
    };
}
pub const ULID_PATTERN: &str = concat!("^", ulid!(), "$");

/// Query parameters that hold a list of ids separated by commas, and the pattern of each.
const ID_LIST_QUERY_PARAMETERS: &[(&str, &str)] = &[
    // `conversations_lookup`: exactly two users.
    ("participants", concat!("^", ulid!(), ",", ulid!(), "$")),
    // `admin_users_list`: up to `MAX_LOOKUP_IDS` (100) users; empty is no lookup.
    ("ids", concat!("^(", ulid!(), "(,", ulid!(), "){0,99})?$")),
];

/// Query parameters that name one id. Every path parameter is an id.
const ID_QUERY_PARAMETERS: &[&str] = &["user_id", "conversation_id", "shop_id", "owner_id", "assignee_id"];

/// Request fields ending in `_id` or `_ids` that are not Confab ids: the client's own keys.
const NOT_IDS: &[&str] = &["client_msg_id", "external_id"];

/// The component every id parameter refers to, so a generated client has one id type
/// rather than one per operation.
pub const ID_SCHEMA: &str = "Id";

pub fn apply(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        let mut id = Map::new();
        id.insert("type".into(), json!("string"));
        id.insert("description".into(), json!("An id: a ULID, 26 letters and digits."));
        id_schema(&mut id);
        schemas.insert(ID_SCHEMA.into(), Value::Object(id));
    }
    id_parameters(doc);
    id_request_fields(doc);
    unsigned_integers(doc);
}

fn id_schema(schema: &mut Map<String, Value>) {
    schema.insert("pattern".into(), json!(ULID_PATTERN));
    schema.insert("minLength".into(), json!(26));
    schema.insert("maxLength".into(), json!(26));
}

fn id_parameters(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    let operations = paths.values_mut().filter_map(Value::as_object_mut).flat_map(|ops| ops.values_mut());
    for parameter in operations.filter_map(|op| op.get_mut("parameters")).filter_map(Value::as_array_mut).flatten() {
        let place = parameter["in"].as_str().unwrap_or_default();
        let name = parameter["name"].as_str().unwrap_or_default();
        let is_id = place == "path" || (place == "query" && ID_QUERY_PARAMETERS.contains(&name));
        let list = ID_LIST_QUERY_PARAMETERS.iter().find(|(list, _)| place == "query" && *list == name).map(|(_, pattern)| *pattern);
        let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else { continue };
        if schema.get("type") != Some(&json!("string")) {
            continue;
        }
        if is_id {
            schema.clear();
            schema.insert("$ref".into(), json!(format!("#/components/schemas/{ID_SCHEMA}")));
        } else if let Some(pattern) = list {
            schema.insert("pattern".into(), json!(pattern));
        }
    }
}

/// The fields of request bodies that carry ids, one or a list: in the components a
/// `requestBody` reaches, every `*_id` string and `*_ids` string array is parsed as ids.
fn id_request_fields(doc: &mut Value) {
    let schemas = Schemas::of(doc);
    let bodies = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|ops| ops.values())
        .filter_map(|op| op.pointer("/requestBody/content"))
        .filter_map(Value::as_object)
        .flat_map(|content| content.values())
        .filter_map(|media| media.get("schema"));
    let names = schemas.reachable(bodies);
    let Some(components) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for name in names {
        let Some(properties) = components.get_mut(&name).and_then(|s| s.get_mut("properties")).and_then(Value::as_object_mut) else {
            continue;
        };
        for (field, schema) in properties.iter_mut().filter(|(field, _)| !NOT_IDS.contains(&field.as_str())) {
            let target = if field.ends_with("_id") {
                Some(schema)
            } else if field.ends_with("_ids") {
                schema.get_mut("items")
            } else {
                None
            };
            if let Some(target) = target.and_then(Value::as_object_mut).filter(|s| s.get("type") == Some(&json!("string"))) {
                id_schema(target);
            }
        }
    }
}

/// poem-openapi marks `u32` and its kin only by `format`; the bounds of the type go in too.
fn unsigned_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let maximum = match map.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(json!(u8::MAX)),
                Some("uint16") => Some(json!(u16::MAX)),
                Some("uint32") => Some(json!(u32::MAX)),
                Some("uint64") => Some(json!(u64::MAX)),
                _ => None,
            };
            if let Some(maximum) = maximum {
                map.entry("minimum").or_insert(json!(0));
                map.entry("maximum").or_insert(maximum);
            }
            map.values_mut().for_each(unsigned_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(unsigned_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_accepts_what_the_id_parser_accepts() {
        let pattern = regex::Regex::new(ULID_PATTERN).unwrap();
        let re = |s: &str| pattern.is_match(s);
        for id in [ulid::Ulid::new().to_string(), ulid::Ulid::new().to_string().to_lowercase(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ".into()] {
            assert!(re(&id) && crate::domain::parse_field_id("id", &id).is_ok(), "{id}");
        }
        for junk in ["8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01ARZ3NDEKTSV4RRFFQ69G5FAI", "01ARZ3NDEKTSV4RRFFQ69G5FA"] {
            assert!(!re(junk) && crate::domain::parse_field_id("id", junk).is_err(), "{junk}");
        }
    }
}
