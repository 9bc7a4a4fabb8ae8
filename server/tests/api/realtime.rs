//! Real-time delivery over real WebSockets.

use serde_json::json;

use crate::helpers::{people, s, spawn_app, spawn_app_with};

#[tokio::test]
async fn chat_tokens_access_tokens_and_one_time_tickets_open_a_socket() {
    let app = spawn_app().await;
    let p = people(&app, &["ann"]).await;
    app.ws(&p[0].1).await.close().await;
    let admin = app.login_admin().await;
    app.ws(s(&admin["access_token"])).await.close().await;
    let ticket = app.get("/v1/messaging/token").bearer(&p[0].1).send().await.expect(200, None);
    let ticket = s(&ticket.data()["ws_token"]).to_owned();
    app.ws(&ticket).await.close().await;
    assert_eq!(app.ws_refused(&ticket).await, 401, "a ticket works once");
    assert_eq!(app.ws_refused("garbage").await, 401);
    assert_eq!(app.ws_refused(s(&admin["refresh_token"])).await, 401, "refresh tokens are not accepted");
    let tenant = app.tenant_of(&p[0].0).await;
    let expired = app.state.keys.sign(confab_server::auth::Purpose::Chat, &tenant, &p[0].0, -10, None).unwrap();
    assert_eq!(app.ws_refused(&expired.token).await, 401);
}

#[tokio::test]
async fn participants_receive_every_kind_of_event_with_seqs() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let (ann, bob) = (&p[0], &p[1]);
    let id = s(&app.direct(&ann.1, &bob.0).await["id"]).to_owned();
    let mut bob_ws = app.ws(&bob.1).await;

    let m = app.say(&ann.1, &id, "hello").await;
    let event = bob_ws.next_of("new_message").await;
    assert_eq!(event["seq"], 1);
    assert_eq!(event["message"]["seq"], 1);
    assert_eq!(event["message"]["body"], "hello");
    assert_eq!(event["conversation_id"], json!(id));

    let mid = s(&m["id"]);
    app.patch(&format!("/v1/chat/messages/{mid}")).bearer(&ann.1).json(json!({"body": "hello!"})).send().await.expect(200, None);
    let event = bob_ws.next_of("message_updated").await;
    assert_eq!((event["seq"].clone(), event["message"]["body"].clone()), (json!(1), json!("hello!")));
    app.post(&format!("/v1/chat/messages/{mid}/reactions")).bearer(&ann.1).json(json!({"emoji": "🎉"})).send().await.expect(200, None);
    let event = bob_ws.next_of("reaction").await;
    assert_eq!((event["emoji"].clone(), event["seq"].clone()), (json!("🎉"), json!(1)));
    app.post(&format!("/v1/chat/conversations/{id}/typing")).bearer(&ann.1).send().await.expect(204, None);
    assert_eq!(bob_ws.next_of("typing").await["user_id"], json!(ann.0));
    app.post(&format!("/v1/chat/conversations/{id}/read")).bearer(&ann.1).send().await.expect(204, None);
    assert_eq!(bob_ws.next_of("read_receipt").await["up_to_seq"], 1);
    app.delete(&format!("/v1/chat/messages/{mid}?scope=for_everyone")).bearer(&ann.1).send().await.expect(204, None);
    let event = bob_ws.next_of("message_deleted").await;
    assert_eq!((event["seq"].clone(), event["message"]["deleted"].clone()), (json!(1), json!(true)));
}

