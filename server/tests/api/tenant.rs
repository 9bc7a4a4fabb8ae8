use serde_json::json;

use crate::helpers::{s, spawn_app};

#[tokio::test]
async fn an_admin_reads_and_updates_the_tenant_settings() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let token = s(&admin["access_token"]);
    let reply = app.get("/v1/tenant").bearer(token).send().await.expect(200, None);
    assert_eq!(reply.data()["slug"], "default");
    assert_eq!(reply.data()["settings"]["chat_token_default_ttl_seconds"], 30 * 24 * 3600);

    let reply = app
        .patch("/v1/tenant")
        .bearer(token)
        .json(json!({"name": "Renamed", "settings": {"max_message_length": 500, "retention_days": 30}}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(reply.data()["name"], "Renamed");
    assert_eq!(reply.data()["settings"]["max_message_length"], 500);
    assert_eq!(reply.data()["settings"]["retention_days"], 30);

    let reply =
        app.patch("/v1/tenant").key(&app.secret_key).json(json!({"settings": {"retention_days": null}})).send().await.expect(200, None);
    assert_eq!(reply.data()["settings"]["retention_days"], serde_json::Value::Null);
    assert_eq!(reply.data()["settings"]["max_message_length"], 500);
}

#[tokio::test]
async fn out_of_range_settings_fail_validation() {
    let app = spawn_app().await;
    for settings in [
        json!({"max_message_length": 0}),
        json!({"retention_days": -1}),
        json!({"chat_token_max_ttl_seconds": 10}),
        json!({"chat_token_default_ttl_seconds": 999999999}),
    ] {
        app.patch("/v1/tenant")
            .key(&app.secret_key)
            .json(json!({"settings": settings}))
            .send()
            .await
            .expect(422, Some("validation_failed"));
    }
    let empty = app.patch("/v1/tenant").key(&app.secret_key).json(json!({"name": ""})).send().await.expect(422, Some("validation_failed"));
    assert!(empty.body["fields"]["name"].is_string(), "the request's own field is named: {}", empty.text);
}

#[tokio::test]
async fn users_and_moderators_get_403_on_tenant_routes() {
    let app = spawn_app().await;
    for role in ["user", "moderator"] {
        let (_, token) = app.user_with_token(&format!("x-{role}"), role).await;
        app.get("/v1/tenant").bearer(&token).send().await.expect(403, Some("forbidden"));
        app.patch("/v1/tenant").bearer(&token).json(json!({"name": "Mine"})).send().await.expect(403, Some("forbidden"));
    }
    app.get("/v1/tenant").send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn each_tenant_sees_only_itself() {
    let app = spawn_app().await;
    let other = app.signup("other", "o@x.test").await;
    let reply = app.get("/v1/tenant").bearer(s(&other["access_token"])).send().await.expect(200, None);
    assert_eq!(reply.data()["slug"], "other");
    let reply = app.get("/v1/tenant").key(&app.secret_key).send().await.expect(200, None);
    assert_eq!(reply.data()["slug"], "default");
}

#[tokio::test]
async fn settings_that_do_not_parse_are_an_opaque_server_error() {
    let app = spawn_app().await;
    sqlx::query("UPDATE tenants SET settings = 'not json' WHERE slug = 'default'").execute(app.state.db.pool()).await.unwrap();
    let reply = app.get("/v1/tenant").key(&app.secret_key).send().await.expect(500, Some("internal"));
    assert_eq!(reply.body["message"], "internal server error");
}
