use serde_json::json;

use crate::helpers::{people, s, spawn_app};

#[tokio::test]
async fn text_and_file_messages_are_sent_with_seed_fields() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let text = app.say(&p[0].1, &id, "Hello! Ready for our session?").await;
    // Files may live only on origins the tenant allows.
    let origins = json!({"settings": {"allowed_file_origins": ["https://cdn.test"]}});
    app.patch("/v1/tenant").key(&app.secret_key).json(origins).send().await.expect(200, None);
    assert_eq!(text["seq"], 1);
    assert_eq!(text["type"], "text");
    assert_eq!(text["sender_id"], json!(p[0].0));
    assert_eq!(text["deleted"], false);
    let file = app
        .post(&format!("/v1/chat/conversations/{id}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "notes", "type": "file", "file_url": "https://cdn.test/doc.pdf",
                     "file_name": "session-notes.pdf", "file_size": 245760, "file_type": "application/pdf"}))
        .send()
        .await
        .expect(201, None);
    assert_eq!(file.data()["seq"], 2);
    assert_eq!(file.data()["file_size"], 245760);
    assert_eq!(file.data()["file_name"], "session-notes.pdf");
    app.post(&format!("/v1/chat/conversations/{id}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "no file", "type": "file"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    app.post(&format!("/v1/chat/conversations/{id}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "x", "type": "video"}))
        .send()
        .await
        .expect(400, Some("bad_request"));
}

#[tokio::test]
async fn empty_bodies_fail_and_long_ones_are_payload_too_large() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let path = format!("/v1/chat/conversations/{id}/messages");
    app.post(&path).bearer(&p[0].1).json(json!({"body": "   "})).send().await.expect(422, Some("validation_failed"));
    app.post(&path).bearer(&p[0].1).json(json!({"body": "x".repeat(4000)})).send().await.expect(201, None);
    app.post(&path).bearer(&p[0].1).json(json!({"body": "x".repeat(4001)})).send().await.expect(413, Some("payload_too_large"));
    app.patch("/v1/tenant").key(&app.secret_key).json(json!({"settings": {"max_message_length": 10}})).send().await.expect(200, None);
    app.post(&path).bearer(&p[0].1).json(json!({"body": "ten chars!"})).send().await.expect(201, None);
    app.post(&path).bearer(&p[0].1).json(json!({"body": "eleven chars"})).send().await.expect(413, Some("payload_too_large"));
}

#[tokio::test]
async fn replies_must_stay_in_their_conversation() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cy"]).await;
    let one = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let two = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    let first = app.say(&p[1].1, &one, "question?").await;
    let reply = app
        .post(&format!("/v1/chat/conversations/{one}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "answer", "reply_to_id": first["id"]}))
        .send()
        .await
        .expect(201, None);
    assert_eq!(reply.data()["reply_to_id"], first["id"]);
    app.post(&format!("/v1/chat/conversations/{two}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "wrong place", "reply_to_id": first["id"]}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn history_is_newest_first_by_page_and_by_cursor() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    for i in 1..=25 {
        app.say(&p[i % 2].1, &id, &format!("m{i}")).await;
    }
    let base = format!("/v1/chat/conversations/{id}/messages");
    let page = app.get(&base).bearer(&p[0].1).send().await.expect(200, None);
    let seqs: Vec<i64> = page.data().as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (6..=25).rev().collect::<Vec<_>>());
    assert_eq!(page.body["pagination"]["total"], 25);
    let page2 = app.get(&format!("{base}?page=2&per_page=20")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(page2.data().as_array().unwrap().len(), 5);
    assert_eq!(page2.data()[0]["seq"], 5);

    let before = app.get(&format!("{base}?before_seq=10&limit=3")).bearer(&p[0].1).send().await.expect(200, None);
    let seqs: Vec<i64> = before.data().as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![9, 8, 7]);
    let after = app.get(&format!("{base}?after_seq=20&limit=3")).bearer(&p[0].1).send().await.expect(200, None);
    let seqs: Vec<i64> = after.data().as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![23, 22, 21]);
    app.get(&format!("{base}?after_seq=1&before_seq=5")).bearer(&p[0].1).send().await.expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn eight_concurrent_senders_get_gap_free_unique_seqs() {
    let app = spawn_app().await;
    // Each sender sends faster than a person may: this is about ordering, not limits.
    app.lift_message_limits().await;
    let names: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let p = people(&app, &refs).await;
    let members: Vec<&str> = p[1..].iter().map(|(id, _)| id.as_str()).collect();
    let id = s(&app.group(&p[0].1, "Busy", &members).await["id"]).to_owned();
    let mut handles = Vec::new();
    for (_, token) in &p {
        let (client, url, token) = (app.client.clone(), format!("{}/v1/chat/conversations/{id}/messages", app.address), token.clone());
        handles.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..50 {
                let r = client.post(&url).bearer_auth(&token).json(&json!({"body": format!("n{n}")})).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 201);
                let body: serde_json::Value = r.json().await.unwrap();
                seqs.push(body["data"]["seq"].as_i64().unwrap());
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        let seqs = h.await.unwrap();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "each sender sees its own messages in order");
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=400).collect::<Vec<i64>>());
    let stored: Vec<i64> = sqlx::query_scalar("SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq")
        .bind(&id)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, (1..=400).collect::<Vec<i64>>());
}

