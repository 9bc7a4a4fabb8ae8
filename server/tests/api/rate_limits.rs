//! Write rate limits: floods of sends, forwards, new conversations, upload URLs and signups are refused
//! with `rate_limited` and store nothing; limits are per user, per API key and per client
//! address, set by the tenant, and shared by every server process through Redis.

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, spawn_app_with, Reply, TestApp};

/// A bucket that lets `burst` writes through at once and then one a minute, so a quick
/// flood sees the burst and at most one more.
fn bucket(burst: u32) -> Value {
    json!({"per_minute": 1, "burst": burst})
}

async fn stored_in(app: &TestApp, conversation_id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1")
        .bind(conversation_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn send(app: &TestApp, token: &str, conversation_id: &str, body: &str) -> Reply {
    app.post(&format!("/v1/chat/conversations/{conversation_id}/messages")).bearer(token).json(json!({"body": body})).send().await
}

fn header(reply: &Reply, name: &str) -> u64 {
    let value = reply.headers.get(name).unwrap_or_else(|| panic!("{name} missing: {:?}", reply.headers));
    value.to_str().unwrap().parse().unwrap()
}

/// Asserts a 429 `rate_limited` with every header, for a bucket of `limit`.
fn assert_limited(reply: Reply, limit: u64) {
    let reply = reply.expect(429, Some("rate_limited"));
    let retry_after = header(&reply, "retry-after");
    assert!(retry_after >= 1);
    assert_eq!(header(&reply, "x-ratelimit-limit"), limit);
    assert_eq!(header(&reply, "x-ratelimit-remaining"), 0);
    assert!(header(&reply, "x-ratelimit-reset") >= retry_after);
}

#[tokio::test]
async fn a_send_flood_on_rest_is_refused_and_only_accepted_sends_are_stored() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.set_rate_limits(json!({"messages": {"per_user": bucket(5)}})).await;

    let (mut accepted, mut refused) = (0, None);
    for n in 0..40 {
        let reply = send(&app, &p[0].1, &id, &format!("flood {n}")).await;
        if reply.status == 201 {
            accepted += 1;
        } else {
            refused.get_or_insert(reply);
        }
    }
    assert!((5..=6).contains(&accepted), "the burst and at most one refilled token got through: {accepted}");
    assert_limited(refused.expect("some sends were refused"), 5);
    assert_eq!(stored_in(&app, &id).await, accepted);

    // The limit is Ann's own: Bob, in the same conversation and from the same address, sends.
    send(&app, &p[1].1, &id, "still here").await.expect(201, None);
    assert_eq!(stored_in(&app, &id).await, accepted + 1);
}

#[tokio::test]
async fn a_send_flood_on_the_socket_gets_error_frames_and_only_acked_sends_are_stored() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.set_rate_limits(json!({"messages": {"per_user": bucket(5)}})).await;

    let mut ws = app.ws(&p[0].1).await;
    for n in 0..40 {
        ws.send(json!({"type": "message", "conversation_id": id, "body": format!("flood {n}"), "client_msg_id": format!("c{n}")})).await;
    }
    let (mut acks, mut errors) = (0, 0);
    while acks + errors < 40 {
        let frame = ws.next().await.expect("the socket stays open");
        match frame["type"].as_str() {
            Some("ack") => acks += 1,
            Some("error") => {
                assert_eq!(frame["code"], "rate_limited", "{frame}");
                assert!(frame["retry_after"].as_u64().unwrap() >= 1, "{frame}");
                errors += 1;
            }
            _ => {}
        }
    }
    assert!((5..=6).contains(&acks), "the burst and at most one refilled token got through: {acks}");
    assert_eq!(stored_in(&app, &id).await, acks);

    // A socket refused for sending too fast still works for everything else.
    ws.send(json!({"type": "ping"})).await;
    ws.next_of("pong").await;
}