#[tokio::test]
async fn group_changes_reach_members_and_mute_reaches_only_the_caller() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "mem", "new"]).await;
    let id = s(&app.group(&p[0].1, "Team", &[&p[1].0]).await["id"]).to_owned();
    let mut member = app.ws(&p[1].1).await;
    let mut owner = app.ws(&p[0].1).await;
    app.patch(&format!("/v1/chat/conversations/{id}")).bearer(&p[0].1).json(json!({"name": "Renamed"})).send().await.expect(200, None);
    let event = member.next_of("conversation_updated").await;
    assert_eq!((event["change"].clone(), event["name"].clone()), (json!("details"), json!("Renamed")));
    owner.next_of("conversation_updated").await;
    app.post(&format!("/v1/chat/conversations/{id}/participants"))
        .bearer(&p[0].1)
        .json(json!({"user_ids": [p[2].0]}))
        .send()
        .await
        .expect(201, None);
    assert_eq!(member.next_of("conversation_updated").await["change"], "participants_added");
    owner.next_of("conversation_updated").await;

    app.post(&format!("/v1/chat/conversations/{id}/mute")).bearer(&p[0].1).send().await.expect(204, None);
    let event = owner.next_of("conversation_updated").await;
    assert_eq!((event["change"].clone(), event["value"].clone()), (json!("muted"), json!(true)));
    member.quiet("conversation_updated", 300).await;
}

#[tokio::test]
async fn a_removed_participant_and_outsiders_receive_nothing() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "mem", "outsider"]).await;
    let id = s(&app.group(&p[0].1, "Team", &[&p[1].0]).await["id"]).to_owned();
    let mut member = app.ws(&p[1].1).await;
    let mut outsider = app.ws(&p[2].1).await;
    app.say(&p[0].1, &id, "before").await;
    member.next_of("new_message").await;
    app.delete(&format!("/v1/chat/conversations/{id}/participants/{}", p[1].0)).bearer(&p[0].1).send().await.expect(204, None);
    member.next_of("conversation_updated").await;
    app.say(&p[0].1, &id, "after").await;
    member.quiet("new_message", 400).await;
    outsider.quiet("new_message", 10).await;
}

#[tokio::test]
async fn client_frames_send_type_read_and_ping() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut ann = app.ws(&p[0].1).await;
    let mut bob = app.ws(&p[1].1).await;

    ann.send(json!({"type": "message", "conversation_id": id, "body": "over the socket", "client_msg_id": "k1"})).await;
    let ack = ann.next_of("ack").await;
    assert_eq!(ack["client_msg_id"], "k1");
    assert_eq!(ack["message"]["seq"], 1);
    let delivered = bob.next_of("new_message").await;
    assert_eq!(delivered["message"]["id"], ack["message"]["id"]);
    ann.send(json!({"type": "message", "conversation_id": id, "body": "over the socket", "client_msg_id": "k1"})).await;
    let again = ann.next_of("ack").await;
    assert_eq!(again["message"]["id"], ack["message"]["id"], "same idempotency as REST");
    bob.quiet("new_message", 300).await;

    ann.send(json!({"type": "typing", "conversation_id": id})).await;
    assert_eq!(bob.next_of("typing").await["user_id"], json!(p[0].0));
    bob.send(json!({"type": "read", "conversation_id": id})).await;
    assert_eq!(ann.next_of("read_receipt").await["user_id"], json!(p[1].0));
    ann.send(json!({"type": "ping"})).await;
    ann.next_of("pong").await;
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_socket_lives_on() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "eve"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut ann = app.ws(&p[0].1).await;
    ann.send_raw("{not json".into()).await;
    assert_eq!(ann.next_of("error").await["code"], "bad_request");
    ann.send(json!({"type": "dance"})).await;
    assert_eq!(ann.next_of("error").await["code"], "bad_request");
    ann.send(json!({"type": "message", "conversation_id": id, "body": ""})).await;
    assert_eq!(ann.next_of("error").await["code"], "validation_failed");
    let mut eve = app.ws(&p[2].1).await;
    eve.send(json!({"type": "message", "conversation_id": id, "body": "let me in"})).await;
    assert_eq!(eve.next_of("error").await["code"], "forbidden");
    ann.send(json!({"type": "ping"})).await;
    ann.next_of("pong").await;
}

