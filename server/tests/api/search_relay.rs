//! Several relays (one per server process) feeding one search index: a conversation's
//! changes are sent by one relay at a time, so the index ends with every message's last
//! state, whichever process sent what.

use std::time::{Duration, Instant};

use confab_server::store::search_outbox::{self, Claimed};
use futures::future::join_all;
use serde_json::json;

use crate::helpers::{people, s, spawn_app_with, TestApp};
use crate::meili::{meili_app, search, total, until};

/// A server whose Meilisearch never answers, so its own relay never gets past preparing
/// the index and leaves every outbox row to the test.
async fn app_without_a_relay() -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    spawn_app_with(|c| {
        c.meili_url = Some(format!("http://127.0.0.1:{port}"));
        c.meili_index = "unreachable".into();
    })
    .await
}

fn ids(claimed: &Claimed) -> Vec<i64> {
    claimed.rows.iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn a_conversation_one_relay_is_sending_is_left_alone_by_the_others() {
    let app = app_without_a_relay().await;
    let db = &app.state.db;
    let p = people(&app, &["ann", "bob", "cy"]).await;
    let x = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let y = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    app.say(&p[0].1, &x, "one").await;
    app.say(&p[0].1, &y, "two").await;

    let a = search_outbox::claim(db, "relay-a", 500, 60_000).await.unwrap();
    let mut both = vec![x.clone(), y.clone()];
    both.sort();
    assert_eq!(a.conversations, both);
    assert!(!a.rows.is_empty());
    assert!(search_outbox::claim(db, "relay-b", 500, 60_000).await.unwrap().rows.is_empty());

    // A change made while relay a holds the conversation waits for a, not for b.
    app.say(&p[0].1, &x, "three").await;
    let b = search_outbox::claim(db, "relay-b", 500, 60_000).await.unwrap();
    assert!(b.rows.is_empty() && b.conversations.is_empty(), "{b:?}");

    // Once a is done, b takes over the new change.
    search_outbox::complete(db, &ids(&a)).await.unwrap();
    search_outbox::unclaim(db, "relay-a", &a.conversations).await.unwrap();
    let b = search_outbox::claim(db, "relay-b", 500, 60_000).await.unwrap();
    assert_eq!(b.conversations, vec![x.clone()]);
    assert_eq!(b.rows.len(), 1);
    assert!(!search_outbox::renew(db, "relay-a", &b.conversations, 60_000).await.unwrap(), "a no longer holds it");
    assert!(search_outbox::renew(db, "relay-b", &b.conversations, 60_000).await.unwrap());

    // A relay that stalls past its lease loses the conversation to the next one, and can
    // tell before it sends anything.
    search_outbox::renew(db, "relay-b", &b.conversations, -1).await.unwrap();
    search_outbox::release(db, &ids(&b), 0).await.unwrap();
    let c = search_outbox::claim(db, "relay-c", 500, 60_000).await.unwrap();
    assert_eq!(c.conversations, vec![x.clone()]);
    assert_eq!(ids(&c), ids(&b));
    assert!(!search_outbox::renew(db, "relay-b", &b.conversations, 60_000).await.unwrap());
}

#[tokio::test]
async fn relays_claiming_at_the_same_moment_split_the_conversations_between_them() {
    let app = app_without_a_relay().await;
    let db = &app.state.db;
    app.lift_message_limits().await;
    let p = people(&app, &["ann", "bob"]).await;
    for n in 0..12 {
        let group = s(&app.group(&p[0].1, &format!("group {n}"), &[p[1].0.as_str()]).await["id"]).to_owned();
        app.say(&p[n % 2].1, &group, "hello").await;
    }
    let (total_rows, _) = search_outbox::depth(db).await.unwrap();
    let relays = ["relay-a", "relay-b", "relay-c", "relay-d"];
    let claims = join_all(relays.iter().map(|holder| search_outbox::claim(db, holder, 500, 60_000))).await;
    let claims: Vec<Claimed> = claims.into_iter().map(Result::unwrap).collect();
    let mut conversations: Vec<&String> = claims.iter().flat_map(|c| &c.conversations).collect();
    let held = conversations.len();
    conversations.sort();
    conversations.dedup();
    assert_eq!(conversations.len(), held, "no conversation is held twice: {claims:?}");
    let mut rows: Vec<i64> = claims.iter().flat_map(ids).collect();
    let claimed = rows.len();
    rows.sort();
    rows.dedup();
    assert_eq!(rows.len(), claimed, "no row is claimed twice");
    // Whatever a relay lost to another at that moment, the rows left are claimed next time.
    let mut rest = 0;
    for holder in relays {
        rest += search_outbox::claim(db, holder, 500, 60_000).await.unwrap().rows.len();
    }
    assert_eq!((claimed + rest) as i64, total_rows);
}

#[tokio::test]
async fn several_processes_relaying_at_once_leave_every_message_in_its_last_state() {
    let Some(app) = meili_app("several_processes_relaying_at_once_leave_every_message_in_its_last_state").await else { return };
    let others = [app.restart_with(|_| {}).await, app.restart_with(|_| {}).await];
    let servers = [&app, &others[0], &others[1]];
    app.lift_message_limits().await;
    let p = people(&app, &["ann", "bob"]).await;
    let mut messages = Vec::new();
    for g in 0..4 {
        let group = s(&app.group(&p[0].1, &format!("relay group {g}"), &[p[1].0.as_str()]).await["id"]).to_owned();
        for n in 0..5 {
            let server = servers[(g + n) % servers.len()];
            messages.push(s(&server.say(&p[n % 2].1, &group, &format!("draft alpha start {g} {n}")).await["id"]).to_owned());
        }
    }
    // Every message edited four times, each edit through another process, all messages at
    // once: the relays of all three see rows of the same conversations at the same time.
    let edits = messages.iter().enumerate().map(|(i, id)| {
        let (servers, token) = (&servers, if i % 5 % 2 == 0 { &p[0].1 } else { &p[1].1 });
        async move {
            for round in 0..4 {
                let body = if round == 3 { format!("settled omega {i}") } else { format!("draft alpha round {round}") };
                let reply = servers[(i + round) % servers.len()]
                    .patch(&format!("/v1/chat/messages/{id}"))
                    .bearer(token)
                    .json(json!({"body": body}))
                    .send()
                    .await;
                assert_eq!(reply.status, 200, "{}", reply.text);
            }
        }
    });
    join_all(edits).await;

    until(&app, &format!("{}&per_page=100", search("omega")), &p[0].1, |b| total(b) == messages.len() as i64).await;
    let start = Instant::now();
    while search_outbox::depth(&app.state.db).await.unwrap().0 > 0 {
        assert!(start.elapsed() < Duration::from_secs(60), "the outbox never drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stale = app.get(&search("alpha")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(total(&stale.body), 0, "an older state reached the index last: {}", stale.text);
}

#[tokio::test]
async fn with_the_databases_own_index_changes_write_no_outbox_rows() {
    // A relay that looks at the outbox once an hour: any row written would still be there.
    let app = spawn_app_with(|c| c.search_relay_idle_ms = 3_600_000).await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let m = app.say(&p[0].1, &id, "nothing for the outbox").await;
    let path = format!("/v1/chat/messages/{}", s(&m["id"]));
    app.patch(&path).bearer(&p[0].1).json(json!({"body": "still nothing"})).send().await.expect(200, None);
    // The database's own index followed the edit by itself.
    let (app, reader) = (&app, p[1].1.clone());
    let found = |q: &'static str| {
        let reader = reader.clone();
        async move {
            let reply = app.get(&format!("/v1/chat/messages/search?q={q}")).bearer(&reader).send().await.expect(200, None);
            reply.data().as_array().unwrap().len()
        }
    };
    assert_eq!((found("still").await, found("outbox").await), (1, 0));
    app.delete(&format!("{path}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    assert_eq!(found("still").await, 0);
    assert_eq!(search_outbox::depth(&app.state.db).await.unwrap().0, 0);
}
