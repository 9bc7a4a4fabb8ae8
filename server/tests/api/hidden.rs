//! Hidden stays hidden: a message deleted "for me" never comes back to the user who hid it,
//! by any read, any action on it, or any event about it.

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, tick, Reply, TestApp};

/// Ann and Bob in a direct conversation, where Bob wrote "secret plans" then Ann hid it.
struct Scene {
    app: TestApp,
    ann: String,
    bob: String,
    convo: String,
    hidden: String,
    since: String,
}

async fn scene() -> Scene {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let since = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339().replace('+', "%2B");
    app.say(&p[0].1, &convo, "hello there").await;
    tick().await;
    let hidden = s(&app.say(&p[1].1, &convo, "secret plans").await["id"]).to_owned();
    app.delete(&format!("/v1/chat/messages/{hidden}?scope=for_me")).bearer(&p[0].1).send().await.expect(204, None);
    Scene { app, ann: p[0].1.clone(), bob: p[1].1.clone(), convo, hidden, since }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|m| s(&m["id"]).to_owned()).collect()
}

fn gone(reply: Reply) {
    reply.expect(404, Some("not_found"));
}

#[tokio::test]
async fn reads_never_return_a_message_hidden_for_me() {
    let Scene { app, ann, bob, convo, hidden, since } = scene().await;
    let new = app.get(&format!("/v1/chat/messages/new?since={since}")).bearer(&ann).send().await.expect(200, None);
    assert!(!ids(new.data()).contains(&hidden), "messages/new: {}", new.text);
    assert_eq!(new.body["pagination"]["total"], 1, "the count leaves it out too: {}", new.text);
    for query in ["secret", "plans", "secret%20plans"] {
        let found = app.get(&format!("/v1/chat/messages/search?q={query}")).bearer(&ann).send().await.expect(200, None);
        assert!(!ids(found.data()).contains(&hidden), "search {query}: {}", found.text);
        let inside = app.get(&format!("/v1/chat/messages/search?q={query}&conversation_id={convo}")).bearer(&ann).send().await;
        assert!(!ids(inside.expect(200, None).data()).contains(&hidden));
    }
    let sync = json!({"conversations": [{"conversation_id": convo, "last_seq": 0}]});
    let synced = app.post("/v1/chat/messages/sync").bearer(&ann).json(sync).send().await.expect(200, None);
    assert!(!ids(&synced.data()["conversations"][0]["messages"]).contains(&hidden), "sync: {}", synced.text);
    assert!(!app.history(&ann, &convo).await.iter().any(|m| m["id"] == json!(hidden)));
    // The listing shows the last message Ann still sees, and counts no unread hidden one.
    let list = app.get("/v1/chat/conversations").bearer(&ann).send().await.expect(200, None);
    let listed = &list.data()[0];
    assert_eq!(listed["last_message"]["body"], "hello there", "{}", list.text);
    assert_eq!(listed["unread_count"], 0);
    let shown = app.get(&format!("/v1/chat/conversations/{convo}")).bearer(&ann).send().await.expect(200, None);
    assert_eq!(shown.data()["last_message"]["body"], "hello there");
    // Bob, who did not hide it, still sees it everywhere.
    let found = app.get("/v1/chat/messages/search?q=secret").bearer(&bob).send().await.expect(200, None);
    assert_eq!(ids(found.data()), vec![hidden.clone()]);
    let list = app.get("/v1/chat/conversations").bearer(&bob).send().await.expect(200, None);
    assert_eq!(list.data()[0]["last_message"]["id"], json!(hidden));
}

#[tokio::test]
async fn nothing_can_be_done_to_a_message_hidden_for_me() {
    let Scene { app, ann, bob, convo, hidden, .. } = scene().await;
    let bob_id = s(&app.get("/v1/auth/me").bearer(&bob).send().await.data()["user"]["id"]).to_owned();
    let other = s(&app.group(&ann, "elsewhere", &[&bob_id]).await["id"]).to_owned();
    let message = format!("/v1/chat/messages/{hidden}");
    gone(app.post(&format!("{message}/reactions")).bearer(&ann).json(json!({"emoji": "👍"})).send().await);
    gone(app.post("/v1/chat/messages/forward").bearer(&ann).json(json!({"message_id": hidden, "conversation_ids": [other]})).send().await);
    gone(app.patch(&message).bearer(&ann).json(json!({"body": "rewritten"})).send().await);
    gone(app.delete(&format!("{message}?scope=for_me")).bearer(&ann).send().await);
    let reply = json!({"body": "about that", "reply_to_id": hidden});
    let reply = app.post(&format!("/v1/chat/conversations/{convo}/messages")).bearer(&ann).json(reply).send().await;
    let reply = reply.expect(422, Some("validation_failed"));
    assert!(reply.body["fields"]["reply_to_id"].is_string());
    // Nothing was stored: no reaction, no copy, no reply.
    assert!(app.history(&bob, &other).await.is_empty());
    let seen_by_bob = app.history(&bob, &convo).await;
    assert_eq!(seen_by_bob.len(), 2);
    assert_eq!(seen_by_bob[1]["reactions"], json!([]));
    // The author still acts on it.
    app.post(&format!("{message}/reactions")).bearer(&bob).json(json!({"emoji": "👍"})).send().await.expect(200, None);
}

