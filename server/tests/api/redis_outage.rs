//! Redis dies and comes back: each process goes on alone meanwhile (REST, its own sockets,
//! sign-ins), says it is not ready, subscribes again by itself, and then tells its sockets
//! to `resync`, so no listener silently misses what another process published meanwhile.
//! Each test runs its own Redis (SQLite or PostgreSQL, as the suite runs).

use std::time::Duration;

use confab_server::config::Secret;
use serde_json::json;

use crate::helpers::*;

/// Waits (up to 15 s) until `/readyz` answers `status`.
async fn until_readyz(app: &TestApp, status: u16) -> Reply {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let reply = app.get("/readyz").send().await;
        if reply.status == status || tokio::time::Instant::now() > deadline {
            assert_eq!(reply.status, status, "{}", reply.text);
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A send that must answer within five seconds, outage or not.
async fn say_promptly(app: &TestApp, token: &str, conversation_id: &str, body: &str) -> serde_json::Value {
    tokio::time::timeout(Duration::from_secs(5), app.say(token, conversation_id, body)).await.expect("a send answers within 5 s")
}

/// The next frame of `kind` within `secs` seconds (a socket's `next` waits five at a time).
async fn within(ws: &mut Ws, kind: &str, secs: u64) -> serde_json::Value {
    tokio::time::timeout(Duration::from_secs(secs), ws.next_of(kind)).await.unwrap_or_else(|_| panic!("no {kind} within {secs} s"))
}

#[tokio::test]
async fn without_redis_a_process_keeps_serving_rest_and_its_own_sockets_and_says_it_is_not_ready() {
    let Some(mut redis) = PrivateRedis::start() else { return };
    let url = redis.url();
    let app = spawn_app_with(|c| c.redis_url = Some(Secret::new(url))).await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob = app.ws(&p[1].1).await;
    app.say(&p[0].1, &id, "before").await;
    assert_eq!(bob.next_of("new_message").await["message"]["body"], "before");

    redis.kill();
    let ready = until_readyz(&app, 503).await;
    assert_eq!(ready.body["status"], "not_ready");
    assert_eq!(
        (ready.body["bus"].clone(), ready.body["limiter"].clone(), ready.body["database"].clone()),
        (json!(false), json!(false), json!(true))
    );
    say_promptly(&app, &p[0].1, &id, "during").await;
    assert_eq!(bob.next_of("new_message").await["message"]["body"], "during", "this process's own sockets still hear it");
    let mut ann = app.ws(&p[0].1).await;
    ann.send(json!({"type": "message", "conversation_id": id, "body": "by socket", "client_msg_id": "c1"})).await;
    assert_eq!(ann.next_of("ack").await["message"]["body"], "by socket");
    assert_eq!(bob.next_of("new_message").await["message"]["body"], "by socket");
    let signed_in = tokio::time::timeout(Duration::from_secs(5), app.login("default", "admin@localhost", BOOTSTRAP_PASSWORD)).await;
    signed_in.expect("a sign-in answers within 5 s").expect(200, None);

    redis.restart();
    within(&mut bob, "resync", 15).await;
    until_readyz(&app, 200).await;
    app.say(&p[0].1, &id, "after").await;
    assert_eq!(bob.next_of("new_message").await["message"]["body"], "after");
    let bodies: Vec<_> = app.history(&p[1].1, &id).await.iter().map(|m| m["body"].clone()).collect();
    assert_eq!(bodies, vec![json!("before"), json!("during"), json!("by socket"), json!("after")]);
}

#[tokio::test]
async fn a_listener_on_another_process_is_told_to_resync_and_sync_returns_what_it_missed() {
    let Some(mut redis) = PrivateRedis::start() else { return };
    let url = redis.url();
    let one = spawn_app_with(|c| c.redis_url = Some(Secret::new(url))).await;
    let two = one.restart_with(|_| {}).await;
    let p = people(&one, &["ann", "bob"]).await;
    let id = s(&one.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob = one.ws(&p[1].1).await;
    let first = two.say(&p[0].1, &id, "through redis").await;
    assert_eq!(bob.next_of("new_message").await["message"]["body"], "through redis", "the processes share events");

    redis.kill();
    until_readyz(&two, 503).await;
    say_promptly(&two, &p[0].1, &id, "while redis was gone").await;
    redis.restart();
    within(&mut bob, "resync", 15).await;

    let reply = one
        .post("/v1/chat/messages/sync")
        .bearer(&p[1].1)
        .json(json!({"conversations": [{"conversation_id": id, "last_seq": first["seq"]}]}))
        .send()
        .await
        .expect(200, None);
    let missed = &reply.data()["conversations"][0]["messages"];
    assert_eq!(missed.as_array().map(Vec::len), Some(1), "{missed}");
    assert_eq!(missed[0]["body"], "while redis was gone");
    until_readyz(&two, 200).await;
    two.say(&p[0].1, &id, "shared again").await;
    assert_eq!(bob.next_of("new_message").await["message"]["body"], "shared again");
}
