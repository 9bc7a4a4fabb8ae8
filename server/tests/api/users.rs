use serde_json::json;

use crate::helpers::{race, s, spawn_app};

#[tokio::test]
async fn creating_a_user_by_external_id_then_again_updates_it() {
    let app = spawn_app().await;
    let reply = app
        .post("/v1/users")
        .key(&app.secret_key)
        .json(json!({
            "external_id": "site-42", "username": "john_doe", "email": "john@example.com",
            "role": "host", "display_name": "John", "phone": "+15550100",
            "permissions": {"can_edit_message": false}
        }))
        .send()
        .await
        .expect(201, None);
    let user = reply.data().clone();
    assert_eq!(user["external_id"], "site-42");
    assert_eq!(user["role"], "host");
    assert_eq!(user["permissions"]["can_edit_message"], false);
    assert_eq!(user["permissions"]["can_send_message"], true);

    let reply = app
        .post("/v1/users")
        .key(&app.secret_key)
        .json(json!({"external_id": "site-42", "display_name": "Johnny"}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(reply.data()["id"], user["id"]);
    assert_eq!(reply.data()["display_name"], "Johnny");
    assert_eq!(reply.data()["username"], "john_doe");
    assert_eq!(reply.data()["permissions"]["can_edit_message"], false);
}

#[tokio::test]
async fn racing_creates_of_one_external_id_make_one_user() {
    let app = spawn_app().await;
    let url = format!("{}/v1/users", app.address);
    let requests =
        (0..10).map(|_| app.client.post(&url).header("x-api-key", &app.secret_key).json(&json!({"external_id": "same"}))).collect();
    let (ids, created) = race(requests).await;
    assert_eq!((ids.len(), created), (1, 1));
}

#[tokio::test]
async fn a_taken_username_is_a_conflict() {
    let app = spawn_app().await;
    app.create_user_with(&app.secret_key, json!({"external_id": "a", "username": "Same"})).await;
    app.post("/v1/users")
        .key(&app.secret_key)
        .json(json!({"external_id": "b", "username": "same"}))
        .send()
        .await
        .expect(409, Some("conflict"));
}

#[tokio::test]
async fn users_are_read_changed_and_deleted_with_a_secret_key() {
    let app = spawn_app().await;
    let user = app.create_user("u1", "user").await;
    let id = s(&user["id"]);
    app.get(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(200, None);
    let reply = app
        .patch(&format!("/v1/users/{id}"))
        .key(&app.secret_key)
        .json(json!({"role": "staff", "status": "suspended", "email": "u1@x.test", "permissions": {"can_send_message": false}}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(reply.data()["role"], "staff");
    assert_eq!(reply.data()["status"], "suspended");
    assert_eq!(reply.data()["permissions"]["can_send_message"], false);
    app.patch(&format!("/v1/users/{id}"))
        .key(&app.secret_key)
        .json(json!({"role": "emperor"}))
        .send()
        .await
        .expect(400, Some("bad_request"));
    app.patch(&format!("/v1/users/{id}"))
        .key(&app.secret_key)
        .json(json!({"email": "nope"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn a_suspended_user_cannot_use_its_chat_token() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_token("u1", "user").await;
    app.get("/v1/auth/me").bearer(&token).send().await.expect(200, None);
    app.patch(&format!("/v1/users/{}", s(&user["id"])))
        .key(&app.secret_key)
        .json(json!({"status": "suspended"}))
        .send()
        .await
        .expect(200, None);
    app.get("/v1/auth/me").bearer(&token).send().await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn deleting_a_user_erases_it_and_ends_its_tokens() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_token("u1", "user").await;
    let id = s(&user["id"]);
    app.delete(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(204, None);
    app.get(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(404, Some("not_found"));
    app.get("/v1/auth/me").bearer(&token).send().await.expect(401, Some("unauthorized"));
    app.delete(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(404, Some("not_found"));
    // The external id is free again.
    app.post("/v1/users").key(&app.secret_key).json(json!({"external_id": "u1"})).send().await.expect(201, None);
    let (name, email): (String, Option<String>) =
        sqlx::query_as("SELECT username, email FROM users WHERE id = $1").bind(id).fetch_one(app.state.db.pool()).await.unwrap();
    assert!(name.starts_with("deleted-"));
    assert_eq!(email, None);
}

#[tokio::test]
async fn chat_tokens_last_thirty_days_by_default_within_the_tenant_maximum() {
    let app = spawn_app().await;
    let user = app.create_user("u1", "user").await;
    let reply = app.post("/v1/users/chat-token").key(&app.secret_key).json(json!({"user_id": user["id"]})).send().await.expect(201, None);
    let token = s(&reply.data()["chat_token"]);
    let claims = app.state.keys.verify(token, &[confab_server::auth::Purpose::Chat]).unwrap();
    assert_eq!(claims.exp - claims.iat, 30 * 24 * 3600);
    assert_eq!(reply.data()["user"]["id"], user["id"]);

    let reply = app
        .post("/v1/users/chat-token")
        .key(&app.secret_key)
        .json(json!({"user_id": user["id"], "ttl_seconds": 3600}))
        .send()
        .await
        .expect(201, None);
    let claims = app.state.keys.verify(s(&reply.data()["chat_token"]), &[confab_server::auth::Purpose::Chat]).unwrap();
    assert_eq!(claims.exp - claims.iat, 3600);

    app.post("/v1/users/chat-token")
        .key(&app.secret_key)
        .json(json!({"user_id": user["id"], "ttl_seconds": 400 * 24 * 3600}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    app.post("/v1/users/chat-token")
        .key(&app.secret_key)
        .json(json!({"user_id": "01JN2X4K8M3F7QPZRVWT6YBHCE"}))
        .send()
        .await
        .expect(404, Some("not_found"));
}

#[tokio::test]
async fn a_chat_token_of_tenant_a_never_reads_tenant_b_users() {
    let app = spawn_app().await;
    let b_admin = app.signup("tenant-b", "b@x.test").await;
    let b_key = app.secret_key_for(s(&b_admin["access_token"])).await;
    let b_user = app.create_user_with(&b_key, json!({"external_id": "b-user"})).await;
    let b_id = s(&b_user["id"]);

    let (_, a_admin_token) = app.user_with_token("a-admin", "admin").await;
    app.get(&format!("/v1/users/{b_id}")).bearer(&a_admin_token).send().await.expect(404, Some("not_found"));
    app.get(&format!("/v1/users/{b_id}")).key(&app.secret_key).send().await.expect(404, Some("not_found"));
    app.patch(&format!("/v1/users/{b_id}"))
        .key(&app.secret_key)
        .json(json!({"display_name": "x"}))
        .send()
        .await
        .expect(404, Some("not_found"));
    app.delete(&format!("/v1/users/{b_id}")).key(&app.secret_key).send().await.expect(404, Some("not_found"));
    app.post("/v1/users/chat-token").key(&app.secret_key).json(json!({"user_id": b_id})).send().await.expect(404, Some("not_found"));
    // The same external id in two tenants is two users.
    let a_user = app.create_user("b-user", "user").await;
    assert_ne!(a_user["id"], b_user["id"]);
    // A token of one tenant with a key of another is refused.
    let (_, a_user_token) = app.user_with_token("a-user", "user").await;
    app.get("/v1/auth/me").bearer(&a_user_token).key(&b_key).send().await.expect(401, Some("unauthorized"));
    app.get("/v1/auth/me").bearer(&a_user_token).key(&app.secret_key).send().await.expect(200, None);
}

#[tokio::test]
async fn a_user_gets_403_on_admin_routes_and_cannot_grant_stronger_roles() {
    let app = spawn_app().await;
    let (target, user_token) = app.user_with_token("plain", "user").await;
    let id = s(&target["id"]);
    app.post("/v1/users").bearer(&user_token).json(json!({"external_id": "x"})).send().await.expect(403, Some("forbidden"));
    app.get(&format!("/v1/users/{id}")).bearer(&user_token).send().await.expect(403, Some("forbidden"));
    app.post("/v1/users/chat-token").bearer(&user_token).json(json!({"user_id": id})).send().await.expect(403, Some("forbidden"));

    let (_, admin_token) = app.user_with_token("adm", "admin").await;
    app.patch(&format!("/v1/users/{id}")).bearer(&admin_token).json(json!({"role": "moderator"})).send().await.expect(200, None);
    app.patch(&format!("/v1/users/{id}"))
        .bearer(&admin_token)
        .json(json!({"role": "superadmin"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    let owner = app.login_admin().await;
    let owner_id = s(&owner["user"]["id"]);
    app.delete(&format!("/v1/users/{owner_id}")).bearer(&admin_token).send().await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn a_user_created_with_a_password_can_log_in() {
    let app = spawn_app().await;
    app.create_user_with(
        &app.secret_key,
        json!({"external_id": "agent-1", "email": "agent@x.test", "password": "agent-password", "role": "staff"}),
    )
    .await;
    let reply = app.login("default", "agent@x.test", "agent-password").await.expect(200, None);
    assert_eq!(reply.data()["user"]["role"], "staff");
}

#[tokio::test]
async fn a_stored_role_or_status_the_server_does_not_know_is_an_opaque_server_error() {
    let app = spawn_app().await;
    for (column, value) in [("role", "root"), ("status", "frozen"), ("can_send_message", "7")] {
        let user = app.create_user(&format!("odd-{column}"), "user").await;
        let id = s(&user["id"]);
        let sql = if column == "can_send_message" {
            format!("UPDATE users SET {column} = {value} WHERE id = $1")
        } else {
            format!("UPDATE users SET {column} = '{value}' WHERE id = $1")
        };
        sqlx::query(&sql).bind(id).execute(app.state.db.pool()).await.unwrap();
        let reply = app.get(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(500, Some("internal"));
        assert_eq!(reply.body["message"], "internal server error", "{column}");
    }
}
