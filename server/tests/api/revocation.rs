//! A WebSocket lives no longer than the credential and the rights that opened it: each way
//! of ending a credential closes the sockets it opened (1008), on every server process,
//! while everyone else's sockets stay open.

use confab_server::events::Revocation;
use confab_server::realtime::revoke::close_sockets;
use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, TestApp, Ws, BOOTSTRAP_PASSWORD};

/// A one-time WebSocket ticket taken with `token`.
async fn ticket(app: &TestApp, token: &str) -> String {
    s(&app.get("/v1/messaging/token").bearer(token).send().await.expect(200, None).data()["ws_token"]).to_owned()
}

/// Asserts the socket is open and answering.
async fn alive(ws: &mut Ws) {
    ws.send(json!({"type": "ping"})).await;
    ws.next_of("pong").await;
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

async fn logout(app: &TestApp, tokens: &Value) {
    app.post("/v1/auth/logout")
        .bearer(s(&tokens["access_token"]))
        .json(json!({"refresh_token": tokens["refresh_token"]}))
        .send()
        .await
        .expect(204, None);
}

#[tokio::test]
async fn signing_out_closes_the_sockets_of_that_session_only() {
    let app = spawn_app().await;
    let other = second_process(&app).await;
    let ann = &people(&app, &["ann"]).await[0];
    let (a, b) = (app.login_admin().await, app.login_admin().await);
    let mut a_access = app.ws(s(&a["access_token"])).await;
    let mut a_ticket = app.ws(&ticket(&app, s(&a["access_token"])).await).await;
    let mut a_elsewhere = match &other {
        Some(other) => Some(other.ws(&ticket(&app, s(&a["access_token"])).await).await),
        None => None,
    };
    let mut b_access = app.ws(s(&b["access_token"])).await;
    let mut bystander = app.ws(&ann.1).await;

    logout(&app, &a).await;
    assert_eq!(a_access.closed_with().await, 1008);
    assert_eq!(a_ticket.closed_with().await, 1008, "a ticket's socket ends with the session it was taken in");
    if let Some(ws) = a_elsewhere.as_mut() {
        assert_eq!(ws.closed_with().await, 1008, "on the other process too");
    }
    assert_eq!(app.ws_refused(s(&a["access_token"])).await, 401);
    alive(&mut b_access).await;
    alive(&mut bystander).await;

    // The session still signed in keeps receiving events.
    let id = s(&app.direct(&ann.1, s(&b["user"]["id"])).await["id"]).to_owned();
    app.say(&ann.1, &id, "still here?").await;
    assert_eq!(b_access.next_of("new_message").await["message"]["body"], "still here?");
}

#[tokio::test]
async fn a_socket_whose_session_ended_has_its_frames_refused_until_it_closes() {
    let app = spawn_app().await;
    let ann = &people(&app, &["ann"]).await[0];
    let admin = app.login_admin().await;
    let admin_id = s(&admin["user"]["id"]).to_owned();
    let id = s(&app.direct(&ann.1, &admin_id).await["id"]).to_owned();
    let mut socket = app.ws(&ticket(&app, s(&admin["access_token"])).await).await;
    let mut bystander = app.ws(&ann.1).await;

    // The session ends in the database, and the bus has not said so yet: every frame checks.
    let session: String =
        sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1").bind(&admin_id).fetch_one(app.state.db.pool()).await.unwrap();
    confab_server::store::sessions::revoke_session(app.state.db.pool(), &session).await.unwrap();
    socket.send(json!({"type": "message", "conversation_id": id, "body": "after logout"})).await;
    assert_eq!(socket.next_of("error").await["code"], "unauthorized");
    assert!(app.history(&ann.1, &id).await.is_empty(), "nothing was stored");
    bystander.quiet("new_message", 200).await;

    let tenant = app.tenant_of(&admin_id).await;
    close_sockets(&app.state, &tenant, vec![admin_id.clone()], Revocation::Sessions { session_ids: vec![session] }).await;
    assert_eq!(socket.closed_with().await, 1008);
    alive(&mut bystander).await;
}

#[tokio::test]
async fn a_password_change_closes_the_other_sessions_sockets_but_not_its_own() {
    let app = spawn_app().await;
    let ann = &people(&app, &["ann"]).await[0];
    let (current, stale) = (app.login_admin().await, app.login_admin().await);
    let mut mine = app.ws(s(&current["access_token"])).await;
    let mut mine_by_ticket = app.ws(&ticket(&app, s(&current["access_token"])).await).await;
    let mut stale_access = app.ws(s(&stale["access_token"])).await;
    let mut stale_ticket = app.ws(&ticket(&app, s(&stale["access_token"])).await).await;
    let mut bystander = app.ws(&ann.1).await;

    app.post("/v1/auth/change-password")
        .bearer(s(&current["access_token"]))
        .json(json!({"current_password": BOOTSTRAP_PASSWORD, "new_password": "a-brand-new-password"}))
        .send()
        .await
        .expect(204, None);
    assert_eq!(stale_access.closed_with().await, 1008);
    assert_eq!(stale_ticket.closed_with().await, 1008);
    alive(&mut mine).await;
    alive(&mut mine_by_ticket).await;
    alive(&mut bystander).await;
}

#[tokio::test]
async fn a_reused_refresh_token_closes_the_sockets_of_its_family() {
    let app = spawn_app().await;
    let ann = &people(&app, &["ann"]).await[0];
    let stolen = app.login_admin().await;
    let unrelated = app.login_admin().await;
    let rotated = app.post("/v1/auth/refresh").json(json!({"refresh_token": stolen["refresh_token"]})).send().await.expect(200, None);
    let access = s(&rotated.data()["access_token"]).to_owned();
    let mut family = app.ws(&access).await;
    let mut family_ticket = app.ws(&ticket(&app, &access).await).await;
    let mut first_access = app.ws(s(&stolen["access_token"])).await;
    let mut unrelated_ws = app.ws(s(&unrelated["access_token"])).await;
    let mut bystander = app.ws(&ann.1).await;

    app.post("/v1/auth/refresh").json(json!({"refresh_token": stolen["refresh_token"]})).send().await.expect(401, Some("unauthorized"));
    assert_eq!(family.closed_with().await, 1008);
    assert_eq!(family_ticket.closed_with().await, 1008);
    assert_eq!(first_access.closed_with().await, 1008);
    alive(&mut unrelated_ws).await;
    alive(&mut bystander).await;
}

#[tokio::test]
async fn suspending_banning_or_deleting_a_user_closes_their_sockets_everywhere() {
    let app = spawn_app().await;
    let other = second_process(&app).await;
    let p = people(&app, &["ann", "bob", "cat", "dan"]).await;
    let (ann, bob, cat, dan) = (&p[0], &p[1], &p[2], &p[3]);
    let id = s(&app.direct(&ann.1, &dan.0).await["id"]).to_owned();
    let mut sockets = Vec::new();
    for user in [ann, bob, cat] {
        sockets.push(app.ws(&user.1).await);
        sockets.push(app.ws(&ticket(&app, &user.1).await).await);
        if let Some(other) = &other {
            sockets.push(other.ws(&user.1).await);
        }
    }
    let mut bystander = app.ws(&dan.1).await;
    let mut bystander_elsewhere = match &other {
        Some(other) => Some(other.ws(&dan.1).await),
        None => None,
    };

    let key = app.secret_key.clone();
    app.patch(&format!("/v1/users/{}", ann.0)).key(&key).json(json!({"status": "suspended"})).send().await.expect(200, None);
    app.patch(&format!("/v1/users/{}", bob.0)).key(&key).json(json!({"status": "banned"})).send().await.expect(200, None);
    app.delete(&format!("/v1/users/{}", cat.0)).key(&key).send().await.expect(204, None);
    for ws in &mut sockets {
        assert_eq!(ws.closed_with().await, 1008);
    }
    for user in [ann, bob, cat] {
        let refused = app.ws_refused(&user.1).await;
        assert!(refused == 401 || refused == 403, "reopening: {refused}");
    }
    alive(&mut bystander).await;
    if let Some(ws) = bystander_elsewhere.as_mut() {
        alive(ws).await;
    }
    // A profile change is no revocation.
    app.patch(&format!("/v1/users/{}", dan.0)).key(&key).json(json!({"display_name": "Dan"})).send().await.expect(200, None);
    app.say(&dan.1, &id, "after").await;
    assert_eq!(bystander.next_of("new_message").await["message"]["body"], "after");
}

#[tokio::test]
async fn a_suspended_users_frames_are_refused_until_the_socket_closes() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut ann = app.ws(&p[0].1).await;
    // Suspended in the database only, as if the bus were slow to say so.
    sqlx::query("UPDATE users SET status = 'suspended' WHERE id = $1").bind(&p[0].0).execute(app.state.db.pool()).await.unwrap();
    ann.send(json!({"type": "message", "conversation_id": id, "body": "still here"})).await;
    assert_eq!(ann.next_of("error").await["code"], "forbidden");
    assert!(app.history(&p[1].1, &id).await.is_empty());
}