#[tokio::test]
async fn a_retried_client_msg_id_returns_the_first_message_even_when_racing() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let path = format!("/v1/chat/conversations/{id}/messages");
    let first = app.post(&path).bearer(&p[0].1).json(json!({"body": "once", "client_msg_id": "c-1"})).send().await.expect(201, None);
    let again = app.post(&path).bearer(&p[0].1).json(json!({"body": "once", "client_msg_id": "c-1"})).send().await.expect(200, None);
    assert_eq!(first.data()["id"], again.data()["id"]);
    // Another sender may use the same key for their own message.
    app.post(&path).bearer(&p[1].1).json(json!({"body": "mine", "client_msg_id": "c-1"})).send().await.expect(201, None);

    let mut handles = Vec::new();
    for _ in 0..12 {
        let request =
            app.client.post(format!("{}{path}", app.address)).bearer_auth(&p[0].1).json(&json!({"body": "race", "client_msg_id": "c-2"}));
        handles.push(tokio::spawn(async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap();
            (status, body["data"]["id"].as_str().unwrap().to_owned())
        }));
    }
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for h in handles {
        let (status, id) = h.await.unwrap();
        created += usize::from(status == 201);
        ids.insert(id);
    }
    assert_eq!((ids.len(), created), (1, 1));
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1")
        .bind(&id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM messages WHERE conversation_id = $1")
        .bind(&id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!((count, last), (3, 3), "no duplicate and no gap");
}

#[tokio::test]
async fn senders_without_permission_or_blocked_get_403() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let path = format!("/v1/chat/conversations/{id}/messages");
    app.post(&format!("/v1/chat/users/{}/block", p[0].0)).bearer(&p[1].1).send().await.expect(204, None);
    app.post(&path).bearer(&p[0].1).json(json!({"body": "hello?"})).send().await.expect(403, Some("blocked"));
    // The blocker may still write; unblocking lets the other side write again.
    app.post(&path).bearer(&p[1].1).json(json!({"body": "bye"})).send().await.expect(201, None);
    app.delete(&format!("/v1/chat/users/{}/block", p[0].0)).bearer(&p[1].1).send().await.expect(204, None);
    app.post(&path).bearer(&p[0].1).json(json!({"body": "hello!"})).send().await.expect(201, None);

    app.patch(&format!("/v1/users/{}", p[0].0))
        .key(&app.secret_key)
        .json(json!({"permissions": {"can_send_message": false}}))
        .send()
        .await
        .expect(200, None);
    app.post(&path).bearer(&p[0].1).json(json!({"body": "silenced"})).send().await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn edits_are_for_the_author_with_permission_and_keep_edited_at() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let m = app.say(&p[0].1, &id, "typo").await;
    let mid = s(&m["id"]);
    assert_eq!(m["edited_at"], serde_json::Value::Null);
    let edited =
        app.patch(&format!("/v1/chat/messages/{mid}")).bearer(&p[0].1).json(json!({"body": "fixed"})).send().await.expect(200, None);
    assert_eq!(edited.data()["body"], "fixed");
    assert!(edited.data()["edited_at"].is_string());
    app.patch(&format!("/v1/chat/messages/{mid}"))
        .bearer(&p[1].1)
        .json(json!({"body": "hijack"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.patch(&format!("/v1/chat/messages/{mid}"))
        .bearer(&p[0].1)
        .json(json!({"body": ""}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    app.patch(&format!("/v1/users/{}", p[0].0))
        .key(&app.secret_key)
        .json(json!({"permissions": {"can_edit_message": false}}))
        .send()
        .await
        .expect(200, None);
    app.patch(&format!("/v1/chat/messages/{mid}"))
        .bearer(&p[0].1)
        .json(json!({"body": "again"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
}

#[tokio::test]
async fn deletes_for_me_and_for_everyone_follow_their_rules() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let (_, moderator) = app.user_with_token("mod", "moderator").await;
    let mod_id = s(&app.get("/v1/auth/me").bearer(&moderator).send().await.data()["user"]["id"]).to_owned();
    let id = s(&app.group(&p[0].1, "G", &[&p[1].0, &mod_id]).await["id"]).to_owned();
    let a = app.say(&p[0].1, &id, "from ann").await;
    let b = app.say(&p[1].1, &id, "from bob").await;
    let history = format!("/v1/chat/conversations/{id}/messages");

    app.delete(&format!("/v1/chat/messages/{}", s(&b["id"]))).bearer(&p[0].1).send().await.expect(204, None);
    let mine = app.get(&history).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(mine.body["pagination"]["total"], 1, "hidden for ann");
    let bobs = app.get(&history).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(bobs.body["pagination"]["total"], 2, "still there for bob");

    // Hidden for ann, the message is gone for her: not even a refusal tells it exists.
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&b["id"])))
        .bearer(&p[0].1)
        .send()
        .await
        .expect(404, Some("not_found"));
    let ann_id = &p[0].0;
    let other_group = app.group(&p[1].1, "H", &[ann_id.as_str()]).await;
    let bobs_other = app.say(&p[1].1, s(&other_group["id"]), "bob elsewhere").await;
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&bobs_other["id"])))
        .bearer(&p[0].1)
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&a["id"]))).bearer(&p[0].1).send().await.expect(204, None);
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&b["id"]))).bearer(&moderator).send().await.expect(204, None);
    let bobs = app.get(&history).bearer(&p[1].1).send().await.expect(200, None);
    for m in bobs.data().as_array().unwrap() {
        assert_eq!(m["deleted"], true);
        assert_eq!(m["body"], "");
    }
    let c = app.say(&p[0].1, &id, "third").await;
    assert_eq!(c["seq"], 3, "tombstones keep the sequence gap-free");
    app.patch(&format!("/v1/users/{}", p[0].0))
        .key(&app.secret_key)
        .json(json!({"permissions": {"can_delete_message": false}}))
        .send()
        .await
        .expect(200, None);
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&c["id"])))
        .bearer(&p[0].1)
        .send()
        .await
        .expect(403, Some("forbidden"));
}

