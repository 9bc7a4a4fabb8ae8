//! What webhooks promise beyond one happy delivery: an event is captured by the change's own
//! statement, so it survives the process that made it; every kind of change is captured
//! with what it names; a stale credential manages nothing; and racing changes to one
//! endpoint, or a replay racing its delivery, answer cleanly and leave a whole endpoint.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

/// The received events by type.
fn by_type(received: &[Received]) -> HashMap<String, Vec<Value>> {
    let mut kinds: HashMap<String, Vec<Value>> = HashMap::new();
    for event in received.iter().map(Received::json) {
        kinds.entry(s(&event["type"]).to_owned()).or_default().push(event["data"].clone());
    }
    kinds
}

#[tokio::test]
async fn an_event_outlives_a_process_without_workers_and_goes_out_from_the_next_one() {
    let quiet = webhook_app_with(|c| c.webhook_workers = false).await;
    let receiver = Receiver::start(&[]).await;
    let (webhook_id, _) = register(&quiet, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&quiet).await;
    quiet.say(&token, &conversation_id, "kept in the database").await;

    // The send's own statement captured the event; nothing here turns it into a delivery.
    assert_eq!(quiet.metrics().await.value("confab_webhook_events_pending", &[]), 1.0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(deliveries(&quiet, &webhook_id).await.is_empty());
    assert!(receiver.received().is_empty());

    let worker = quiet.restart_with(|c| c.webhook_workers = true).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["data"]["message"]["body"], "kept in the database");
    let scrape = worker.metrics_until("the event to be fanned out", |m| m.value("confab_webhook_events_pending", &[]) == 0.0).await;
    assert_eq!(scrape.value("confab_webhook_events_pending", &[]), 0.0);
}

#[tokio::test]
async fn every_kind_of_change_is_captured_with_what_it_names() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]).await;
    let all = [
        "message.new",
        "message.updated",
        "message.deleted",
        "conversation.created",
        "member.added",
        "member.removed",
        "ticket.created",
        "ticket.updated",
        "report.created",
        "user.created",
    ];
    register(&app, &receiver.url, &all).await;
    let people = people(&app, &["gx-owner", "gx-first", "gx-late"]).await;
    let (owner, first, late) = (&people[0], &people[1], &people[2]);
    let (_, agent) = app.user_with_token("gx-agent", "staff").await;

    let group = app.group(&owner.1, "Events", &[&first.0]).await;
    let group_id = s(&group["id"]);
    let members = format!("/v1/chat/conversations/{group_id}/participants");
    app.post(&members).bearer(&owner.1).json(json!({"user_ids": [late.0]})).send().await.expect(201, None);
    app.delete(&format!("{members}/{}", late.0)).bearer(&owner.1).send().await.expect(204, None);
    let message = app.say(&first.1, group_id, "to be edited").await;
    let message_path = format!("/v1/chat/messages/{}", s(&message["id"]));
    app.patch(&message_path).bearer(&first.1).json(json!({"body": "edited"})).send().await.expect(200, None);
    app.post("/v1/chat/reports")
        .bearer(&owner.1)
        .json(json!({"message_id": message["id"], "reason": "spam"}))
        .send()
        .await
        .expect(201, None);
    app.delete(&format!("{message_path}?scope=for_everyone")).bearer(&first.1).send().await.expect(204, None);
    let ticket = app
        .post("/v1/tickets")
        .bearer(&first.1)
        .json(json!({"subject": "Help", "initial_message": "please"}))
        .send()
        .await
        .expect(201, None);
    let ticket_id = s(&ticket.data()["id"]).to_owned();
    app.patch(&format!("/v1/tickets/{ticket_id}")).bearer(&agent).json(json!({"status": "pending"})).send().await.expect(200, None);

    // 4 users, the group and the ticket's conversation, 3 messages (the ticket's status
    // change is told in its conversation), then one of each other kind.
    let kinds = by_type(&receiver.wait_for(16).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let kinds_after = by_type(&receiver.received());
    assert_eq!(kinds, kinds_after, "no event came twice or late");
    let count = |kind: &str| kinds.get(kind).map_or(0, Vec::len);
    assert_eq!(count("user.created"), 4);
    assert_eq!(count("conversation.created"), 2);
    assert_eq!(count("message.new"), 3, "{:?}", kinds.get("message.new"));
    for kind in
        ["message.updated", "message.deleted", "member.added", "member.removed", "ticket.created", "ticket.updated", "report.created"]
    {
        assert_eq!(count(kind), 1, "{kind}: {kinds:?}");
    }
    // A conversation's first members come with conversation.created, not member.added.
    assert_eq!(kinds["member.added"][0], json!({"conversation_id": group_id, "user_id": late.0}));
    assert_eq!(kinds["member.removed"][0], json!({"conversation_id": group_id, "user_id": late.0}));
    assert_eq!(kinds["message.updated"][0]["message"]["id"], message["id"]);
    assert_eq!(kinds["message.deleted"][0]["message"]["deleted"], true);
    assert_eq!(kinds["report.created"][0]["target_id"], message["id"]);
    assert_eq!(kinds["ticket.created"][0]["ticket_id"], ticket_id);
    assert_eq!(kinds["ticket.updated"][0]["status"], "pending");
}

