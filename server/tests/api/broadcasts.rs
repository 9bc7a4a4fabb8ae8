//! A host's broadcast to their followers (seed 000).

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, TestApp};

/// Makes `follower` follow `host_id`.
async fn follow(app: &TestApp, follower: &str, host_id: &str) {
    app.post(&format!("/v1/chat/users/{host_id}/follow")).bearer(follower).send().await.expect(204, None);
}

async fn broadcast(app: &TestApp, token: &str, body: &str) -> Value {
    app.post("/v1/chat/broadcast").bearer(token).json(json!({"body": body})).send().await.expect(201, None).data().clone()
}

/// `token`'s user's conversations, as listed.
async fn conversations(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app.get("/v1/chat/conversations?per_page=100").bearer(token).send().await.expect(200, None);
    reply.data().as_array().unwrap().clone()
}

#[tokio::test]
async fn a_host_broadcasts_to_every_follower_reusing_or_creating_direct_conversations() {
    let app = spawn_app().await;
    // Users made before and after the host have ids on both sides of the host's, so both
    // orders of the pair key are exercised.
    let before = people(&app, &["early", "early_new"]).await;
    let (host, host_token) = app.user_with_token("host", "host").await;
    let host_id = s(&host["id"]).to_owned();
    let after = people(&app, &["late", "late_new", "stranger"]).await;
    let (early, early_new, late, late_new, stranger) = (&before[0], &before[1], &after[0], &after[1], &after[2]);
    for f in [early, early_new, late, late_new] {
        follow(&app, &f.1, &host_id).await;
    }
    let early_direct = app.direct(&early.1, &host_id).await;
    app.say(&early.1, s(&early_direct["id"]), "hi host").await;
    let late_direct = app.direct(&host_token, &late.0).await;

    let sent = broadcast(&app, &host_token, "Available for sessions this afternoon!").await;
    assert_eq!(sent["recipients"], 4);
    assert!(ulid::Ulid::from_string(s(&sent["broadcast_id"])).is_ok());

    for (follower, existing, seq) in
        [(early, Some(&early_direct), 2), (late, Some(&late_direct), 1), (early_new, None, 1), (late_new, None, 1)]
    {
        let listed = conversations(&app, &follower.1).await;
        assert_eq!(listed.len(), 1, "one conversation with the host");
        let convo = &listed[0];
        if let Some(existing) = existing {
            assert_eq!(convo["id"], existing["id"], "the existing direct conversation is reused");
        }
        assert_eq!(convo["kind"], "direct");
        assert_eq!(convo["participant"]["id"], json!(host_id));
        assert_eq!(convo["participants"].as_array().unwrap().len(), 2);
        assert_eq!(convo["unread_count"], 1);
        let last = &convo["last_message"];
        assert_eq!(
            (last["body"].clone(), last["sender_id"].clone(), last["seq"].clone()),
            (json!("Available for sessions this afternoon!"), json!(host_id), json!(seq))
        );
        assert!(ulid::Ulid::from_string(s(&convo["id"])).is_ok());
        assert!(ulid::Ulid::from_string(s(&last["id"])).is_ok());
        // The sequence goes on without a gap, and the message is the host's to edit.
        let reply = app.say(&follower.1, s(&convo["id"]), "thanks").await;
        assert_eq!(reply["seq"], seq + 1);
        app.patch(&format!("/v1/chat/messages/{}", s(&last["id"])))
            .bearer(&host_token)
            .json(json!({"body": "edited"}))
            .send()
            .await
            .expect(200, None);
    }
    assert!(conversations(&app, &stranger.1).await.is_empty(), "non-followers get nothing");
    assert_eq!(conversations(&app, &host_token).await.len(), 4);

    // A second broadcast reuses all four conversations.
    assert_eq!(broadcast(&app, &host_token, "again").await["recipients"], 4);
    assert_eq!(conversations(&app, &host_token).await.len(), 4);
    let history = app.history(&early.1, s(&early_direct["id"])).await;
    let seqs: Vec<i64> = history.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert_eq!(history[3]["body"], "again");
}