#[tokio::test]
async fn reactions_toggle_per_user_with_counts_and_me() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let m = app.say(&p[0].1, &id, "nice").await;
    let path = format!("/v1/chat/messages/{}/reactions", s(&m["id"]));
    let r = app.post(&path).bearer(&p[0].1).json(json!({"emoji": "👍"})).send().await.expect(200, None);
    assert_eq!(r.data()["reactions"], json!([{"emoji": "👍", "count": 1, "me": true}]));
    let r = app.post(&path).bearer(&p[1].1).json(json!({"emoji": "👍"})).send().await.expect(200, None);
    assert_eq!(r.data()["reactions"], json!([{"emoji": "👍", "count": 2, "me": true}]));
    let r = app.post(&path).bearer(&p[0].1).json(json!({"emoji": "👍"})).send().await.expect(200, None);
    assert_eq!(r.data()["reactions"], json!([{"emoji": "👍", "count": 1, "me": false}]));
    app.post(&path).bearer(&p[0].1).json(json!({"emoji": " "})).send().await.expect(422, Some("validation_failed"));
    let history = app.get(&format!("/v1/chat/conversations/{id}/messages")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(history.data()[0]["reactions"], json!([{"emoji": "👍", "count": 1, "me": true}]));
}

#[tokio::test]
async fn forwarding_copies_into_the_callers_conversations_only() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cy", "dee"]).await;
    let src = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let dst = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    let foreign = s(&app.direct(&p[1].1, &p[3].0).await["id"]).to_owned();
    let m = app.say(&p[1].1, &src, "pass it on").await;
    let copies = app
        .post("/v1/chat/messages/forward")
        .bearer(&p[0].1)
        .json(json!({"message_id": m["id"], "conversation_ids": [dst]}))
        .send()
        .await
        .expect(201, None);
    let copy = &copies.data()[0];
    assert_eq!(copy["forwarded_from_id"], m["id"]);
    assert_eq!(copy["conversation_id"], json!(dst));
    assert_eq!(copy["sender_id"], json!(p[0].0));
    assert_eq!(copy["body"], "pass it on");
    app.post("/v1/chat/messages/forward")
        .bearer(&p[0].1)
        .json(json!({"message_id": m["id"], "conversation_ids": [foreign]}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.post("/v1/chat/messages/forward")
        .bearer(&p[0].1)
        .json(json!({"message_id": m["id"], "conversation_ids": []}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn sync_returns_what_was_missed_with_has_more_and_new_lists_since_a_time() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cy"]).await;
    let one = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let two = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    for i in 1..=5 {
        app.say(&p[1].1, &one, &format!("one-{i}")).await;
    }
    let before = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.say(&p[2].1, &two, "two-1").await;
    let synced = app
        .post("/v1/chat/messages/sync")
        .bearer(&p[0].1)
        .json(json!({"conversations": [{"conversation_id": one, "last_seq": 2}, {"conversation_id": two, "last_seq": 0}], "limit": 2}))
        .send()
        .await
        .expect(200, None);
    let first = &synced.data()["conversations"][0];
    let seqs: Vec<i64> = first["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![3, 4]);
    assert_eq!(first["has_more"], true);
    assert_eq!(synced.data()["conversations"][1]["has_more"], false);
    assert_eq!(synced.data()["conversations"][1]["messages"][0]["body"], "two-1");

    let since = before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let fresh =
        app.get(&format!("/v1/chat/messages/new?since={}", since.replace('+', "%2B"))).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(fresh.body["pagination"]["total"], 1);
    assert_eq!(fresh.data()[0]["body"], "two-1");
    app.get("/v1/chat/messages/new?since=yesterday").bearer(&p[0].1).send().await.expect(400, Some("bad_request"));
    let bobs =
        app.get(&format!("/v1/chat/messages/new?since={}", since.replace('+', "%2B"))).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(bobs.body["pagination"]["total"], 0, "only the caller's conversations");
}

#[tokio::test]
async fn typing_is_accepted_and_recorded_on_the_event_bus() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut events = app.state.bus.subscribe();
    app.post(&format!("/v1/chat/conversations/{id}/typing")).bearer(&p[0].1).send().await.expect(204, None);
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
    assert_eq!(event.kind(), "typing");
    assert_eq!(event.payload["conversation_id"], json!(id));
    assert_eq!(event.payload["user_id"], json!(p[0].0));
    assert!(event.audience.contains(&p[1].0));
    app.say(&p[0].1, &id, "hi").await;
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
    assert_eq!(event.kind(), "new_message");
    assert_eq!(event.payload["seq"], 1);
    assert_eq!(event.payload["message"]["body"], "hi");
}