#[tokio::test]
async fn a_frame_over_the_size_limit_closes_the_socket_with_1009() {
    let app = spawn_app_with(|c| c.ws_max_frame_bytes = 1024).await;
    let p = people(&app, &["ann"]).await;
    let mut ann = app.ws(&p[0].1).await;
    ann.send_raw(format!("{{\"type\": \"ping\", \"pad\": \"{}\"}}", "x".repeat(2000))).await;
    assert_eq!(ann.closed_with().await, 1009);
}

#[tokio::test]
async fn presence_is_online_until_the_last_socket_closes() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    app.direct(&p[0].1, &p[1].0).await;
    let mut bob = app.ws(&p[1].1).await;
    let first = app.ws(&p[0].1).await;
    let event = bob.next_of("presence").await;
    assert_eq!((event["user_id"].clone(), event["online"].clone()), (json!(p[0].0), json!(true)));
    let second = app.ws(&p[0].1).await;
    bob.quiet("presence", 300).await;
    first.close().await;
    bob.quiet("presence", 300).await;
    second.close().await;
    let event = bob.next_of("presence").await;
    assert_eq!(event["online"], false);
    let seen: Option<i64> =
        sqlx::query_scalar("SELECT last_seen_at FROM users WHERE id = $1").bind(&p[0].0).fetch_one(app.state.db.pool()).await.unwrap();
    assert!(seen.is_some());
}

#[tokio::test]
async fn a_client_that_stops_answering_pings_is_closed() {
    let app = spawn_app_with(|c| c.ws_ping_interval_ms = 100).await;
    let p = people(&app, &["ann"]).await;
    let ws = app.ws(&p[0].1).await;
    let mut silent = ws.into_inner();
    // Not reading means not answering the server's pings.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    use futures::StreamExt;
    let mut code = None;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(std::time::Duration::from_secs(5), silent.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Close(frame) = message {
            code = frame.map(|f| u16::from(f.code));
            break;
        }
    }
    assert_eq!(code, Some(1008));
}

#[tokio::test]
async fn a_client_too_slow_to_read_is_disconnected_with_1013() {
    let app = spawn_app_with(|c| c.ws_queue = 2).await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.patch("/v1/tenant").key(&app.secret_key).json(json!({"settings": {"max_message_length": 100000}})).send().await.expect(200, None);
    // Ann sends faster than a person may: this is about the reader, not limits.
    app.lift_message_limits().await;
    // Bob has a slow socket that never reads and a fast one that does.
    let mut slow = app.ws(&p[1].1).await;
    let mut fast = app.ws(&p[1].1).await;
    const SENDS: usize = 150;
    let reader = tokio::spawn(async move {
        let mut seen = 0;
        while seen < SENDS {
            match fast.next().await {
                Some(frame) if frame["type"] == "new_message" => seen += 1,
                Some(_) => {}
                None => break,
            }
        }
        seen
    });
    let big = "y".repeat(90_000);
    // About 13 MB: more than the kernel buffers between the two ends can hold.
    for _ in 0..SENDS {
        app.say(&p[0].1, &id, &big).await;
    }
    assert_eq!(slow.closed_with().await, 1013);
    assert_eq!(reader.await.unwrap(), SENDS, "the fast reader got everything and was not held back");
}

#[tokio::test]
async fn a_socket_closes_when_its_chat_token_expires() {
    let app = spawn_app().await;
    let p = people(&app, &["ann"]).await;
    let tenant = app.tenant_of(&p[0].0).await;
    let short = app.state.keys.sign(confab_server::auth::Purpose::Chat, &tenant, &p[0].0, 2, None).unwrap();
    let mut ws = app.ws(&short.token).await;
    assert_eq!(ws.closed_with().await, 1008);
}