#[tokio::test]
async fn a_forward_takes_one_send_per_copy_and_stores_no_copy_when_refused() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cy", "dee"]).await;
    let mut targets = Vec::new();
    for (other, _) in &p[1..] {
        targets.push(s(&app.direct(&p[0].1, other).await["id"]).to_owned());
    }
    let original = app.say(&p[0].1, &targets[0], "pass it on").await;
    app.set_rate_limits(json!({"messages": {"per_user": bucket(4)}})).await;
    let forward = |ids: &[String]| {
        app.post("/v1/chat/messages/forward").bearer(&p[0].1).json(json!({"message_id": original["id"], "conversation_ids": ids}))
    };

    // More copies than the bucket could ever hold is a request to fix, not to wait out.
    let too_many: Vec<String> = targets.iter().chain(&targets[..2]).cloned().collect();
    forward(&too_many).send().await.expect(422, Some("validation_failed"));
    forward(&targets).send().await.expect(201, None);
    // Three copies took three of the four sends: two more copies do not fit, and neither is stored.
    assert_limited(forward(&targets[1..]).send().await, 4);
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE forwarded_from_id = $1")
        .bind(s(&original["id"]))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(total, 3);
}

#[tokio::test]
async fn opening_conversations_and_tickets_is_limited_and_a_refused_one_is_not_created() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cy"]).await;
    app.set_rate_limits(json!({"conversations": {"per_user": bucket(2)}})).await;
    app.direct(&p[0].1, &p[1].0).await;
    app.group(&p[0].1, "One", &[&p[1].0]).await;

    let count = |table: &'static str| {
        let pool = app.state.db.pool().clone();
        async move { sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap() }
    };
    let (conversations, tickets) = (count("conversations").await, count("tickets").await);
    let group = json!({"kind": "group", "name": "Two", "participant_ids": [p[1].0]});
    assert_limited(app.post("/v1/chat/conversations").bearer(&p[0].1).json(group).send().await, 2);
    assert_limited(app.post("/v1/chat/conversations").bearer(&p[0].1).json(json!({"user_id": p[2].0})).send().await, 2);
    let ticket = json!({"subject": "Help", "initial_message": "It broke"});
    assert_limited(app.post("/v1/tickets").bearer(&p[0].1).json(ticket.clone()).send().await, 2);
    assert_eq!((count("conversations").await, count("tickets").await), (conversations, tickets));

    // Bob opens his own.
    app.post("/v1/tickets").bearer(&p[1].1).json(ticket).send().await.expect(201, None);
}

#[tokio::test]
async fn upload_urls_are_limited_and_a_refused_one_reserves_nothing() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    app.set_rate_limits(json!({"uploads": {"per_user": bucket(2)}})).await;
    for n in 0..2 {
        app.ask_upload(&p[0].1, &format!("photo{n}.png"), "image/png", 1000).await.expect(201, None);
    }
    let media = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM media").fetch_one(app.state.db.pool()).await.unwrap() };
    let before = media().await;
    assert_limited(app.ask_upload(&p[0].1, "photo2.png", "image/png", 1000).await, 2);
    assert_eq!(media().await, before);
    // Bob's bucket is his own.
    app.ask_upload(&p[1].1, "photo.png", "image/png", 1000).await.expect(201, None);
}

#[tokio::test]
async fn writers_sharing_an_address_share_its_bucket() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.set_rate_limits(json!({"messages": {"per_address": bucket(3)}})).await;
    for n in 0..3 {
        send(&app, &p[n % 2].1, &id, "hi").await.expect(201, None);
    }
    // Every test client comes from 127.0.0.1: Bob is refused with Ann.
    assert_limited(send(&app, &p[0].1, &id, "hi").await, 3);
    assert_limited(send(&app, &p[1].1, &id, "hi").await, 3);
    assert_eq!(stored_in(&app, &id).await, 3);
}