#[tokio::test]
async fn a_stale_credential_manages_no_webhooks() {
    let app = webhook_app().await;
    // A revoked secret key.
    let created =
        app.post("/v1/api-keys").key(&app.secret_key).json(json!({"name": "hooks", "kind": "secret"})).send().await.expect(201, None);
    let key = s(&created.data()["key"]).to_owned();
    app.get("/v1/webhooks").key(&key).send().await.expect(200, None);
    app.delete(&format!("/v1/api-keys/{}", s(&created.data()["id"]))).key(&app.secret_key).send().await.expect(204, None);
    let body = json!({"url": "http://127.0.0.1:9/hook", "events": ["message.new"]});
    app.post("/v1/webhooks").key(&key).json(body.clone()).send().await.expect(401, Some("unauthorized"));

    // An admin demoted since their token was minted.
    let (admin, token) = app.user_with_token("wh-admin", "admin").await;
    let (webhook_id, _) = register(&app, "http://127.0.0.1:9/hook", &["message.new"]).await;
    app.get(&format!("/v1/webhooks/{webhook_id}")).bearer(&token).send().await.expect(200, None);
    let demote = app.patch(&format!("/v1/admin/users/{}", s(&admin["id"]))).key(&app.secret_key).json(json!({"role": "user"}));
    demote.send().await.expect(200, None);
    app.get(&format!("/v1/webhooks/{webhook_id}")).bearer(&token).send().await.expect(403, Some("forbidden"));
    let rotate = format!("/v1/webhooks/{webhook_id}/rotate-secret");
    app.post(&rotate).bearer(&token).send().await.expect(403, Some("forbidden"));
    app.delete(&format!("/v1/webhooks/{webhook_id}")).bearer(&token).send().await.expect(403, Some("forbidden"));

    // A signed-out session.
    let tokens = app.login_admin().await;
    let access = s(&tokens["access_token"]);
    app.get("/v1/webhooks").bearer(access).send().await.expect(200, None);
    app.post("/v1/auth/logout").bearer(access).json(json!({"refresh_token": tokens["refresh_token"]})).send().await.expect(204, None);
    app.post("/v1/webhooks").bearer(access).json(body).send().await.expect(401, Some("unauthorized"));
    // The endpoint is as it was: none of the refused calls touched it.
    app.get(&format!("/v1/webhooks/{webhook_id}")).key(&app.secret_key).send().await.expect(200, None);
}

#[tokio::test]
async fn racing_changes_to_one_endpoint_all_answer_and_leave_one_whole_version() {
    let app = webhook_app().await;
    let (webhook_id, _) = register(&app, "http://127.0.0.1:9/hook", &["message.new"]).await;
    let path = format!("/v1/webhooks/{webhook_id}");
    let url = format!("{}{path}", app.address);
    let versions: Vec<Value> = (0..8)
        .map(|i| {
            let events = if i % 2 == 0 { json!(["ticket.created"]) } else { json!(["report.created", "user.created"]) };
            json!({"url": format!("http://127.0.0.1:9/v{i}"), "events": events, "description": format!("version {i}")})
        })
        .collect();
    let requests = versions.iter().map(|v| app.client.patch(&url).header("x-api-key", &app.secret_key).json(v)).collect();
    let (ids, created) = race(requests).await;
    assert_eq!((ids.len(), created), (1, 0));

    let now = app.get(&path).key(&app.secret_key).send().await.expect(200, None).data().clone();
    let whole = versions.iter().any(|v| v["url"] == now["url"] && v["events"] == now["events"] && v["description"] == now["description"]);
    assert!(whole, "the endpoint mixes versions: {now}");

    // A removal racing changes: each answers 200, 204 or 404, and the endpoint is gone.
    let mut racers: Vec<reqwest::RequestBuilder> =
        versions.iter().map(|v| app.client.patch(&url).header("x-api-key", &app.secret_key).json(v)).collect();
    racers.insert(4, app.client.delete(&url).header("x-api-key", &app.secret_key));
    let handles: Vec<_> = racers.into_iter().map(|r| tokio::spawn(async move { r.send().await.unwrap().status().as_u16() })).collect();
    for handle in handles {
        let status = handle.await.unwrap();
        assert!([200, 204, 404].contains(&status), "status {status}");
    }
    app.get(&path).key(&app.secret_key).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn a_replay_while_its_delivery_is_being_sent_is_a_409_and_works_once_the_attempt_is_recorded() {
    // Retried only after a minute, so the one attempt after the hang is the replay's.
    let app = webhook_app_with(|c| {
        c.webhook_backoff_base_ms = 60_000;
        c.webhook_backoff_max_ms = 60_000;
    })
    .await;
    let receiver = Receiver::start(&[Answer::Hang]).await;
    let (webhook_id, _) = register(&app, &receiver.url, &["message.new"]).await;
    let (token, conversation_id) = chat(&app).await;
    app.say(&token, &conversation_id, "replayed").await;
    receiver.wait_for(1).await;

    // The worker holds the delivery while the receiver hangs.
    let delivery = deliveries(&app, &webhook_id).await.remove(0);
    let replay = format!("/v1/webhooks/{webhook_id}/deliveries/{}/replay", s(&delivery["id"]));
    app.post(&replay).key(&app.secret_key).send().await.expect(409, Some("conflict"));

    // The attempt times out and is recorded; the replay then goes through as attempt 2.
    let failed = delivery_where(&app, &webhook_id, |d| d["last_error"].is_string()).await;
    assert_eq!(failed["attempts"], 1);
    app.post(&replay).key(&app.secret_key).send().await.expect(200, None);
    let again = receiver.wait_for(2).await;
    assert_eq!(again[1].header("confab-delivery-id"), s(&delivery["id"]));
    assert_eq!(again[1].header("confab-attempt"), "2");
}
