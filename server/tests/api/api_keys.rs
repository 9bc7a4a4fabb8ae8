use serde_json::json;

use crate::helpers::{s, spawn_app};

#[tokio::test]
async fn issuing_a_key_shows_it_once_and_lists_it_by_prefix_only() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let token = s(&admin["access_token"]);
    let created = app.post("/v1/api-keys").bearer(token).json(json!({"name": "web", "kind": "publishable"})).send().await.expect(201, None);
    let key = s(&created.data()["key"]).to_owned();
    assert!(key.starts_with("pk_"));
    assert!(key.starts_with(s(&created.data()["prefix"])));
    let listed = app.get("/v1/api-keys").bearer(token).send().await.expect(200, None);
    let items = listed.data().as_array().unwrap();
    assert_eq!(items.len(), 2, "bootstrap key and the new one: {}", listed.text);
    assert!(items.iter().all(|k| k.get("key").is_none()));
    assert!(!listed.text.contains(&key));
    assert_eq!(listed.body["pagination"]["total"], 2);
    assert_eq!(listed.body["pagination"]["per_page"], 20);
}

#[tokio::test]
async fn a_revoked_key_stops_working_on_the_next_request() {
    let app = spawn_app().await;
    let created =
        app.post("/v1/api-keys").key(&app.secret_key).json(json!({"name": "server", "kind": "secret"})).send().await.expect(201, None);
    let key = s(&created.data()["key"]).to_owned();
    let id = s(&created.data()["id"]).to_owned();
    app.get("/v1/tenant").key(&key).send().await.expect(200, None);
    app.delete(&format!("/v1/api-keys/{id}")).key(&app.secret_key).send().await.expect(204, None);
    app.get("/v1/tenant").key(&key).send().await.expect(401, Some("unauthorized"));
    app.delete(&format!("/v1/api-keys/{id}")).key(&app.secret_key).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn a_publishable_key_cannot_create_users_or_mint_tokens() {
    let app = spawn_app().await;
    let user = app.create_user("u1", "user").await;
    let pk = s(app
        .post("/v1/api-keys")
        .key(&app.secret_key)
        .json(json!({"name": "browser", "kind": "publishable"}))
        .send()
        .await
        .expect(201, None)
        .data()
        .get("key")
        .unwrap())
    .to_owned();
    app.post("/v1/users").key(&pk).json(json!({"external_id": "u2"})).send().await.expect(403, Some("forbidden"));
    app.post("/v1/users/chat-token").key(&pk).json(json!({"user_id": user["id"]})).send().await.expect(403, Some("forbidden"));
    app.post("/v1/api-keys").key(&pk).json(json!({"name": "x", "kind": "secret"})).send().await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn keys_are_managed_by_admins_only() {
    let app = spawn_app().await;
    for role in ["user", "host", "staff", "moderator"] {
        let (_, token) = app.user_with_token(&format!("u-{role}"), role).await;
        app.get("/v1/api-keys").bearer(&token).send().await.expect(403, Some("forbidden"));
        app.post("/v1/api-keys").bearer(&token).json(json!({"name": "x", "kind": "secret"})).send().await.expect(403, Some("forbidden"));
    }
    let (_, admin) = app.user_with_token("an-admin", "admin").await;
    app.get("/v1/api-keys").bearer(&admin).send().await.expect(200, None);
}

#[tokio::test]
async fn another_tenants_key_cannot_be_revoked() {
    let app = spawn_app().await;
    let other = app.signup("other", "o@x.test").await;
    let other_key = app
        .post("/v1/api-keys")
        .bearer(s(&other["access_token"]))
        .json(json!({"name": "theirs", "kind": "secret"}))
        .send()
        .await
        .expect(201, None);
    let id = s(&other_key.data()["id"]);
    app.delete(&format!("/v1/api-keys/{id}")).key(&app.secret_key).send().await.expect(404, Some("not_found"));
    app.get("/v1/tenant").key(s(&other_key.data()["key"])).send().await.expect(200, None);
}

#[tokio::test]
async fn malformed_and_unknown_keys_are_unauthorized() {
    let app = spawn_app().await;
    app.get("/v1/tenant").key("sk_nonsense").send().await.expect(401, Some("unauthorized"));
    let forged = format!("{}{}", &app.secret_key[..13], "A".repeat(app.secret_key.len() - 13));
    app.get("/v1/tenant").key(&forged).send().await.expect(401, Some("unauthorized"));
    app.post("/v1/api-keys")
        .key(&app.secret_key)
        .json(json!({"name": "x", "kind": "master"}))
        .send()
        .await
        .expect(400, Some("bad_request"));
}
