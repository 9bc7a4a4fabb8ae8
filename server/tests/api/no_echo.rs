//! Error messages never echo the refused input back: a page that shows an error could
//! otherwise render an attacker's markup. Each attempt below smuggles a marker into a
//! malformed id, a bad query parameter, a body of the wrong shape, bad JSON or a socket
//! frame; the refusal must name the field and the rule, and the marker must not come back.

use serde_json::{json, Value};

use crate::helpers::{s, spawn_app, Reply};

const MARKER: &str = "<script>alert(1)</script>";
/// The marker as it travels in a URL.
const ENCODED: &str = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";

/// The reply must be a 400 envelope whose message says `says` and holds no trace of the
/// marker.
fn refused_without_echo(reply: Reply, says: &str) {
    let reply = reply.expect(400, Some("bad_request"));
    for trace in ["<script", "script>", "alert(1)", "%3C"] {
        assert!(!reply.text.contains(trace), "the reply echoes the input: {}", reply.text);
    }
    let message = s(&reply.body["message"]);
    assert!(message.contains(says), "{message:?} should mention {says:?}");
}

#[tokio::test]
async fn a_malformed_id_is_named_by_its_field_not_echoed() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    refused_without_echo(app.get(&format!("/v1/users/{ENCODED}")).key(&app.secret_key).send().await, "`id` must be an id");
    refused_without_echo(app.delete(&format!("/v1/api-keys/{ENCODED}")).key(&app.secret_key).send().await, "`id`");
    refused_without_echo(
        app.post("/v1/users/chat-token").key(&app.secret_key).json(json!({"user_id": MARKER})).send().await,
        "`user_id` must be an id",
    );
    refused_without_echo(app.post("/v1/chat/conversations").bearer(&token).json(json!({"user_id": MARKER})).send().await, "`user_id`");
    refused_without_echo(
        app.get(&format!("/v1/chat/conversations/lookup?participants={ENCODED},{ENCODED}")).bearer(&token).send().await,
        "`participants`",
    );
    refused_without_echo(app.get(&format!("/v1/chat/conversations?shop_id={ENCODED}")).bearer(&token).send().await, "`shop_id`");
}

#[tokio::test]
async fn a_bad_query_parameter_is_named_not_echoed() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    refused_without_echo(app.get(&format!("/v1/api-keys?page={ENCODED}")).key(&app.secret_key).send().await, "parameter `page`");
    refused_without_echo(app.get(&format!("/v1/chat/conversations?kind={ENCODED}")).bearer(&token).send().await, "parameter `kind`");
    refused_without_echo(
        app.get(&format!("/v1/chat/conversations?archived={ENCODED}")).bearer(&token).send().await,
        "parameter `archived`",
    );
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_or_bad_json_is_described_not_echoed() {
    let app = spawn_app().await;
    let key = &app.secret_key;
    refused_without_echo(app.post("/v1/api-keys").key(key).json(json!({"name": "x", "kind": MARKER})).send().await, "KeyKindDto");
    refused_without_echo(
        app.post("/v1/users/chat-token").key(key).json(json!({"user_id": "x", "ttl_seconds": MARKER})).send().await,
        "schema",
    );
    refused_without_echo(
        app.post("/v1/api-keys").key(key).json(json!({"name": MARKER.repeat(10), "kind": "secret"})).send().await,
        "`name`",
    );
    refused_without_echo(app.post("/v1/users").key(key).json(json!({"external_id": {"nested": MARKER}})).send().await, "schema");
    refused_without_echo(app.post("/v1/auth/login").raw(format!("{{\"tenant\": {MARKER}}}")).send().await, "not valid JSON");
    refused_without_echo(app.post("/v1/auth/login").raw(format!("{{\"tenant\": \"{MARKER}")).send().await, "not valid JSON");
}

#[tokio::test]
async fn a_bad_socket_frame_is_described_not_echoed() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    let mut ws = app.ws(&token).await;
    let frames = [
        json!({"type": MARKER}).to_string(),
        json!({"type": "typing", "conversation_id": 5, MARKER: 1}).to_string(),
        json!({"type": "typing", "conversation_id": MARKER}).to_string(),
        json!({"type": "message", "conversation_id": MARKER, "body": "hi"}).to_string(),
        format!("{{\"type\": {MARKER}"),
    ];
    for frame in frames {
        ws.send_raw(frame.clone()).await;
        let error: Value = ws.next_of("error").await;
        let text = error.to_string();
        assert!(!text.contains("script") && !text.contains("alert"), "{frame} came back: {text}");
        assert!(matches!(error["code"].as_str(), Some("bad_request")), "{text}");
    }
}
