//! The same input rules on every path: URL fields take only public http(s) URLs, text
//! refuses control characters and names bidi controls, over REST and over the socket, and
//! numbers or booleans are never taken for strings.

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, spawn_app_with, Reply, TestApp};

const BAD_URLS: &[&str] = &[
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://files.test/report.pdf",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://127.0.0.1:8080/admin",
    "http://10.0.0.7/internal",
];

/// A 422 naming `field`.
fn refused(reply: Reply, field: &str) {
    let reply = reply.expect(422, Some("validation_failed"));
    assert!(reply.body["fields"][field].is_string(), "{field} not named: {}", reply.text);
}

async fn allow_files_from(app: &TestApp, origins: Value) -> Reply {
    app.patch("/v1/tenant").key(&app.secret_key).json(json!({"settings": {"allowed_file_origins": origins}})).send().await
}

#[tokio::test]
async fn every_url_field_refuses_every_bad_scheme_and_private_host() {
    let app = spawn_app().await;
    allow_files_from(&app, json!(["https://cdn.test"])).await.expect(200, None);
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let shop = app.post("/v1/shops").bearer(&p[0].1).json(json!({"name": "ann's"})).send().await.expect(201, None);
    let shop_id = s(&shop.data()["id"]).to_owned();
    for bad in BAD_URLS {
        let profile = app.patch("/v1/auth/profile").bearer(&p[0].1).json(json!({"avatar_url": bad})).send().await;
        refused(profile, "avatar_url");
        let upsert = json!({"external_id": "ann", "avatar_url": bad});
        refused(app.post("/v1/users").key(&app.secret_key).json(upsert).send().await, "avatar_url");
        let update = app.patch(&format!("/v1/users/{}", p[1].0)).key(&app.secret_key).json(json!({"avatar_url": bad}));
        refused(update.send().await, "avatar_url");
        let file = json!({"body": "see", "type": "file", "file_url": bad});
        refused(app.post(&format!("/v1/chat/conversations/{convo}/messages")).bearer(&p[0].1).json(file).send().await, "file_url");
        refused(app.post("/v1/shops").bearer(&p[0].1).json(json!({"name": "s", "url": bad})).send().await, "url");
        refused(app.patch(&format!("/v1/shops/{shop_id}")).bearer(&p[0].1).json(json!({"url": bad})).send().await, "url");
        refused(allow_files_from(&app, json!([bad])).await, "settings.allowed_file_origins");
    }
    // Nothing of it was stored.
    assert!(app.history(&p[0].1, &convo).await.is_empty());
    let me = app.get("/v1/auth/me").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(me.data()["user"]["avatar_url"], Value::Null, "{}", me.text);

    // Public http(s) URLs pass, normalized.
    let profile = app.patch("/v1/auth/profile").bearer(&p[0].1).json(json!({"avatar_url": "https://CDN.test/a.png"})).send().await;
    assert_eq!(profile.expect(200, None).data()["avatar_url"], "https://cdn.test/a.png");
    let shop = app.patch(&format!("/v1/shops/{shop_id}")).bearer(&p[0].1).json(json!({"url": "https://ann.shop.test/"})).send().await;
    assert_eq!(shop.expect(200, None).data()["url"], "https://ann.shop.test/");
}

#[tokio::test]
async fn file_urls_point_only_at_own_media_or_allowed_origins() {
    let app = spawn_app_with(|c| c.public_url = Some("http://127.0.0.1:9".into())).await;
    let p = people(&app, &["ann", "bob"]).await;
    let send = format!("/v1/chat/conversations/{}/messages", s(&app.direct(&p[0].1, &p[1].0).await["id"]));
    let file = |url: &str| json!({"body": "", "type": "file", "file_url": url, "file_name": "a.pdf"});
    // No origin is allowed by default, only the server's own media.
    refused(app.post(&send).bearer(&p[0].1).json(file("https://cdn.test/a.pdf")).send().await, "file_url");
    app.post(&send).bearer(&p[0].1).json(file("http://127.0.0.1:9/v1/chat/media/x")).send().await.expect(201, None);
    refused(app.post(&send).bearer(&p[0].1).json(file("http://127.0.0.1:10/v1/chat/media/x")).send().await, "file_url");

    // An allowed origin is kept normalized; paths and private hosts are no origins.
    let reply = allow_files_from(&app, json!(["https://CDN.test:443", "https://files.test:8443"])).await.expect(200, None);
    assert_eq!(reply.data()["settings"]["allowed_file_origins"], json!(["https://cdn.test", "https://files.test:8443"]));
    refused(allow_files_from(&app, json!(["https://cdn.test/uploads"])).await, "settings.allowed_file_origins");
    app.post(&send).bearer(&p[0].1).json(file("https://cdn.test/a.pdf")).send().await.expect(201, None);
    app.post(&send).bearer(&p[0].1).json(file("https://files.test:8443/b.pdf")).send().await.expect(201, None);
    refused(app.post(&send).bearer(&p[0].1).json(file("https://files.test/b.pdf")).send().await, "file_url");
    refused(app.post(&send).bearer(&p[0].1).json(file("https://cdn.test.evil.test/a.pdf")).send().await, "file_url");
}

