//! Read positions and unread counts, including a model-checked random walk.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::helpers::{people, s, spawn_app};

#[tokio::test]
async fn reading_moves_forward_only_and_defaults_to_the_latest() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    for i in 0..5 {
        app.say(&p[1].1, &id, &format!("m{i}")).await;
    }
    let read = format!("/v1/chat/conversations/{id}/read");
    assert_eq!(app.unread_of(&p[0].1, &id).await, 5);
    app.post(&read).bearer(&p[0].1).json(json!({"up_to_seq": 3})).send().await.expect(204, None);
    assert_eq!(app.unread_of(&p[0].1, &id).await, 2);
    app.post(&read).bearer(&p[0].1).json(json!({"up_to_seq": 1})).send().await.expect(204, None);
    assert_eq!(app.unread_of(&p[0].1, &id).await, 2, "never backwards");
    app.post(&read).bearer(&p[0].1).send().await.expect(204, None);
    assert_eq!(app.unread_of(&p[0].1, &id).await, 0);
    app.post(&read).bearer(&p[0].1).json(json!({"up_to_seq": -1})).send().await.expect(422, Some("validation_failed"));
    app.post(&read).bearer(&p[0].1).json(json!({"up_to_seq": 999})).send().await.expect(204, None);
    let convo = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(convo.data()["last_read_seq"], 5, "clamped to the newest message");
    // Own messages never count as unread.
    app.say(&p[0].1, &id, "mine").await;
    assert_eq!(app.unread_of(&p[0].1, &id).await, 0);
}

#[tokio::test]
async fn the_unread_endpoint_gives_per_conversation_counts_and_a_total() {
    let app = spawn_app().await;
    let p = people(&app, &["me", "x", "y"]).await;
    let a = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let b = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    app.say(&p[1].1, &a, "1").await;
    app.say(&p[1].1, &a, "2").await;
    app.say(&p[2].1, &b, "3").await;
    let unread = app.get("/v1/chat/conversations/unread").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(unread.data()["total"], 3);
    assert_eq!(
        unread.data()["conversations"],
        json!([{"conversation_id": b, "unread_count": 1}, {"conversation_id": a, "unread_count": 2}])
    );
    app.post(&format!("/v1/chat/conversations/{a}/read")).bearer(&p[0].1).send().await.expect(204, None);
    let unread = app.get("/v1/chat/conversations/unread").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(unread.data()["total"], 1, "reading one conversation leaves the other alone");
}

#[tokio::test]
async fn a_read_emits_a_read_receipt_to_the_other_participants() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.say(&p[1].1, &id, "hi").await;
    let mut events = app.state.bus.subscribe();
    app.post(&format!("/v1/chat/conversations/{id}/read")).bearer(&p[0].1).send().await.expect(204, None);
    // Through Redis, the new message's own event may come back after the subscription
    // began: the receipt is the first event of its kind.
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            let event = events.recv().await.unwrap();
            if event.kind() != "new_message" {
                return event;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(event.kind(), "read_receipt");
    assert_eq!(event.payload["up_to_seq"], 1);
    assert_eq!(event.payload["user_id"], json!(p[0].0));
}

/// Random sends and reads by three users over three conversations; after every step each
/// user's unread count in each conversation must equal a simple model's.
#[tokio::test]
async fn unread_counts_match_a_simple_model_through_random_sends_and_reads() {
    let app = spawn_app().await;
    let users = people(&app, &["u0", "u1", "u2"]).await;
    let ids: Vec<&str> = users.iter().map(|(id, _)| id.as_str()).collect();
    let conversations = [
        (s(&app.direct(&users[0].1, ids[1]).await["id"]).to_owned(), vec![0usize, 1]),
        (s(&app.direct(&users[1].1, ids[2]).await["id"]).to_owned(), vec![1, 2]),
        (s(&app.group(&users[0].1, "all", &[ids[1], ids[2]]).await["id"]).to_owned(), vec![0, 1, 2]),
    ];
    // Model: per conversation the senders of its messages in seq order, per (user, conversation) the read seq.
    let mut senders: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut read: HashMap<(usize, usize), usize> = HashMap::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xC0FFEE);
    for step in 0..60 {
        let c = rng.gen_range(0..conversations.len());
        let (cid, members) = &conversations[c];
        let who = members[rng.gen_range(0..members.len())];
        if rng.gen_bool(0.6) {
            app.say(&users[who].1, cid, &format!("step {step}")).await;
            senders.entry(c).or_default().push(who);
        } else {
            let last = senders.get(&c).map_or(0, Vec::len);
            let up_to = rng.gen_range(0..=last + 1);
            app.post(&format!("/v1/chat/conversations/{cid}/read"))
                .bearer(&users[who].1)
                .json(json!({"up_to_seq": up_to}))
                .send()
                .await
                .expect(204, None);
            let position = read.entry((who, c)).or_default();
            *position = (*position).max(up_to.min(last));
        }
        for (c, (cid, members)) in conversations.iter().enumerate() {
            for &u in members {
                let from = read.get(&(u, c)).copied().unwrap_or(0);
                let expected = senders.get(&c).map_or(0, |s| s.iter().skip(from).filter(|&&sender| sender != u).count()) as i64;
                assert_eq!(app.unread_of(&users[u].1, cid).await, expected, "step {step}: user {u} in conversation {c}");
            }
        }
        let totals = app.get("/v1/chat/conversations/unread").bearer(&users[0].1).send().await.expect(200, None);
        let listed: i64 = totals.data()["conversations"].as_array().unwrap().iter().map(|e| e["unread_count"].as_i64().unwrap()).sum();
        assert_eq!(totals.data()["total"].as_i64().unwrap(), listed);
    }
}
