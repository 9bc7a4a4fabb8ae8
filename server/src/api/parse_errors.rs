//! What the client is told when poem or poem-openapi refuse a request before a handler runs
//! (bad JSON, a body or parameter of the wrong shape). Their own messages quote the value
//! they refused, and a page that shows an error could render that value as markup, so the
//! answer names only the parameter and the rule, in words taken from the schema, never from
//! the request.

use poem_openapi::error::{ParseParamError, ParsePathError, ParseRequestPayloadError};

/// The message for a refused request with status 400, built from what the schema says.
pub fn bad_request_message(err: &poem::Error) -> String {
    if let Some(param) = err.downcast_ref::<ParseParamError>() {
        return format!("parameter `{}` {}", param.name, rule(&param.reason));
    }
    if let Some(path) = err.downcast_ref::<ParsePathError>() {
        return format!("path segment `{}` {}", path.name, rule(&path.reason));
    }
    if let Some(payload) = err.downcast_ref::<ParseRequestPayloadError>() {
        return body_message(&payload.reason);
    }
    "the request could not be read".to_owned()
}

/// What was wrong with the body: not JSON at all (with where the parser stopped), or JSON
/// that does not fit the operation's schema.
fn body_message(reason: &str) -> String {
    if let Some((line, column)) = json_syntax_position(reason) {
        return format!("the body is not valid JSON (line {line}, column {column})");
    }
    let rule = rule(reason);
    // A rule about a named field reads on its own; any other is about some value.
    let rule = if rule.starts_with("field `") { rule } else { format!("a value {rule}") };
    match outer_type(reason) {
        Some(schema) => format!("the body does not match the {schema} schema: {rule}"),
        None => format!("the body does not match its schema: {rule}"),
    }
}

/// The line and column serde_json names at the end of a syntax error ("... at line 1
/// column 2"); its messages for a value of the wrong shape never end so, since poem-openapi
/// reads the body as untyped JSON first.
fn json_syntax_position(reason: &str) -> Option<(u64, u64)> {
    let (rest, column) = reason.rsplit_once(" column ")?;
    let (_, line) = rest.rsplit_once(" at line ")?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

/// The rule a refused value broke, from the start of poem-openapi's message, which is the
/// innermost error's own: a validator ("field `name` verification failed. maxLength(100)"),
/// a type ("Expected input type \"integer\", found ...") or a missing value ("Type
/// \"string\" expects an input value."). Whatever follows the quoted type name (the value
/// found) is never used.
fn rule(reason: &str) -> String {
    let inner = reason.strip_prefix("failed to parse ").and_then(quoted).map(|(_, rest)| rest.trim_start_matches(": ")).unwrap_or(reason);
    if let Some(check) = inner.split_once("verification failed. ").map(|(_, check)| check) {
        let check = check.split(" (occurred while parsing").next().unwrap_or_default();
        let field = inner.strip_prefix("field `").and_then(|rest| rest.split_once('`')).map(|(field, _)| field);
        return match (field.filter(|f| schema_text(f)), schema_text(check)) {
            (Some(field), true) => format!("field `{field}` must satisfy {check}"),
            (None, true) => format!("must satisfy {check}"),
            _ => "breaks a limit of its schema".to_owned(),
        };
    }
    if let Some((name, _)) = inner.strip_prefix("Expected input type ").and_then(quoted) {
        return format!("must be of type {name} (or one of its allowed values)");
    }
    if let Some((name, _)) = inner.strip_prefix("Type ").and_then(quoted) {
        return format!("of type {name} is required");
    }
    if let Some((name, _)) = reason.strip_prefix("failed to parse ").and_then(quoted) {
        return format!("must be a valid {name}");
    }
    "is malformed".to_owned()
}

/// The schema a body error was found in: the last "(occurred while parsing \"X\")", or,
/// for a field's limit, the object that checks it.
fn outer_type(reason: &str) -> Option<String> {
    match reason.rsplit_once("(occurred while parsing ") {
        Some((_, last)) => quoted(last).map(|(name, _)| name),
        None => {
            reason.strip_prefix("failed to parse ").and_then(quoted).filter(|(_, rest)| rest.starts_with(": field `")).map(|(name, _)| name)
        }
    }
}

/// A leading `"name"` that reads as a schema type name, and what follows it.
fn quoted(text: &str) -> Option<(String, &str)> {
    let rest = text.strip_prefix('"')?;
    let (name, after) = rest.split_once('"')?;
    schema_text(name).then(|| (name.to_owned(), after))
}

/// Text that can only have come from the schema (type names, field names, limits such as
/// `maxLength(100)`): short, and free of quotes, angle brackets and other markup.
fn schema_text(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '(' | ')' | '[' | ']' | ',' | '.' | ':' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKER: &str = "<script>";

    #[test]
    fn a_wrong_type_names_the_type_never_the_value() {
        let reason = r#"Expected input type "KeyKindDto", found "<script>". (occurred while parsing "CreateKeyRequest")"#;
        let message = body_message(reason);
        assert_eq!(
            message,
            "the body does not match the CreateKeyRequest schema: a value must be of type KeyKindDto (or one of its allowed values)"
        );
    }

    #[test]
    fn a_broken_limit_names_the_field_and_the_limit() {
        let reason = r#"failed to parse "CreateKeyRequest": field `name` verification failed. maxLength(100)"#;
        assert_eq!(body_message(reason), "the body does not match the CreateKeyRequest schema: field `name` must satisfy maxLength(100)");
    }

    #[test]
    fn a_missing_value_and_bad_json_are_told_apart() {
        let missing = r#"Type "string" expects an input value. (occurred while parsing "LoginRequest")"#;
        assert_eq!(body_message(missing), "the body does not match the LoginRequest schema: a value of type string is required");
        assert_eq!(body_message("expected value at line 1 column 2"), "the body is not valid JSON (line 1, column 2)");
    }

    #[test]
    fn nothing_shaped_like_input_gets_through() {
        for reason in [
            r#"failed to parse "<script>": x"#,
            r#"Expected input type "a<script>", found 1"#,
            r#"field `<script>` verification failed. <script>"#,
            r#"failed to parse "integer(int64)": invalid digit <script> at line x column y"#,
            "<script>",
        ] {
            assert!(!rule(reason).contains(MARKER), "{reason}");
            assert!(!body_message(reason).contains(MARKER), "{reason}");
        }
    }
}
