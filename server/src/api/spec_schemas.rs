//! Walking the schemas of the spec document: what a schema stands for once its `$ref`s and
//! its `allOf`/`oneOf` parts are followed, and which components a set of schemas reaches.
//! One walker serves the spec's fix-ups (`spec_limits`, `spec_statuses`) and the request
//! check of `strict_json`, so all three agree on what a body's schema is.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// How deep a walk follows references and nesting; Confab's bodies nest a few levels.
pub const MAX_DEPTH: usize = 32;

const PREFIX: &str = "#/components/schemas/";

/// The component `schema` refers to directly, by name.
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix(PREFIX)
}

/// The component schemas of a spec document.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    components: Map<String, Value>,
}

impl Schemas {
    pub fn of(doc: &Value) -> Self {
        Schemas { components: doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default() }
    }

    /// The schemas `schema` stands for, none of them a reference or a composition: itself;
    /// what its `$ref` names; the parts of its `allOf` and `oneOf` (a nullable reference is
    /// `oneOf` the object and `{"enum": [null]}`), each followed in turn.
    pub fn parts<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let mut found = Vec::new();
        self.collect_parts(schema, 0, &mut found);
        found
    }

    fn collect_parts<'a>(&'a self, schema: &'a Value, depth: usize, found: &mut Vec<&'a Value>) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(name) = ref_name(schema) {
            if let Some(target) = self.components.get(name) {
                self.collect_parts(target, depth + 1, found);
            }
            return;
        }
        let mut composed = false;
        for key in ["allOf", "oneOf"] {
            for part in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
                composed = true;
                self.collect_parts(part, depth + 1, found);
            }
        }
        if !composed {
            found.push(schema);
        }
    }

    /// Whether `wanted` holds for `schema` or any schema nested in it (its fields and items),
    /// references followed.
    pub fn any_nested(&self, schema: &Value, wanted: &impl Fn(&Value) -> bool) -> bool {
        self.any_nested_at(schema, wanted, 0)
    }

    fn any_nested_at(&self, schema: &Value, wanted: &impl Fn(&Value) -> bool, depth: usize) -> bool {
        depth <= MAX_DEPTH
            && self.parts(schema).into_iter().any(|part| {
                wanted(part)
                    || part.get("items").is_some_and(|items| self.any_nested_at(items, wanted, depth + 1))
                    || part["properties"].as_object().is_some_and(|p| p.values().any(|f| self.any_nested_at(f, wanted, depth + 1)))
            })
    }

    /// The names of the components `roots` reach, themselves included when they are
    /// references: through references, compositions, fields and items.
    pub fn reachable<'a>(&self, roots: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut pending: Vec<&Value> = roots.into_iter().collect();
        while let Some(schema) = pending.pop() {
            if let Some(name) = ref_name(schema) {
                if seen.insert(name.to_owned()) {
                    pending.extend(self.components.get(name));
                }
                continue;
            }
            for key in ["allOf", "oneOf"] {
                pending.extend(schema.get(key).and_then(Value::as_array).into_iter().flatten());
            }
            pending.extend(schema.get("items"));
            pending.extend(schema["properties"].as_object().into_iter().flat_map(|p| p.values()));
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Outer": {"type": "object", "properties": {
                "inner": {"oneOf": [{"$ref": "#/components/schemas/Inner"}, {"enum": [null]}]},
                "tags": {"type": "array", "items": {"type": "string"}},
            }},
            "Inner": {"type": "object", "properties": {"deep": {"$ref": "#/components/schemas/Deep"}}},
            "Deep": {"type": "string", "pattern": "^x$"},
            "Alone": {"type": "string"},
            "Loop": {"type": "object", "properties": {"again": {"$ref": "#/components/schemas/Loop"}}},
        }}})
    }

    #[test]
    fn parts_follow_references_and_nullable_choices() {
        let doc = doc();
        let schemas = Schemas::of(&doc);
        let nullable = &doc["components"]["schemas"]["Outer"]["properties"]["inner"];
        let parts = schemas.parts(nullable);
        assert_eq!(parts.len(), 2);
        assert!(parts[0]["properties"].get("deep").is_some());
        assert_eq!(parts[1], &json!({"enum": [null]}));
    }

    #[test]
    fn nesting_is_searched_through_fields_items_and_references() {
        let doc = doc();
        let schemas = Schemas::of(&doc);
        let has_pattern = |s: &Value| s.get("pattern").is_some();
        assert!(schemas.any_nested(&json!({"$ref": "#/components/schemas/Outer"}), &has_pattern));
        assert!(!schemas.any_nested(&json!({"$ref": "#/components/schemas/Alone"}), &has_pattern));
        assert!(!schemas.any_nested(&json!({"$ref": "#/components/schemas/Loop"}), &has_pattern));
    }

    #[test]
    fn reachable_components_are_named_once() {
        let doc = doc();
        let schemas = Schemas::of(&doc);
        let root = json!({"$ref": "#/components/schemas/Outer"});
        let names: Vec<String> = schemas.reachable([&root]).into_iter().collect();
        assert_eq!(names, ["Deep", "Inner", "Outer"]);
        let looped = json!({"$ref": "#/components/schemas/Loop"});
        assert_eq!(schemas.reachable([&looped]).len(), 1);
    }
}
