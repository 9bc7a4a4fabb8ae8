//! Suspensions and bans take effect at once everywhere and lift themselves when they carry
//! an end time; every privileged action is in the audit log, written with the action or
//! not at all.

use serde_json::{json, Value};

use crate::helpers::*;

async fn moderator(app: &TestApp) -> (String, String) {
    let (user, token) = app.user_with_token("the-moderator", "moderator").await;
    (s(&user["id"]).to_owned(), token)
}

async fn set_status(app: &TestApp, token: &str, user_id: &str, body: Value) -> Reply {
    app.patch(&format!("/v1/admin/users/{user_id}")).bearer(token).json(body).send().await
}

async fn profile(app: &TestApp, token: &str) -> Reply {
    app.get("/v1/auth/me").bearer(token).send().await
}

/// A second server process sharing the database and Redis, when the suite has Redis.
async fn second_process(app: &TestApp) -> Option<TestApp> {
    if app.config.redis_url.is_some() {
        Some(app.restart_with(|_| {}).await)
    } else {
        eprintln!("no second process: processes share the bus only through Redis (the PostgreSQL + Redis pass runs it)");
        None
    }
}

#[tokio::test]
async fn a_suspended_user_is_refused_at_once_everywhere_until_lifted() {
    let app = spawn_app().await;
    let other = second_process(&app).await;
    let (_, mod_token) = moderator(&app).await;
    let ann = &people(&app, &["ann"]).await[0];
    profile(&app, &ann.1).await.expect(200, None);
    let mut here = app.ws(&ann.1).await;
    let mut elsewhere = match &other {
        Some(other) => Some(other.ws(&ann.1).await),
        None => None,
    };

    let suspended = set_status(&app, &mod_token, &ann.0, json!({"status": "suspended", "reason": "spam"})).await.expect(200, None);
    assert_eq!(suspended.data()["status"], "suspended");
    assert_eq!(here.closed_with().await, 1008);
    if let Some(ws) = elsewhere.as_mut() {
        assert_eq!(ws.closed_with().await, 1008, "on the other process too");
    }
    profile(&app, &ann.1).await.expect(403, Some("forbidden"));
    assert_eq!(app.ws_refused(&ann.1).await, 403, "the chat token is refused");
    let fresh = app.post("/v1/users/chat-token").key(&app.secret_key).json(json!({"user_id": ann.0})).send().await.expect(201, None);
    profile(&app, s(&fresh.data()["chat_token"])).await.expect(403, Some("forbidden"));

    set_status(&app, &mod_token, &ann.0, json!({"status": "active"})).await.expect(200, None);
    profile(&app, &ann.1).await.expect(200, None);

    set_status(&app, &mod_token, &ann.0, json!({"status": "banned"})).await.expect(200, None);
    profile(&app, &ann.1).await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn a_suspension_lifts_itself_once_its_end_has_passed() {
    let app = spawn_app().await;
    let (_, mod_token) = moderator(&app).await;
    let ann = &people(&app, &["ann"]).await[0];
    let until = "2999-01-01T00:00:00Z";
    let reply = set_status(&app, &mod_token, &ann.0, json!({"status": "suspended", "suspended_until": until})).await.expect(200, None);
    assert!(s(&reply.data()["suspended_until"]).starts_with("2999-01-01T00:00:00"), "{}", reply.text);
    profile(&app, &ann.1).await.expect(403, Some("forbidden"));

    // The end passes (moved into the past rather than waited for).
    sqlx::query("UPDATE users SET suspended_until = $1 WHERE id = $2")
        .bind(chrono::Utc::now().timestamp_millis() - 1000)
        .bind(&ann.0)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    profile(&app, &ann.1).await.expect(200, None);
    let listed = app.get("/v1/admin/users?status=active&q=ann").bearer(&mod_token).send().await.expect(200, None);
    assert_eq!(listed.data()[0]["status"], "active");
    assert_eq!(listed.data()[0]["suspended_until"], Value::Null);
    let still = app.get("/v1/admin/users?status=suspended").bearer(&mod_token).send().await.expect(200, None);
    assert_eq!(still.data().as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn privileged_actions_are_audited_with_before_after_and_address() {
    let app = spawn_app().await;
    let (mod_id, mod_token) = moderator(&app).await;
    let ann = &people(&app, &["ann"]).await[0];
    set_status(&app, &mod_token, &ann.0, json!({"status": "suspended", "reason": "spam"})).await.expect(200, None);
    let admin = app.login_admin().await;
    let (key_id, _) = app.issue_secret_key(s(&admin["access_token"])).await;

    let log =
        app.get(&format!("/v1/admin/audit-log?action=user.suspend&target={}", ann.0)).bearer(&mod_token).send().await.expect(200, None);
    let entry = &log.data()[0];
    assert_eq!(entry["actor"], json!(format!("user:{mod_id}")));
    assert_eq!(entry["before"]["status"], "active");
    assert_eq!(entry["after"]["status"], "suspended");
    assert_eq!(entry["after"]["reason"], "spam");
    assert_eq!(entry["client_addr"], "127.0.0.1");

    let by_actor = app.get(&format!("/v1/admin/audit-log?actor=user:{mod_id}")).bearer(&mod_token).send().await.expect(200, None);
    assert_eq!(by_actor.body["pagination"]["total"], 1);
    let keys = app.get(&format!("/v1/admin/audit-log?target={key_id}")).bearer(&mod_token).send().await.expect(200, None);
    assert_eq!(keys.data()[0]["action"], "api_key.create");
    assert_eq!(keys.data()[0]["after"]["kind"], "secret");
    assert!(!keys.text.contains("key_hash"), "never the key's hash");
    let all = app.get("/v1/admin/audit-log").bearer(&mod_token).send().await.expect(200, None);
    assert_eq!(all.data()[0]["action"], "api_key.create", "newest first");
}

#[tokio::test]
async fn an_action_whose_audit_entry_cannot_be_written_does_not_happen() {
    let app = spawn_app().await;
    let (_, mod_token) = moderator(&app).await;
    let folks = people(&app, &["ann", "bob"]).await;
    let conversation = app.direct(&folks[0].1, &folks[1].0).await;
    let message = app.say(&folks[0].1, s(&conversation["id"]), "keep me").await;
    let admin = app.login_admin().await;
    let admin_token = s(&admin["access_token"]).to_owned();
    let (key_id, _) = app.issue_secret_key(&admin_token).await;

    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_away").execute(app.state.db.pool()).await.unwrap();
    set_status(&app, &mod_token, &folks[0].0, json!({"status": "banned"})).await.expect(500, Some("internal"));
    app.delete(&format!("/v1/admin/messages/{}", s(&message["id"]))).bearer(&mod_token).send().await.expect(500, Some("internal"));
    app.delete(&format!("/v1/api-keys/{key_id}")).bearer(&admin_token).send().await.expect(500, Some("internal"));
    app.patch("/v1/tenant").bearer(&admin_token).json(json!({"name": "Renamed"})).send().await.expect(500, Some("internal"));
    sqlx::query("ALTER TABLE audit_log_away RENAME TO audit_log").execute(app.state.db.pool()).await.unwrap();

    profile(&app, &folks[0].1).await.expect(200, None);
    assert_eq!(app.history(&folks[1].1, s(&conversation["id"])).await[0]["body"], "keep me");
    let keys = app.get("/v1/api-keys").bearer(&admin_token).send().await.expect(200, None);
    assert!(keys.text.contains(&key_id), "the key is still live: {}", keys.text);
    let tenant = app.get("/v1/tenant").bearer(&admin_token).send().await.expect(200, None);
    assert_ne!(tenant.data()["name"], "Renamed");
}

#[tokio::test]
async fn a_suspended_account_cannot_sign_in_or_refresh_and_its_session_survives_the_lift() {
    let app = spawn_app().await;
    let (_, mod_token) = moderator(&app).await;
    let body = json!({"external_id": "pw-user", "email": "pw@example.test", "password": "password-123"});
    let user = app.create_user_with(&app.secret_key, body).await;
    let tokens = app.login("default", "pw@example.test", "password-123").await.expect(200, None).data().clone();
    let refresh = |token: String| app.post("/v1/auth/refresh").json(json!({"refresh_token": token})).send();

    set_status(&app, &mod_token, s(&user["id"]), json!({"status": "suspended"})).await.expect(200, None);
    app.login("default", "pw@example.test", "password-123").await.expect(403, Some("forbidden"));
    refresh(s(&tokens["refresh_token"]).to_owned()).await.expect(403, Some("forbidden"));

    set_status(&app, &mod_token, s(&user["id"]), json!({"status": "active"})).await.expect(200, None);
    refresh(s(&tokens["refresh_token"]).to_owned()).await.expect(200, None);
}

#[tokio::test]
async fn a_moderator_removing_a_message_through_the_chat_api_is_audited_too() {
    let app = spawn_app().await;
    let (mod_id, mod_token) = moderator(&app).await;
    let folks = people(&app, &["ann"]).await;
    let group = app.group(&folks[0].1, "Room", &[&mod_id]).await;
    let message = app.say(&folks[0].1, s(&group["id"]), "remove me").await;
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&message["id"]))).bearer(&mod_token).send().await.expect(204, None);
    let log = app.get(&format!("/v1/admin/audit-log?target={}", s(&message["id"]))).bearer(&mod_token).send().await.expect(200, None);
    assert_eq!(log.data()[0]["action"], "message.remove");
    assert_eq!(log.data()[0]["before"]["body"], "remove me");
}
