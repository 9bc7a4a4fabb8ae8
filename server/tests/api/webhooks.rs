//! Webhooks: admins register endpoints for events; each event is captured in the database and
//! POSTed by a background worker to a real receiver running inside the test, signed with
//! the endpoint's secret, retried with the same delivery id after a failure, listed with its
//! last answer and replayable. Retries are made fast through the configuration.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_delivery_is_signed_over_timestamp_and_body_with_the_endpoint_secret() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]).await;
    let (webhook_id, secret) = register(&app, &receiver.url, &["message.new"]).await;
    assert!(secret.starts_with("whsec_"));
    let (token, conversation_id) = chat(&app).await;
    let message = app.say(&token, &conversation_id, "hello hooks").await;

    let got = receiver.wait_for(1).await.remove(0);
    assert_eq!(got.signatures(), [hmac_hex(&secret, got.header("confab-timestamp"), &got.body)]);
    assert_eq!(got.header("confab-attempt"), "1");
    let body = got.json();
    assert_eq!(body["type"], "message.new");
    assert_eq!(body["tenant_id"], app.tenant_of(s(&message["sender_id"])).await);
    assert_eq!(body["data"]["message"]["body"], "hello hooks");
    assert!(body["id"].is_string() && body["created_at"].is_string());
    let listed = delivery_with_status(&app, &webhook_id, "delivered").await;
    assert_eq!(listed["id"], got.header("confab-delivery-id"));
    assert_eq!(listed["last_status_code"], 200);
    assert_eq!(listed["last_response"], "thanks");
}

#[tokio::test]
async fn a_retry_after_a_500_carries_the_same_delivery_id_and_the_next_attempt_number() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[Answer::Fail]).await;
    let (webhook_id, _) = register(&app, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "retry me").await;

    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].header("confab-delivery-id"), got[1].header("confab-delivery-id"));
    assert_eq!(got[0].body, got[1].body);
    assert_eq!((got[0].header("confab-attempt"), got[1].header("confab-attempt")), ("1", "2"));
    let listed = delivery_with_status(&app, &webhook_id, "delivered").await;
    assert_eq!(listed["attempts"], 2);
    assert!(app.state.metrics.webhooks.failed_attempts.get() >= 1);
    let metrics = app.get("/metrics").send().await.text;
    assert!(!metrics.contains("confab_webhook_failed_attempts_total 0\n"), "{metrics}");
}

#[tokio::test]
async fn failing_deliveries_are_listed_pending_with_their_last_response_and_counted_in_the_queue() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[Answer::Fail; 100]).await;
    let (webhook_id, _) = register(&app, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "will fail").await;
    receiver.wait_for(2).await;

    let listed = deliveries(&app, &webhook_id).await.remove(0);
    assert_eq!(listed["status"], "pending");
    assert!(listed["attempts"].as_i64().unwrap() >= 1);
    assert_eq!(listed["last_status_code"], 500);
    assert_eq!(listed["last_response"], "boom");
    assert!(listed["last_error"].as_str().unwrap().contains("500"));
    assert!(listed["next_attempt_at"].is_string());
    let metrics = app.get("/metrics").send().await.text;
    assert!(metrics.contains("confab_webhook_queue_depth 1\n"), "the queue depth is on /metrics: {metrics}");
}

#[tokio::test]
async fn a_delivery_past_its_retry_window_is_marked_failed() {
    let app = spawn_app_with(|c| {
        c.webhook_allow_private = true;
        c.webhook_backoff_base_ms = 2_000;
        c.webhook_idle_ms = 20;
        c.webhook_retry_window_seconds = 1;
    })
    .await;
    let receiver = Receiver::start(&[Answer::Fail; 10]).await;
    let (webhook_id, _) = register(&app, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "give up").await;

    let listed = delivery_with_status(&app, &webhook_id, "failed").await;
    assert_eq!(listed["attempts"], 1);
    assert!(listed["next_attempt_at"].is_null());
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign_and_no_read_shows_a_secret() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]).await;
    let (webhook_id, old) = register(&app, &receiver.url, &["message.new"]).await;
    let rotated = app.post(&format!("/v1/webhooks/{webhook_id}/rotate-secret")).key(&app.secret_key).send().await.expect(200, None);
    let new = s(&rotated.data()["secret"]).to_owned();
    assert_ne!(new, old);
    assert!(rotated.data()["previous_secret_expires_at"].is_string());
    let read = app.get(&format!("/v1/webhooks/{webhook_id}")).key(&app.secret_key).send().await.expect(200, None);
    assert!(read.data().get("secret").is_none());
    let list = app.get("/v1/webhooks").key(&app.secret_key).send().await.expect(200, None);
    assert!(!list.text.contains("whsec_") && !read.text.contains("whsec_"));

    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "two signatures").await;
    let got = receiver.wait_for(1).await.remove(0);
    let timestamp = got.header("confab-timestamp");
    assert_eq!(got.signatures(), [hmac_hex(&new, timestamp, &got.body), hmac_hex(&old, timestamp, &got.body)]);
}