#[tokio::test]
async fn a_user_may_hold_a_bounded_number_of_sockets() {
    let app = spawn_app_with(|c| c.ws_max_sockets_per_user = 2).await;
    let p = people(&app, &["ann"]).await;
    let _a = app.ws(&p[0].1).await;
    let _b = app.ws(&p[0].1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(app.ws_refused(&p[0].1).await, 429);
}

#[tokio::test]
async fn a_client_that_reconnects_and_syncs_misses_nothing() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob = app.ws(&p[1].1).await;
    app.say(&p[0].1, &id, "1").await;
    let last_seq = bob.next_of("new_message").await["seq"].as_i64().unwrap();
    bob.close().await;
    for body in ["2", "3", "4"] {
        app.say(&p[0].1, &id, body).await;
    }
    let mut bob = app.ws(&p[1].1).await;
    app.say(&p[0].1, &id, "5").await;
    // An event published just before the socket connected may still be on its way through
    // the bus (Redis) and reach it first: a real message the client had not seen, which the
    // sync below returns as well. The live one follows.
    let mut live = bob.next_of("new_message").await;
    while live["seq"].as_i64().is_some_and(|seq| seq < 5) {
        live = bob.next_of("new_message").await;
    }
    assert_eq!(live["seq"], 5);
    let synced = app
        .post("/v1/chat/messages/sync")
        .bearer(&p[1].1)
        .json(json!({"conversations": [{"conversation_id": id, "last_seq": last_seq}]}))
        .send()
        .await
        .expect(200, None);
    let seqs: Vec<i64> =
        synced.data()["conversations"][0]["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![2, 3, 4, 5], "every missed message exactly once, in order");
}

#[tokio::test]
async fn shutdown_closes_sockets_with_1001_and_readiness_goes_false() {
    let mut app = spawn_app().await;
    let p = people(&app, &["ann"]).await;
    let mut ws = app.ws(&p[0].1).await;
    let state = app.state.clone();
    app.begin_shutdown();
    assert_eq!(ws.closed_with().await, 1001);
    assert!(!state.accepting());
}

#[tokio::test]
async fn two_server_processes_sharing_redis_act_as_one() {
    let app = spawn_app().await;
    if app.config.redis_url.is_none() {
        eprintln!("skipped: two processes share events only through Redis (the PostgreSQL + Redis pass runs this)");
        return;
    }
    let other = app.restart_with(|_| {}).await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob_on_b = other.ws(&p[1].1).await;
    let mut ann_on_a = app.ws(&p[0].1).await;
    app.say(&p[0].1, &id, "sent through A").await;
    assert_eq!(bob_on_b.next_of("new_message").await["message"]["body"], "sent through A");
    bob_on_b.quiet("new_message", 300).await;
    app.post(&format!("/v1/chat/conversations/{id}/typing")).bearer(&p[0].1).send().await.expect(204, None);
    bob_on_b.next_of("typing").await;
    bob_on_b.send(json!({"type": "read", "conversation_id": id})).await;
    assert_eq!(ann_on_a.next_of("read_receipt").await["user_id"], json!(p[1].0));
}

#[tokio::test]
async fn a_blocked_senders_direct_messages_stop_at_once() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob = app.ws(&p[1].1).await;
    let mut ann = app.ws(&p[0].1).await;
    app.say(&p[0].1, &id, "before").await;
    bob.next_of("new_message").await;
    app.post(&format!("/v1/chat/users/{}/block", p[0].0)).bearer(&p[1].1).send().await.expect(204, None);
    ann.send(json!({"type": "message", "conversation_id": id, "body": "after"})).await;
    assert_eq!(ann.next_of("error").await["code"], "blocked");
    bob.quiet("new_message", 400).await;
}

#[tokio::test]
async fn a_suspension_applies_to_an_open_socket_at_once() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut ann = app.ws(&p[0].1).await;
    app.patch(&format!("/v1/users/{}", p[0].0)).key(&app.secret_key).json(json!({"status": "suspended"})).send().await.expect(200, None);
    // The socket is closed at once; frames sent before it closes are refused (see
    // revocation.rs).
    assert_eq!(ann.closed_with().await, 1008);
    assert!(app.history(&p[1].1, &id).await.is_empty());
}