#[tokio::test]
async fn names_refuse_bidi_and_control_characters_and_bodies_control_characters() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let send = format!("/v1/chat/conversations/{convo}/messages");
    for name in ["evil\u{202E}gpj.exe", "\u{2066}admin\u{2069}", "tab\tname", "bell\u{7}"] {
        refused(app.patch("/v1/auth/profile").bearer(&p[0].1).json(json!({"display_name": name})).send().await, "display_name");
        let upsert = json!({"external_id": "ann", "display_name": name});
        refused(app.post("/v1/users").key(&app.secret_key).json(upsert).send().await, "display_name");
        refused(app.post("/v1/users").key(&app.secret_key).json(json!({"external_id": "x", "username": name})).send().await, "username");
        let group = json!({"kind": "group", "name": name, "participant_ids": [p[1].0]});
        refused(app.post("/v1/chat/conversations").bearer(&p[0].1).json(group).send().await, "name");
        refused(app.post("/v1/shops").bearer(&p[0].1).json(json!({"name": name})).send().await, "name");
        refused(app.patch("/v1/tenant").key(&app.secret_key).json(json!({"name": name})).send().await, "name");
    }
    for body in ["clear\u{1b}[2J screen", "bell\u{7}", "carriage\rreturn", "c1\u{85}next"] {
        refused(app.post(&send).bearer(&p[0].1).json(json!({"body": body})).send().await, "body");
        let group = json!({"kind": "group", "name": "g", "description": body, "participant_ids": [p[1].0]});
        refused(app.post("/v1/chat/conversations").bearer(&p[0].1).json(group).send().await, "description");
        let ticket = json!({"subject": body, "initial_message": "help"});
        refused(app.post("/v1/tickets").bearer(&p[0].1).json(ticket).send().await, "subject");
    }
    assert!(app.history(&p[0].1, &convo).await.is_empty());
    // Newlines and tabs are text; bidi characters in a body are someone's language.
    let ok = app.say(&p[0].1, &convo, "line one\n\tline two \u{202B}שלום\u{202C}").await;
    let edit = app.patch(&format!("/v1/chat/messages/{}", s(&ok["id"]))).bearer(&p[0].1).json(json!({"body": "x\u{8}"}));
    refused(edit.send().await, "body");
}