#[tokio::test]
async fn a_replay_sends_the_same_delivery_again_as_its_next_attempt() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]).await;
    let (webhook_id, _) = register(&app, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "replay me").await;
    let first = receiver.wait_for(1).await.remove(0);
    let delivered = delivery_with_status(&app, &webhook_id, "delivered").await;

    let path = format!("/v1/webhooks/{webhook_id}/deliveries/{}/replay", s(&delivered["id"]));
    let replayed = app.post(&path).key(&app.secret_key).send().await.expect(200, None);
    assert_eq!(replayed.data()["status"], "pending");
    let again = receiver.wait_for(2).await.remove(1);
    assert_eq!(again.header("confab-delivery-id"), first.header("confab-delivery-id"));
    assert_eq!(again.header("confab-attempt"), "2");
    assert_eq!(again.body, first.body);
    delivery_with_status(&app, &webhook_id, "delivered").await;
}

#[tokio::test]
async fn a_hanging_receiver_does_not_hold_up_a_send() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[Answer::Hang; 10]).await;
    let (webhook_id, _) = register(&app, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "first").await;
    receiver.wait_for(1).await;

    // The worker is stuck on the receiver; sends go on regardless, and so does the fan-out.
    app.say(&token, &conversation_id, "second").await;
    let listed = deliveries_counting(&app, &webhook_id, 2).await;
    assert!(listed.iter().all(|d| d["status"] == "pending"), "{listed:?}");
}

#[tokio::test]
async fn loopback_and_private_urls_are_refused_without_the_operator_flag() {
    let app = spawn_app().await;
    for url in ["http://127.0.0.1:9/hook", "http://localhost:8080/hook", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/"] {
        let reply = app.post("/v1/webhooks").key(&app.secret_key).json(json!({"url": url, "events": ["message.new"]})).send().await;
        let reply = reply.expect(422, Some("validation_failed"));
        assert!(reply.body["fields"]["url"].is_string(), "{url}: {}", reply.text);
    }
}

#[tokio::test]
async fn users_below_admin_may_not_manage_webhooks() {
    let app = webhook_app().await;
    let (webhook_id, _) = register(&app, "http://127.0.0.1:9/hook", &["message.new"]).await;
    let (_, moderator) = app.user_with_token("wh-moderator", "moderator").await;
    let body = json!({"url": "http://127.0.0.1:9/x", "events": ["message.new"]});
    app.post("/v1/webhooks").bearer(&moderator).json(body).send().await.expect(403, Some("forbidden"));
    app.get("/v1/webhooks").bearer(&moderator).send().await.expect(403, Some("forbidden"));
    app.get(&format!("/v1/webhooks/{webhook_id}/deliveries")).bearer(&moderator).send().await.expect(403, Some("forbidden"));
    let (_, admin) = app.user_with_token("wh-admin", "admin").await;
    app.get(&format!("/v1/webhooks/{webhook_id}")).bearer(&admin).send().await.expect(200, None);
}