#[tokio::test]
async fn followers_who_blocked_the_host_or_cannot_receive_messages_are_skipped() {
    let app = spawn_app().await;
    let (host, host_token) = app.user_with_token("host", "host").await;
    let host_id = s(&host["id"]).to_owned();
    let p = people(&app, &["fan", "blocker", "muted", "gone"]).await;
    for f in &p {
        follow(&app, &f.1, &host_id).await;
    }
    let (fan, blocker, muted, gone) = (&p[0], &p[1], &p[2], &p[3]);
    app.post(&format!("/v1/chat/users/{host_id}/block")).bearer(&blocker.1).send().await.expect(204, None);
    let muted_direct = app.direct(&muted.1, &host_id).await;
    app.patch(&format!("/v1/users/{}", muted.0))
        .key(&app.secret_key)
        .json(json!({"permissions": {"can_receive_message": false}}))
        .send()
        .await
        .expect(200, None);
    app.delete(&format!("/v1/users/{}", gone.0)).key(&app.secret_key).send().await.expect(204, None);

    assert_eq!(broadcast(&app, &host_token, "news").await["recipients"], 1);
    assert_eq!(conversations(&app, &fan.1).await.len(), 1);
    assert!(conversations(&app, &blocker.1).await.is_empty());
    assert_eq!(app.history(&muted.1, s(&muted_direct["id"])).await.len(), 0);
    let hosts: Vec<Value> = conversations(&app, &host_token).await;
    let peers: Vec<&Value> = hosts.iter().filter(|c| c["last_message"].is_object()).map(|c| &c["participant"]["id"]).collect();
    assert_eq!(peers, [&json!(fan.0)]);
}

#[tokio::test]
async fn only_hosts_and_admins_broadcast() {
    let app = spawn_app().await;
    for role in ["user", "staff", "moderator"] {
        let (_, token) = app.user_with_token(&format!("b-{role}"), role).await;
        app.post("/v1/chat/broadcast").bearer(&token).json(json!({"body": "hi"})).send().await.expect(403, Some("forbidden"));
    }
    for role in ["host", "admin", "superadmin"] {
        let (_, token) = app.user_with_token(&format!("b-{role}"), role).await;
        assert_eq!(broadcast(&app, &token, "hi").await["recipients"], 0, "{role} has no followers yet");
    }
    let (_, host) = app.user_with_token("host2", "host").await;
    app.post("/v1/chat/broadcast").bearer(&host).json(json!({"body": "  "})).send().await.expect(422, Some("validation_failed"));
    app.post("/v1/chat/broadcast")
        .bearer(&host)
        .json(json!({"body": "x".repeat(4001)}))
        .send()
        .await
        .expect(413, Some("payload_too_large"));
    app.post("/v1/chat/broadcast").bearer(&host).json(json!({})).send().await.expect(400, Some("bad_request"));
    app.post("/v1/chat/broadcast").json(json!({"body": "hi"})).send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn a_broadcast_brings_back_hidden_and_archived_conversations_for_the_follower() {
    let app = spawn_app().await;
    let (host, host_token) = app.user_with_token("host", "host").await;
    let host_id = s(&host["id"]).to_owned();
    let p = people(&app, &["hider", "archiver"]).await;
    for f in &p {
        follow(&app, &f.1, &host_id).await;
    }
    let hidden = app.direct(&p[0].1, &host_id).await;
    app.say(&host_token, s(&hidden["id"]), "old news").await;
    app.delete(&format!("/v1/chat/conversations/{}?scope=for_me", s(&hidden["id"]))).bearer(&p[0].1).send().await.expect(204, None);
    let archived = app.direct(&p[1].1, &host_id).await;
    app.post(&format!("/v1/chat/conversations/{}/archive", s(&archived["id"]))).bearer(&p[1].1).send().await.expect(204, None);
    assert!(conversations(&app, &p[0].1).await.is_empty());

    broadcast(&app, &host_token, "fresh news").await;
    let listed = conversations(&app, &p[0].1).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(app.history(&p[0].1, s(&hidden["id"])).await.len(), 1, "history before the delete stays hidden");
    let listed = conversations(&app, &p[1].1).await;
    assert_eq!(listed[0]["archived"], false);
}

#[tokio::test]
async fn each_recipient_gets_a_new_message_event() {
    let app = spawn_app().await;
    let (host, host_token) = app.user_with_token("host", "host").await;
    let host_id = s(&host["id"]).to_owned();
    let p = people(&app, &["amy", "bo"]).await;
    for f in &p {
        follow(&app, &f.1, &host_id).await;
    }
    let mut events = app.state.bus.subscribe();
    broadcast(&app, &host_token, "ping").await;
    let mut reached = Vec::new();
    for _ in 0..2 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
        assert_eq!(event.kind(), "new_message");
        assert_eq!(event.payload["seq"], 1);
        assert_eq!(event.payload["message"]["body"], "ping");
        assert_eq!(event.payload["message"]["sender_id"], json!(host_id));
        assert!(event.audience.contains(&host_id));
        reached.extend(event.audience.into_iter().filter(|id| *id != host_id));
    }
    reached.sort();
    let mut expected = vec![p[0].0.clone(), p[1].0.clone()];
    expected.sort();
    assert_eq!(reached, expected);
}
