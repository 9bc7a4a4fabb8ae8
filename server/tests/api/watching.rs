//! A moderator's socket may watch one conversation it is not in and receive its events,
//! once each, on every server process; nobody below moderator may, and another tenant's
//! conversations do not exist for it. The admin API shows a conversation with its members.

use serde_json::{json, Value};

use crate::helpers::*;

/// A direct conversation between ann and bob: (conversation id, ann, bob).
async fn chat(app: &TestApp) -> (String, (String, String), (String, String)) {
    let folks = people(app, &["ann", "bob"]).await;
    let id = s(&app.direct(&folks[0].1, &folks[1].0).await["id"]).to_owned();
    (id, folks[0].clone(), folks[1].clone())
}

async fn watch(socket: &mut Ws, conversation_id: Option<&str>) -> Value {
    socket.send(json!({"type": "watch", "conversation_id": conversation_id})).await;
    socket.next().await.expect("an answer to watch")
}

async fn moderator(app: &TestApp, name: &str) -> (String, String) {
    let (user, token) = app.user_with_token(name, "moderator").await;
    (s(&user["id"]).to_owned(), token)
}

#[tokio::test]
async fn a_watching_moderator_sees_messages_arrive_and_their_removal() {
    let app = spawn_app().await;
    let (id, (_, ann), (_, bob)) = chat(&app).await;
    let (_, moderator) = moderator(&app, "the-moderator").await;
    let mut socket = app.ws(&moderator).await;
    assert_eq!(watch(&mut socket, Some(&id)).await, json!({"type": "watching", "conversation_id": id}));

    let sent = app.say(&ann, &id, "hello, anyone watching?").await;
    let event = socket.next_of("new_message").await;
    assert_eq!(event["message"]["id"], sent["id"]);
    assert_eq!(event["message"]["body"], "hello, anyone watching?");
    app.say(&bob, &id, "hi").await;
    assert_eq!(socket.next_of("new_message").await["message"]["body"], "hi");

    app.delete(&format!("/v1/admin/messages/{}", s(&sent["id"]))).bearer(&moderator).send().await.expect(204, None);
    let removed = socket.next_of("message_deleted").await;
    assert_eq!(removed["message"]["id"], sent["id"]);
    assert_eq!(removed["message"]["deleted"], true);

    app.post(&format!("/v1/chat/conversations/{id}/mute")).bearer(&ann).send().await.expect(204, None);
    socket.quiet("conversation_updated", 300).await;
    assert_eq!(watch(&mut socket, None).await, json!({"type": "watching", "conversation_id": null}));
    app.say(&ann, &id, "unwatched").await;
    socket.quiet("new_message", 300).await;
}

#[tokio::test]
async fn a_watching_member_gets_each_event_once() {
    let app = spawn_app().await;
    let folks = people(&app, &["ann"]).await;
    let (moderator_id, moderator) = moderator(&app, "member-moderator").await;
    let id = s(&app.direct(&folks[0].1, &moderator_id).await["id"]).to_owned();
    let mut socket = app.ws(&moderator).await;
    watch(&mut socket, Some(&id)).await;
    app.say(&folks[0].1, &id, "once").await;
    assert_eq!(socket.next_of("new_message").await["message"]["body"], "once");
    socket.quiet("new_message", 300).await;
}

#[tokio::test]
async fn users_below_moderator_may_not_watch() {
    let app = spawn_app().await;
    let (id, (_, ann), _) = chat(&app).await;
    let (_, staff) = app.user_with_token("the-staff", "staff").await;
    for token in [&ann, &staff] {
        let mut socket = app.ws(token).await;
        let refused = watch(&mut socket, Some(&id)).await;
        assert_eq!(refused["type"], "error");
        assert_eq!(refused["code"], "forbidden", "as REST answers: {refused}");
        assert_eq!(watch(&mut socket, None).await["code"], "forbidden");
        // The socket lives on and still hears its own conversations.
        app.say(&ann, &id, "still here").await;
        if token == &ann {
            socket.next_of("new_message").await;
        }
    }
}

#[tokio::test]
async fn another_tenants_or_an_unknown_conversation_is_not_found() {
    let app = spawn_app().await;
    let (id, (_, ann), _) = chat(&app).await;
    let (_, outsider) = app.outsider("elsewhere", "moderator").await;
    let mut socket = app.ws(&outsider).await;
    let refused = watch(&mut socket, Some(&id)).await;
    assert_eq!((refused["type"].as_str(), refused["code"].as_str()), (Some("error"), Some("not_found")), "{refused}");
    app.say(&ann, &id, "not for outsiders").await;
    socket.quiet("new_message", 300).await;

    let (_, moderator) = moderator(&app, "the-moderator").await;
    let mut socket = app.ws(&moderator).await;
    let unknown = ulid::Ulid::new().to_string();
    assert_eq!(watch(&mut socket, Some(&unknown)).await["code"], "not_found");
    assert_eq!(watch(&mut socket, Some("not-an-id")).await["code"], "bad_request");
}