#[tokio::test]
async fn another_tenant_cannot_see_or_touch_an_endpoint() {
    let app = webhook_app().await;
    let (webhook_id, _) = register(&app, "http://127.0.0.1:9/hook", &["message.new"]).await;
    let (_, outsider) = app.outsider("wh-other", "admin").await;
    let base = format!("/v1/webhooks/{webhook_id}");
    app.get(&base).bearer(&outsider).send().await.expect(404, Some("not_found"));
    app.patch(&base).bearer(&outsider).json(json!({"enabled": false})).send().await.expect(404, Some("not_found"));
    app.post(&format!("{base}/rotate-secret")).bearer(&outsider).send().await.expect(404, Some("not_found"));
    app.get(&format!("{base}/deliveries")).bearer(&outsider).send().await.expect(404, Some("not_found"));
    app.delete(&base).bearer(&outsider).send().await.expect(404, Some("not_found"));
    let listed = app.get("/v1/webhooks").bearer(&outsider).send().await.expect(200, None);
    assert_eq!(listed.body["pagination"]["total"], 0);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_4xx_envelope() {
    let app = webhook_app().await;
    let (webhook_id, _) = register(&app, "http://127.0.0.1:9/hook", &["message.new"]).await;
    for body in [
        json!({"url": "http://127.0.0.1:9/", "events": ["message.exploded"]}),
        json!({"url": "http://127.0.0.1:9/", "events": []}),
        json!({"url": "not a url", "events": ["message.new"]}),
        json!({"url": "ftp://127.0.0.1/", "events": ["message.new"]}),
        json!({"url": "http://127.0.0.1:9/", "events": ["message.new"], "description": "x".repeat(501)}),
        json!({"events": ["message.new"]}),
    ] {
        let reply = app.post("/v1/webhooks").key(&app.secret_key).json(body.clone()).send().await;
        assert!(reply.status.is_client_error(), "{body}: {}", reply.text);
        assert_eq!(reply.body["success"], false, "{}", reply.text);
    }
    let patch = app.patch(&format!("/v1/webhooks/{webhook_id}")).key(&app.secret_key);
    patch.json(json!({"url": "gopher://x"})).send().await.expect(422, Some("validation_failed"));
    app.get("/v1/webhooks/not-an-id").key(&app.secret_key).send().await.expect(400, Some("bad_request"));
    let replay = format!("/v1/webhooks/{webhook_id}/deliveries/01ARZ3NDEKTSV4RRFFQ69G5FAV/replay");
    app.post(&replay).key(&app.secret_key).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn endpoints_receive_only_the_events_they_subscribed_to() {
    let app = webhook_app().await;
    let messages = Receiver::start(&[]).await;
    let lifecycle = Receiver::start(&[]).await;
    let (messages_id, _) = register(&app, &messages.url, &["message.new"]).await;
    register(&app, &lifecycle.url, &["conversation.created", "user.created"]).await;

    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "only for the message endpoint").await;
    let got = messages.wait_for(1).await;
    let lifecycle_got = lifecycle.wait_for(3).await;
    let kinds: Vec<String> = lifecycle_got.iter().map(|r| s(&r.json()["type"]).to_owned()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "user.created").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "conversation.created").count(), 1, "{kinds:?}");
    assert!(got.iter().all(|r| r.json()["type"] == "message.new"));

    // Switched off, an endpoint gets nothing queued: the send writes no delivery for it.
    app.patch(&format!("/v1/webhooks/{messages_id}")).key(&app.secret_key).json(json!({"enabled": false})).send().await.expect(200, None);
    let before = deliveries(&app, &messages_id).await.len();
    let witness = Receiver::start(&[]).await;
    register(&app, &witness.url, &["message.new"]).await;
    app.say(&token, &conversation_id, "only the witness hears this").await;
    // Once the witness has it, the event was fanned out: to it alone.
    assert_eq!(witness.wait_for(1).await[0].json()["data"]["message"]["body"], "only the witness hears this");
    assert_eq!(deliveries(&app, &messages_id).await.len(), before);
}

#[tokio::test]
async fn endpoints_are_changed_removed_and_audited() {
    let app = webhook_app().await;
    let (webhook_id, _) = register(&app, "http://127.0.0.1:9/hook", &["message.new"]).await;
    let path = format!("/v1/webhooks/{webhook_id}");
    let changed = app
        .patch(&path)
        .key(&app.secret_key)
        .json(json!({"url": "http://127.0.0.1:10/other", "events": ["ticket.created", "ticket.updated"], "enabled": false, "description": "CRM"}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(changed.data()["url"], "http://127.0.0.1:10/other");
    assert_eq!(changed.data()["events"], json!(["ticket.created", "ticket.updated"]));
    assert_eq!(changed.data()["enabled"], false);
    assert_eq!(changed.data()["description"], "CRM");
    app.post(&format!("{path}/rotate-secret")).key(&app.secret_key).send().await.expect(200, None);
    app.delete(&path).key(&app.secret_key).send().await.expect(204, None);
    app.get(&path).key(&app.secret_key).send().await.expect(404, Some("not_found"));

    for action in ["webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.delete"] {
        let log = app.get(&format!("/v1/admin/audit-log?action={action}&target={webhook_id}")).key(&app.secret_key).send().await;
        let log = log.expect(200, None);
        assert_eq!(log.data().as_array().unwrap().len(), 1, "{action}: {}", log.text);
        assert!(!log.text.contains("whsec_"), "{}", log.text);
    }
}