#[tokio::test]
async fn revoking_an_api_key_ends_the_chat_tokens_it_minted_and_their_sockets() {
    let app = spawn_app().await;
    let other = second_process(&app).await;
    let admin = app.login_admin().await;
    let (key_id, key) = app.issue_secret_key(s(&admin["access_token"])).await;
    let ann = app.create_user("ann", "user").await;
    let bob = app.create_user("bob", "user").await;
    let minted = app.post("/v1/users/chat-token").key(&key).json(json!({"user_id": ann["id"]})).send().await.expect(201, None);
    let ann_token = s(&minted.data()["chat_token"]).to_owned();
    let bob_token = app.chat_token(s(&bob["id"])).await;
    let by_admin = app
        .post("/v1/users/chat-token")
        .bearer(s(&admin["access_token"]))
        .json(json!({"user_id": ann["id"]}))
        .send()
        .await
        .expect(201, None);
    let ann_by_admin = s(&by_admin.data()["chat_token"]).to_owned();
    app.get("/v1/chat/conversations").bearer(&ann_token).send().await.expect(200, None);

    let mut doomed = vec![app.ws(&ann_token).await, app.ws(&ticket(&app, &ann_token).await).await];
    if let Some(other) = &other {
        doomed.push(other.ws(&ann_token).await);
    }
    let mut bob_ws = app.ws(&bob_token).await;
    let mut ann_other_token = app.ws(&ann_by_admin).await;

    app.delete(&format!("/v1/api-keys/{key_id}")).bearer(s(&admin["access_token"])).send().await.expect(204, None);
    for ws in &mut doomed {
        assert_eq!(ws.closed_with().await, 1008);
    }
    app.get("/v1/chat/conversations").bearer(&ann_token).send().await.expect(401, Some("unauthorized"));
    app.get("/v1/messaging/token").bearer(&ann_token).send().await.expect(401, Some("unauthorized"));
    assert_eq!(app.ws_refused(&ann_token).await, 401);
    if let Some(other) = &other {
        other.get("/v1/chat/conversations").bearer(&ann_token).send().await.expect(401, Some("unauthorized"));
    }
    alive(&mut bob_ws).await;
    alive(&mut ann_other_token).await;
    app.get("/v1/chat/conversations").bearer(&bob_token).send().await.expect(200, None);
}