#[tokio::test]
async fn events_about_a_hidden_message_do_not_reach_who_hid_it() {
    let Scene { app, ann, bob, convo, hidden, .. } = scene().await;
    let mut ann_ws = app.ws(&ann).await;
    let mut bob_ws = app.ws(&bob).await;
    let message = format!("/v1/chat/messages/{hidden}");
    app.patch(&message).bearer(&bob).json(json!({"body": "new secret plans"})).send().await.expect(200, None);
    app.post(&format!("{message}/reactions")).bearer(&bob).json(json!({"emoji": "🔥"})).send().await.expect(200, None);
    app.delete(&format!("{message}?scope=for_everyone")).bearer(&bob).send().await.expect(204, None);
    assert_eq!(bob_ws.next_of("message_updated").await["message"]["id"], json!(hidden));
    assert_eq!(bob_ws.next_of("reaction").await["message_id"], json!(hidden));
    assert_eq!(bob_ws.next_of("message_deleted").await["message"]["id"], json!(hidden));
    // A later message reaches Ann, and nothing about the hidden one came before it.
    app.say(&bob, &convo, "next").await;
    loop {
        let frame = ann_ws.next().await.expect("the socket stays open");
        assert_ne!(frame["message_id"], json!(hidden), "{frame}");
        assert_ne!(frame["message"]["id"], json!(hidden), "{frame}");
        if frame["type"] == "new_message" {
            assert_eq!(frame["message"]["body"], "next");
            break;
        }
    }
}

/// The total of one window of `convo`'s history for `token`, checked against the messages
/// the window lists when none is left out (`window` asks for up to 100).
async fn window_total(app: &TestApp, token: &str, convo: &str, window: &str) -> i64 {
    let reply = app.get(&format!("/v1/chat/conversations/{convo}/messages?{window}")).bearer(token).send().await.expect(200, None);
    let total = reply.body["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total, reply.data().as_array().unwrap().len() as i64, "{window}: {}", reply.text);
    total
}

/// Each window's total is what the viewer can page through in it: the seqs after their
/// cleared point, without the messages they hid, with tombstones of deleted ones.
#[tokio::test]
async fn history_totals_leave_out_hidden_and_cleared_messages_in_every_window() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let (ann, bob) = (p[0].1.as_str(), p[1].1.as_str());
    let convo = s(&app.direct(ann, &p[1].0).await["id"]).to_owned();
    let mut ids = Vec::new();
    for i in 1..=13 {
        // Ann clears her history after the tenth.
        if i == 11 {
            app.delete(&format!("/v1/chat/conversations/{convo}?scope=for_me")).bearer(ann).send().await.expect(204, None);
        }
        ids.push(s(&app.say(&p[i % 2].1, &convo, &format!("m{i}")).await["id"]).to_owned());
        if i == 10 {
            for seq in [3, 8] {
                app.delete(&format!("/v1/chat/messages/{}?scope=for_me", ids[seq - 1])).bearer(ann).send().await.expect(204, None);
            }
            app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", ids[4])).bearer(bob).send().await.expect(204, None);
            let total = |window| window_total(&app, ann, &convo, window);
            assert_eq!(total("per_page=100").await, 8);
            assert_eq!(window_total(&app, bob, &convo, "per_page=100").await, 10, "hidden for ann only; the tombstone counts");
            assert_eq!(total("before_seq=6&limit=100").await, 4);
            assert_eq!(total("after_seq=6&limit=100").await, 3);
            assert_eq!(total("before_seq=1&limit=100").await, 0);
            assert_eq!(total("after_seq=10&limit=100").await, 0);
            assert_eq!(total("after_seq=50&limit=100").await, 0);
            assert_eq!(total("before_seq=50&limit=100").await, 8);
        }
    }
    // Cleared up to seq 10, then three more, the second hidden.
    app.delete(&format!("/v1/chat/messages/{}?scope=for_me", ids[11])).bearer(ann).send().await.expect(204, None);
    let total = |window| window_total(&app, ann, &convo, window);
    assert_eq!(total("per_page=100").await, 2);
    assert_eq!(total("after_seq=5&limit=100").await, 2);
    assert_eq!(total("before_seq=13&limit=100").await, 1);
    assert_eq!(total("before_seq=4&limit=100").await, 0);
    assert_eq!(window_total(&app, bob, &convo, "per_page=100").await, 13);
}