#[tokio::test]
async fn watching_another_conversation_stops_the_first() {
    let app = spawn_app().await;
    let (first, (_, ann), _) = chat(&app).await;
    let cid = &people(&app, &["cid"]).await[0];
    let second = s(&app.direct(&ann, &cid.0).await["id"]).to_owned();
    let (_, moderator) = moderator(&app, "the-moderator").await;
    let mut socket = app.ws(&moderator).await;
    watch(&mut socket, Some(&first)).await;
    assert_eq!(watch(&mut socket, Some(&second)).await["conversation_id"], json!(second));

    app.say(&ann, &first, "in the first").await;
    app.say(&ann, &second, "in the second").await;
    assert_eq!(socket.next_of("new_message").await["message"]["body"], "in the second", "nothing more of the first");

    // A refused watch leaves the current one in place.
    assert_eq!(watch(&mut socket, Some(&ulid::Ulid::new().to_string())).await["code"], "not_found");
    app.say(&cid.1, &second, "still watched").await;
    assert_eq!(socket.next_of("new_message").await["message"]["body"], "still watched");
}

#[tokio::test]
async fn a_watch_ends_when_the_role_is_taken_away() {
    let app = spawn_app().await;
    let (id, (_, ann), _) = chat(&app).await;
    let (moderator_id, moderator) = moderator(&app, "the-moderator").await;
    let admin = s(&app.login_admin().await["access_token"]).to_owned();
    let mut socket = app.ws(&moderator).await;
    watch(&mut socket, Some(&id)).await;
    app.patch(&format!("/v1/admin/users/{moderator_id}")).bearer(&admin).json(json!({"role": "user"})).send().await.expect(200, None);
    // The bus delivers in order: the watch has ended before this message's event arrives.
    app.say(&ann, &id, "after the demotion").await;
    socket.quiet("new_message", 300).await;
    socket.send(json!({"type": "ping"})).await;
    assert_eq!(socket.next_of("pong").await["type"], "pong", "the socket stays open");
}

#[tokio::test]
async fn a_watcher_on_another_server_process_gets_the_events() {
    let app = spawn_app().await;
    if app.config.redis_url.is_none() {
        eprintln!("skipped: two processes share events only through Redis (the PostgreSQL + Redis pass runs this)");
        return;
    }
    let other = app.restart_with(|_| {}).await;
    let (id, (_, ann), _) = chat(&app).await;
    let (_, moderator) = moderator(&app, "the-moderator").await;
    let mut socket = other.ws(&moderator).await;
    watch(&mut socket, Some(&id)).await;
    let sent = app.say(&ann, &id, "sent through the first process").await;
    assert_eq!(socket.next_of("new_message").await["message"]["body"], "sent through the first process");
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&sent["id"]))).bearer(&ann).send().await.expect(204, None);
    assert_eq!(socket.next_of("message_deleted").await["message"]["id"], sent["id"]);
    socket.quiet("new_message", 300).await;
}

#[tokio::test]
async fn a_conversation_shows_its_current_and_former_members() {
    let app = spawn_app().await;
    let folks = people(&app, &["ann", "bob", "cid"]).await;
    let group = app.group(&folks[0].1, "Walkers", &[&folks[1].0, &folks[2].0]).await;
    let id = s(&group["id"]);
    app.delete(&format!("/v1/chat/conversations/{id}/participants/{}", folks[2].0)).bearer(&folks[0].1).send().await.expect(204, None);
    let (_, moderator) = moderator(&app, "the-moderator").await;

    let reply = app.get(&format!("/v1/admin/conversations/{id}")).bearer(&moderator).send().await.expect(200, None);
    let found = reply.data();
    assert_eq!(found["id"], json!(id));
    assert_eq!(found["kind"], "group");
    assert_eq!(found["name"], "Walkers");
    let members = found["members"].as_array().unwrap();
    let usernames: Vec<&str> = members.iter().map(|m| s(&m["username"])).collect();
    assert_eq!(usernames.len(), 3, "{members:?}");
    let owner = members.iter().find(|m| m["user_id"] == json!(folks[0].0)).unwrap();
    assert_eq!(owner["role"], "owner");
    assert!(owner.get("left_at").is_none(), "a current member has no left_at");
    let former = members.iter().find(|m| m["user_id"] == json!(folks[2].0)).unwrap();
    assert!(former["left_at"].is_string(), "a former member says when they left: {former}");
}