#[tokio::test]
async fn the_socket_applies_every_rule_of_a_rest_send() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut ws = app.ws(&p[0].1).await;
    let frame = |body: Value, client_msg_id: Value| json!({"type": "message", "conversation_id": convo, "body": body, "client_msg_id": client_msg_id});
    let attempts = [
        (frame(json!("nul \u{0} here"), Value::Null), "bad_request"),
        (frame(json!("ok"), json!("id\u{0}")), "bad_request"),
        (frame(json!("clear\u{1b}[2J"), Value::Null), "validation_failed"),
        (frame(json!("ok"), json!("k".repeat(65))), "validation_failed"),
        (frame(json!("ok"), json!("bad\nkey")), "validation_failed"),
        (frame(json!("x".repeat(4001)), Value::Null), "payload_too_large"),
        (frame(json!(5), Value::Null), "bad_request"),
        (frame(json!("ok"), json!(7)), "bad_request"),
        (frame(json!("   "), Value::Null), "validation_failed"),
    ];
    for (attempt, code) in attempts {
        ws.send(attempt.clone()).await;
        let error = ws.next_of("error").await;
        assert_eq!(error["code"], code, "{attempt}");
        assert!(!error["message"].as_str().unwrap().contains("2J"), "the input is not echoed: {error}");
    }
    // The raw escape, as a client's JSON encoder writes it.
    ws.send_raw(format!(r#"{{"type":"message","conversation_id":"{convo}","body":"a\u0000b"}}"#)).await;
    assert_eq!(ws.next_of("error").await["code"], "bad_request");
    assert!(app.history(&p[0].1, &convo).await.is_empty(), "nothing was stored");
    ws.send(frame(json!("fine\n\tthanks"), json!("k1"))).await;
    assert_eq!(ws.next_of("ack").await["message"]["body"], "fine\n\tthanks");
}

#[tokio::test]
async fn numbers_and_booleans_are_not_taken_for_strings() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let send = format!("/v1/chat/conversations/{convo}/messages");
    for body in
        [json!({"body": 12345}), json!({"body": true}), json!({"body": "hi", "client_msg_id": 1}), json!({"body": "hi", "file_url": false})]
    {
        app.post(&send).bearer(&p[0].1).json(body).send().await.expect(400, Some("bad_request"));
    }
    let reply = app.post("/v1/users").key(&app.secret_key).json(json!({"external_id": 42})).send().await.expect(400, Some("bad_request"));
    assert!(reply.text.contains("external_id"), "the field is named: {}", reply.text);
    app.patch("/v1/auth/profile").bearer(&p[0].1).json(json!({"display_name": 7})).send().await.expect(400, Some("bad_request"));
    let group = json!({"kind": "group", "name": "g", "participant_ids": [p[1].0, 1]});
    app.post("/v1/chat/conversations").bearer(&p[0].1).json(group).send().await.expect(400, Some("bad_request"));
    let sync = json!({"conversations": [{"conversation_id": 1, "last_seq": 0}]});
    app.post("/v1/chat/messages/sync").bearer(&p[0].1).json(sync).send().await.expect(400, Some("bad_request"));
    let settings = json!({"settings": {"allowed_file_origins": [443]}});
    app.patch("/v1/tenant").key(&app.secret_key).json(settings).send().await.expect(400, Some("bad_request"));
    assert!(app.history(&p[0].1, &convo).await.is_empty());
    let me = app.get("/v1/auth/me").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(me.data()["user"]["display_name"], Value::Null);

    // The spec still calls them strings.
    let spec = app.get("/openapi.json").send().await;
    assert_eq!(spec.body["components"]["schemas"]["SendMessageRequest"]["properties"]["body"]["type"], "string");
}

#[tokio::test]
async fn a_null_body_is_refused_where_an_object_is_expected_even_an_optional_one() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.say(&p[1].1, &convo, "unread until read").await;
    // The read marker's body is optional; `null` is still not an object.
    let read = format!("/v1/chat/conversations/{convo}/read");
    let reply = app.post(&read).bearer(&p[0].1).raw("null").send().await.expect(400, Some("bad_request"));
    assert!(reply.text.contains("null"), "the answer says why: {}", reply.text);
    app.post("/v1/users").key(&app.secret_key).raw("null").send().await.expect(400, Some("bad_request"));
    app.post(&format!("/v1/chat/conversations/{convo}/messages"))
        .bearer(&p[0].1)
        .raw(" null ")
        .send()
        .await
        .expect(400, Some("bad_request"));
    // Nothing was done: the message is still unread.
    let unread = app.get("/v1/chat/conversations/unread").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(unread.data()["total"], 1);
    // Without a body the read marker still works.
    app.post(&read).bearer(&p[0].1).send().await.expect(204, None);
}

#[tokio::test]
async fn a_required_field_left_out_is_named_in_the_answer() {
    let app = spawn_app().await;
    let login = json!({"tenant": "default", "password": "whatever-it-is"});
    let reply = app.post("/v1/auth/login").json(login).send().await.expect(400, Some("bad_request"));
    assert_eq!(reply.body["message"], "`email` is required", "{}", reply.text);
    let p = people(&app, &["ann"]).await;
    let sync = json!({"conversations": [{"last_seq": 0}]});
    let reply = app.post("/v1/chat/messages/sync").bearer(&p[0].1).json(sync).send().await.expect(400, Some("bad_request"));
    assert_eq!(reply.body["message"], "`conversations[0].conversation_id` is required", "{}", reply.text);
}