#[tokio::test]
async fn writers_using_one_api_key_share_its_bucket() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.set_rate_limits(json!({"messages": {"per_api_key": bucket(2)}})).await;
    let via_key = |token: &str| {
        app.post(&format!("/v1/chat/conversations/{id}/messages")).bearer(token).key(&app.secret_key).json(json!({"body": "hi"}))
    };
    via_key(&p[0].1).send().await.expect(201, None);
    via_key(&p[1].1).send().await.expect(201, None);
    assert_limited(via_key(&p[0].1).send().await, 2);
    assert_limited(via_key(&p[1].1).send().await, 2);
    // Without the key, their own buckets still have room.
    send(&app, &p[1].1, &id, "hi").await.expect(201, None);
}

#[tokio::test]
async fn the_tenant_sets_its_limits_within_bounds() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();

    let tenant = app.get("/v1/tenant").key(&app.secret_key).send().await.expect(200, None);
    let limits = &tenant.data()["settings"]["rate_limits"];
    assert_eq!(limits["messages"]["per_user"], json!({"per_minute": 600, "burst": 20}), "a person cannot send 300 messages a second");
    assert!(limits["conversations"]["per_address"]["burst"].as_u64().unwrap() > 0);

    // Nobody may switch a bucket off or make it boundless.
    for bad in [json!({"per_minute": 0, "burst": 5}), json!({"per_minute": 60, "burst": 10_001}), json!({"per_minute": -1, "burst": 5})] {
        let reply = app
            .patch("/v1/tenant")
            .key(&app.secret_key)
            .json(json!({"settings": {"rate_limits": {"messages": {"per_user": bad}}}}))
            .send()
            .await;
        assert!(matches!(reply.status.as_u16(), 400 | 422), "{}", reply.text);
    }
    // A user may not change them at all.
    app.patch("/v1/tenant")
        .bearer(&p[0].1)
        .json(json!({"settings": {"rate_limits": {"messages": {"per_user": bucket(10_000)}}}}))
        .send()
        .await
        .expect(403, Some("forbidden"));

    let changed = app.set_rate_limits(json!({"messages": {"per_user": bucket(2)}})).await;
    assert_eq!(changed["messages"]["per_user"], bucket(2));
    assert_eq!(changed["messages"]["per_address"], json!({"per_minute": 3000, "burst": 100}), "other buckets stay");
    send(&app, &p[0].1, &id, "one").await.expect(201, None);
    send(&app, &p[0].1, &id, "two").await.expect(201, None);
    assert_limited(send(&app, &p[0].1, &id, "three").await, 2);

    // Raising the limit lets Ann write again at once.
    app.set_rate_limits(json!({"messages": {"per_user": bucket(50)}})).await;
    send(&app, &p[0].1, &id, "three").await.expect(201, None);
}

#[tokio::test]
async fn signups_are_limited_per_address_and_a_refused_one_creates_nothing() {
    let app = spawn_app_with(|c| {
        c.signup_burst = 2;
        c.signup_per_minute = 1;
    })
    .await;
    app.signup("first", "a@first.test").await;
    app.signup("second", "a@second.test").await;
    let body = json!({"tenant_name": "Third", "tenant_slug": "third", "email": "a@third.test", "password": "password-123"});
    assert_limited(app.post("/v1/auth/signup").json(body).send().await, 2);
    let third: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenants WHERE slug = 'third'").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(third, 0);
}

#[tokio::test]
async fn every_server_process_draws_from_the_same_buckets() {
    if std::env::var("CONFAB_TEST_REDIS_URL").is_err() {
        // One process's memory is its own; the shared buckets live in Redis.
        return;
    }
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.set_rate_limits(json!({"messages": {"per_user": bucket(4)}})).await;
    let other = app.restart_with(|_| {}).await;
    let mut accepted = 0;
    for n in 0..20 {
        let server = if n % 2 == 0 { &app } else { &other };
        if send(server, &p[0].1, &id, "hi").await.status == 201 {
            accepted += 1;
        }
    }
    assert!((4..=5).contains(&accepted), "two processes let through one bucket's worth: {accepted}");
    assert_limited(send(&other, &p[0].1, &id, "hi").await, 4);
    assert_eq!(stored_in(&app, &id).await, accepted);
}
