//! Reporting messages and users: only what the reporter sees, only once while open, never
//! oneself, never across tenants, and within the tenant's rate limits.

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, TestApp};

/// Files a report as `token`; returns the reply.
pub async fn report(app: &TestApp, token: &str, body: Value) -> crate::helpers::Reply {
    app.post("/v1/chat/reports").bearer(token).json(body).send().await
}

/// A direct conversation of ann and bob where bob said `body`: ([ann, bob], conversation id, message id).
pub async fn spam_from_bob(app: &TestApp, body: &str) -> (Vec<(String, String)>, String, String) {
    let pair = people(app, &["ann", "bob"]).await;
    let conversation = s(&app.direct(&pair[0].1, &pair[1].0).await["id"]).to_owned();
    let message = s(&app.say(&pair[1].1, &conversation, body).await["id"]).to_owned();
    (pair, conversation, message)
}

#[tokio::test]
async fn a_participant_reports_a_message_and_a_user_once_while_open() {
    let app = spawn_app().await;
    let (pair, _, message) = spam_from_bob(&app, "cheap pills here").await;
    let (ann, bob) = (&pair[0], &pair[1]);

    let filed =
        report(&app, &ann.1, json!({"message_id": message, "reason": "spam", "note": "  third time today  "})).await.expect(201, None);
    let data = filed.data();
    assert_eq!(data["target_kind"], "message");
    assert_eq!(data["target_id"], message.as_str());
    assert_eq!(data["reason"], "spam");
    assert_eq!(data["note"], "third time today");
    assert_eq!(data["status"], "open");
    assert!(s(&data["id"]).len() == 26);

    let user = report(&app, &ann.1, json!({"user_id": bob.0, "reason": "harassment"})).await.expect(201, None);
    assert_eq!(user.data()["target_kind"], "user");
    assert_eq!(user.data()["note"], Value::Null);

    // One open report per reporter and target, whatever the reason.
    report(&app, &ann.1, json!({"message_id": message, "reason": "other"})).await.expect(409, Some("conflict"));
    report(&app, &ann.1, json!({"user_id": bob.0, "reason": "spam"})).await.expect(409, Some("conflict"));
    // Bob may report ann, though: the targets differ.
    report(&app, &bob.1, json!({"user_id": ann.0, "reason": "other"})).await.expect(201, None);
}

#[tokio::test]
async fn nobody_reports_what_they_cannot_see_or_themselves() {
    let app = spawn_app().await;
    let (pair, conversation, message) = spam_from_bob(&app, "hello").await;
    let (ann, bob) = (&pair[0], &pair[1]);
    let carl = &people(&app, &["carl"]).await[0];

    // Not a participant: the message does not exist for carl, rather than being forbidden.
    report(&app, &carl.1, json!({"message_id": message, "reason": "spam"})).await.expect(404, Some("not_found"));
    // Bob's own message, and bob himself.
    report(&app, &bob.1, json!({"message_id": message, "reason": "spam"})).await.expect(422, Some("validation_failed"));
    let me = report(&app, &bob.1, json!({"user_id": bob.0, "reason": "spam"})).await.expect(422, Some("validation_failed"));
    assert!(me.text.contains("user_id"), "{}", me.text);
    // Exactly one target.
    report(&app, &ann.1, json!({"reason": "spam"})).await.expect(422, Some("validation_failed"));
    report(&app, &ann.1, json!({"message_id": message, "user_id": bob.0, "reason": "spam"})).await.expect(422, Some("validation_failed"));
    // Unknown reason, junk ids, unknown ids, notes outside the text rules.
    report(&app, &ann.1, json!({"message_id": message, "reason": "rude"})).await.expect(400, Some("bad_request"));
    report(&app, &ann.1, json!({"message_id": "../etc", "reason": "spam"})).await.expect(400, Some("bad_request"));
    report(&app, &ann.1, json!({"user_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "reason": "spam"})).await.expect(404, Some("not_found"));
    report(&app, &ann.1, json!({"message_id": message, "reason": "spam", "note": "bell\u{7}"}))
        .await
        .expect(422, Some("validation_failed"));
    let long = "x".repeat(1001);
    report(&app, &ann.1, json!({"message_id": message, "reason": "spam", "note": long})).await.expect(400, Some("bad_request"));

    // A message ann deleted for herself is gone for her: she cannot report it either.
    app.delete(&format!("/v1/chat/messages/{message}")).bearer(&ann.1).send().await.expect(204, None);
    report(&app, &ann.1, json!({"message_id": message, "reason": "spam"})).await.expect(404, Some("not_found"));
    // Nor a message from before she cleared the conversation.
    let later = s(&app.say(&bob.1, &conversation, "again").await["id"]).to_owned();
    app.delete(&format!("/v1/chat/conversations/{conversation}")).bearer(&ann.1).send().await.expect(204, None);
    report(&app, &ann.1, json!({"message_id": later, "reason": "spam"})).await.expect(404, Some("not_found"));
    assert_eq!(count_reports(&app).await, 0, "nothing was stored");
}

async fn count_reports(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM reports").fetch_one(app.state.db.pool()).await.unwrap()
}

#[tokio::test]
async fn another_tenants_messages_and_users_do_not_exist() {
    let app = spawn_app().await;
    let (pair, _, message) = spam_from_bob(&app, "hello").await;
    let (_, outsider) = app.outsider("other", "user").await;
    report(&app, &outsider, json!({"message_id": message, "reason": "spam"})).await.expect(404, Some("not_found"));
    report(&app, &outsider, json!({"user_id": pair[1].0, "reason": "spam"})).await.expect(404, Some("not_found"));
    assert_eq!(count_reports(&app).await, 0);
}

#[tokio::test]
async fn reports_are_rate_limited_per_user() {
    let app = spawn_app().await;
    let limits = app.set_rate_limits(json!({"reports": {"per_user": {"per_minute": 1, "burst": 1}}})).await;
    assert_eq!(limits["reports"]["per_user"]["burst"], 1);
    let users = people(&app, &["ann", "bob", "carl"]).await;
    report(&app, &users[0].1, json!({"user_id": users[1].0, "reason": "spam"})).await.expect(201, None);
    report(&app, &users[0].1, json!({"user_id": users[2].0, "reason": "spam"})).await.expect(429, Some("rate_limited"));
    // Another user's bucket is their own.
    report(&app, &users[1].1, json!({"user_id": users[2].0, "reason": "spam"})).await.expect(201, None);
}

#[tokio::test]
async fn two_reports_of_one_target_at_once_store_one() {
    let app = spawn_app().await;
    let (pair, _, message) = spam_from_bob(&app, "hello").await;
    let send = || {
        app.client
            .post(format!("{}/v1/chat/reports", app.address))
            .bearer_auth(&pair[0].1)
            .json(&json!({"message_id": message, "reason": "spam"}))
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(count_reports(&app).await, 1);
}
