//! Unread counts are kept per member by the statements that change them (see the migration
//! `unread_counters`). After every kind of change, the kept counts equal a recount of the
//! messages, and the API shows them. Each member's copy of its conversation's last activity,
//! which orders the list (migration `activity_order`), is checked beside them.

use serde_json::json;

use crate::helpers::*;

/// Every member's kept count equals a recount, and its copy of the conversation's last
/// activity (the list's order) equals the conversation's.
async fn assert_counts_hold(app: &TestApp) {
    let drift = confab_server::store::listing::unread_drift(&app.state.db).await.unwrap();
    assert!(drift.is_empty(), "kept unread counts differ from a recount (conversation, user, kept, counted): {drift:?}");
    let drift = confab_server::store::listing::activity_drift(&app.state.db).await.unwrap();
    assert!(drift.is_empty(), "members' activity differs from their conversation's (conversation, user, copy, activity): {drift:?}");
    let drift = confab_server::store::counts::drift(&app.state.db).await.unwrap();
    assert!(drift.is_empty(), "the tenants' kept figures differ from a recount: {drift:?}");
}

#[tokio::test]
async fn kept_unread_counts_match_a_recount_after_every_kind_of_change() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cat", "dan"]).await;
    let (ann, bob, cat, dan) = (&p[0], &p[1], &p[2], &p[3]);
    let group = app.group(&ann.1, "Counters", &[&bob.0, &cat.0]).await;
    let group_id = s(&group["id"]).to_owned();
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(app.say(&ann.1, &group_id, &format!("ann {i}")).await);
    }
    app.say(&bob.1, &group_id, "bob once").await;
    assert_counts_hold(&app).await;
    assert_eq!(app.unread_of(&bob.1, &group_id).await, 5);
    assert_eq!(app.unread_of(&cat.1, &group_id).await, 6);

    // A late member counts the history before them; a partial read recounts.
    let members = format!("/v1/chat/conversations/{group_id}/participants");
    app.post(&members).bearer(&ann.1).json(json!({"user_ids": [dan.0]})).send().await.expect(201, None);
    let read = format!("/v1/chat/conversations/{group_id}/read");
    app.post(&read).bearer(&cat.1).json(json!({"up_to_seq": 3})).send().await.expect(204, None);
    assert_counts_hold(&app).await;
    assert_eq!(app.unread_of(&cat.1, &group_id).await, 3);

    // Hidden for one member, deleted for everyone, a cleared history.
    let message = |i: usize| format!("/v1/chat/messages/{}", s(&sent[i]["id"]));
    app.delete(&format!("{}?scope=for_me", message(4))).bearer(&bob.1).send().await.expect(204, None);
    app.delete(&format!("{}?scope=for_everyone", message(3))).bearer(&ann.1).send().await.expect(204, None);
    // Hiding a message already deleted changes nothing more.
    app.delete(&format!("{}?scope=for_me", message(3))).bearer(&cat.1).send().await;
    app.delete(&format!("/v1/chat/conversations/{group_id}?scope=for_me")).bearer(&dan.1).send().await.expect(204, None);
    assert_counts_hold(&app).await;
    assert_eq!(app.unread_of(&bob.1, &group_id).await, 3);

    // Leaving, missing messages, coming back.
    app.delete(&format!("{members}/{}", cat.0)).bearer(&cat.1).send().await.expect(204, None);
    app.say(&ann.1, &group_id, "while cat is away").await;
    app.post(&members).bearer(&ann.1).json(json!({"user_ids": [cat.0]})).send().await.expect(201, None);
    assert_counts_hold(&app).await;

    // A broadcast to followers, into new and existing direct conversations.
    let (host, host_token) = app.user_with_token("counter-host", "host").await;
    for follower in [&bob.1, &cat.1] {
        app.post(&format!("/v1/chat/users/{}/follow", s(&host["id"]))).bearer(follower).send().await.expect(204, None);
    }
    app.direct(&host_token, &bob.0).await;
    app.post("/v1/chat/broadcast").bearer(&host_token).json(json!({"body": "to all"})).send().await.expect(201, None);
    assert_counts_hold(&app).await;

    // Reading everything brings the totals to zero.
    for member in [bob, cat] {
        let unread = app.get("/v1/chat/conversations/unread").bearer(&member.1).send().await.expect(200, None);
        for row in unread.data()["conversations"].as_array().unwrap() {
            let read = format!("/v1/chat/conversations/{}/read", s(&row["conversation_id"]));
            app.post(&read).bearer(&member.1).send().await.expect(204, None);
        }
        let unread = app.get("/v1/chat/conversations/unread").bearer(&member.1).send().await.expect(200, None);
        assert_eq!(unread.data()["total"], 0);
    }
    assert_counts_hold(&app).await;
}

#[tokio::test]
async fn racing_sends_and_read_markers_leave_the_counts_right() {
    let app = spawn_app().await;
    app.lift_message_limits().await;
    let p = people(&app, &["eve", "fay"]).await;
    let (eve, fay) = (&p[0], &p[1]);
    let convo = s(&app.direct(&eve.1, &fay.0).await["id"]).to_owned();
    let send = format!("{}/v1/chat/conversations/{convo}/messages", app.address);
    let read = format!("{}/v1/chat/conversations/{convo}/read", app.address);
    let mut racers = Vec::new();
    for i in 0..40 {
        let (client, send, read) = (app.client.clone(), send.clone(), read.clone());
        let (eve, fay) = (eve.1.clone(), fay.1.clone());
        racers.push(tokio::spawn(async move {
            if i % 3 == 0 {
                client.post(&read).bearer_auth(&fay).send().await.unwrap().status().as_u16()
            } else {
                client.post(&send).bearer_auth(&eve).json(&json!({"body": format!("m{i}")})).send().await.unwrap().status().as_u16()
            }
        }));
    }
    for racer in racers {
        let status = racer.await.unwrap();
        assert!([201, 204].contains(&status), "status {status}");
    }
    assert_counts_hold(&app).await;
}
