//! Bad input of every kind gets a 4xx with the error envelope, never a 500 or plain text.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn malformed_json_is_a_bad_request_envelope() {
    let app = spawn_app().await;
    app.post("/v1/auth/login").raw("{not json").send().await.expect(400, Some("bad_request"));
    app.post("/v1/users").key(&app.secret_key).raw("[1, 2").send().await.expect(400, Some("bad_request"));
}

#[tokio::test]
async fn missing_fields_and_wrong_types_are_bad_requests() {
    let app = spawn_app().await;
    app.post("/v1/auth/login").json(json!({"tenant": "default"})).send().await.expect(400, Some("bad_request"));
    app.post("/v1/auth/login")
        .json(json!({"tenant": {"nested": 5}, "email": "a@b.c", "password": "x"}))
        .send()
        .await
        .expect(400, Some("bad_request"));
    app.post("/v1/users/chat-token")
        .key(&app.secret_key)
        .json(json!({"user_id": "x", "ttl_seconds": "soon"}))
        .send()
        .await
        .expect(400, Some("bad_request"));
}

#[tokio::test]
async fn over_long_strings_and_unknown_enum_values_are_refused() {
    let app = spawn_app().await;
    app.post("/v1/users").key(&app.secret_key).json(json!({"external_id": "x".repeat(5000)})).send().await.expect(400, Some("bad_request"));
    app.post("/v1/users")
        .key(&app.secret_key)
        .json(json!({"external_id": "ok", "role": "god"}))
        .send()
        .await
        .expect(400, Some("bad_request"));
}

#[tokio::test]
async fn malformed_ids_are_bad_requests_and_unknown_ids_not_found() {
    let app = spawn_app().await;
    for id in ["not-a-ulid", "%27%20OR%201%3D1", "01JN2X4K8M3F7QPZRVWT6YBHCEXX"] {
        app.get(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(400, Some("bad_request"));
        app.delete(&format!("/v1/api-keys/{id}")).key(&app.secret_key).send().await.expect(400, Some("bad_request"));
    }
    app.get("/v1/users/01JN2X4K8M3F7QPZRVWT6YBHCE").key(&app.secret_key).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_with_the_envelope() {
    let app = spawn_app().await;
    app.get("/v1/nothing-here").send().await.expect(404, Some("not_found"));
    let refused = app.call(reqwest::Method::PUT, "/v1/auth/login").send().await.expect(405, Some("method_not_allowed"));
    assert_eq!(refused.headers["allow"], "POST", "a 405 names the methods the path takes");
    let refused =
        app.call(reqwest::Method::PUT, "/v1/chat/messages/01JN2X4K8M3F7QPZRVWT6YBHCE").send().await.expect(405, Some("method_not_allowed"));
    assert_eq!(refused.headers["allow"], "DELETE, PATCH");
}

#[tokio::test]
async fn missing_or_garbage_credentials_are_unauthorized_envelopes() {
    let app = spawn_app().await;
    app.get("/v1/auth/me").send().await.expect(401, Some("unauthorized"));
    app.get("/v1/auth/me").bearer("garbage").send().await.expect(401, Some("unauthorized"));
    app.get("/v1/users/x").send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn a_huge_body_is_payload_too_large() {
    let app = spawn_app().await;
    let body = format!("{{\"tenant\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    app.post("/v1/auth/login").raw(body).send().await.expect(413, Some("payload_too_large"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let app = spawn_app().await;
    let reply = app
        .client
        .post(format!("{}/v1/auth/login", app.address))
        .header("content-type", "text/plain")
        .body("tenant=default")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 415, "as the spec declares for every operation with a body");
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!((body["success"].clone(), body["code"].clone()), (serde_json::json!(false), serde_json::json!("unsupported_media_type")));
}

#[tokio::test]
async fn nul_characters_are_refused_before_they_reach_the_database() {
    let app = spawn_app().await;
    app.post("/v1/users").key(&app.secret_key).raw(r#"{"external_id": "a\u0000b"}"#).send().await.expect(400, Some("bad_request"));
    app.get("/v1/chat/users/search?q=a%00b").key(&app.secret_key).send().await.expect(400, Some("bad_request"));
    let (_, token) = app.user_with_token("u1", "user").await;
    app.get("/v1/chat/messages/search?q=x%00").bearer(&token).send().await.expect(400, Some("bad_request"));
}