#[tokio::test]
async fn a_ticket_taken_with_a_chat_token_ends_with_the_key_that_minted_it() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let (key_id, key) = app.issue_secret_key(s(&admin["access_token"])).await;
    let ann = app.create_user("ann", "user").await;
    let bob = app.create_user("bob", "user").await;
    let minted = app.post("/v1/users/chat-token").key(&key).json(json!({"user_id": ann["id"]})).send().await.expect(201, None);
    let token = s(&minted.data()["chat_token"]).to_owned();
    let id = s(&app.direct(&token, s(&bob["id"])).await["id"]).to_owned();
    let mut socket = app.ws(&ticket(&app, &token).await).await;

    // Revoked in the database only, as if the bus were slow to say so: the frame is refused.
    let tenant = app.tenant_of(s(&ann["id"])).await;
    confab_server::store::api_keys::revoke(app.state.db.pool(), &tenant, &key_id).await.unwrap();
    socket.send(json!({"type": "message", "conversation_id": id, "body": "sneaking one in"})).await;
    assert_eq!(socket.next_of("error").await["code"], "unauthorized");
    close_sockets(&app.state, &tenant, Vec::new(), Revocation::ApiKey { key_id }).await;
    assert_eq!(socket.closed_with().await, 1008);
    let bob_token = app.chat_token(s(&bob["id"])).await;
    assert!(app.history(&bob_token, &id).await.is_empty());
}
