//! The moderation queue: open reports grouped by target, oldest first, for moderators and
//! up only; and each resolution's effect, which the reporter never learns the author of.

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, tick, TestApp};
use crate::reports::{report, spam_from_bob};

async fn queue(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app.get("/v1/admin/reports").bearer(token).send().await.expect(200, None);
    reply.data().as_array().unwrap().clone()
}

async fn resolve(app: &TestApp, token: &str, report_id: &str, body: Value) -> crate::helpers::Reply {
    app.post(&format!("/v1/admin/reports/{report_id}/resolve")).bearer(token).json(body).send().await
}

/// A moderator's chat token.
async fn moderator(app: &TestApp) -> (String, String) {
    let (user, token) = app.user_with_token("mod", "moderator").await;
    (s(&user["id"]).to_owned(), token)
}

/// Ann reports bob's message; returns ([ann, bob], conversation, message, report id).
async fn reported_message(app: &TestApp) -> (Vec<(String, String)>, String, String, String) {
    let (pair, conversation, message) = spam_from_bob(app, "buy followers now").await;
    let filed = report(app, &pair[0].1, json!({"message_id": message, "reason": "spam"})).await.expect(201, None);
    let id = s(&filed.data()["id"]).to_owned();
    (pair, conversation, message, id)
}

#[tokio::test]
async fn the_queue_groups_open_reports_by_target_oldest_first_with_context() {
    let app = spawn_app().await;
    let (pair, _, _) = spam_from_bob(&app, "before").await;
    let (ann, bob) = (&pair[0], &pair[1]);
    let others = people(&app, &["carl", "dan"]).await;
    let group = app.group(&bob.1, "club", &[&ann.0, &others[0].0, &others[1].0]).await;
    let group_id = s(&group["id"]).to_owned();
    for body in ["one", "two", "spam!", "four", "five", "six"] {
        app.say(&bob.1, &group_id, body).await;
    }
    let history = app.history(&ann.1, &group_id).await;
    let spam = s(&history.iter().find(|m| m["body"] == "spam!").unwrap()["id"]).to_owned();

    report(&app, &others[0].1, json!({"user_id": bob.0, "reason": "harassment"})).await.expect(201, None);
    tick().await;
    report(&app, &ann.1, json!({"message_id": spam, "reason": "spam", "note": "ad"})).await.expect(201, None);
    tick().await;
    report(&app, &others[0].1, json!({"message_id": spam, "reason": "inappropriate"})).await.expect(201, None);
    tick().await;
    report(&app, &others[1].1, json!({"message_id": spam, "reason": "spam"})).await.expect(201, None);

    let (_, moderator) = moderator(&app).await;
    let entries = queue(&app, &moderator).await;
    assert_eq!(entries.len(), 2, "two targets: {entries:?}");
    // The user was reported first, so it waits longest.
    assert_eq!(entries[0]["target_kind"], "user");
    assert_eq!(entries[0]["target_id"], bob.0.as_str());
    assert_eq!(entries[0]["count"], 1);
    assert_eq!(entries[0]["user"]["id"], bob.0.as_str());
    assert_eq!(entries[0]["message"], Value::Null);

    let message = &entries[1];
    assert_eq!(message["target_kind"], "message");
    assert_eq!(message["count"], 3);
    assert_eq!(message["reasons"], json!(["spam", "inappropriate"]));
    assert!(message["first_reported_at"].as_str() < message["last_reported_at"].as_str());
    assert_eq!(message["reports"].as_array().unwrap().len(), 3);
    assert_eq!(message["reports"][0]["reporter_id"], ann.0.as_str());
    assert_eq!(message["reports"][0]["note"], "ad");
    assert_eq!(message["report_id"], message["reports"][0]["id"]);
    assert_eq!(message["message"]["body"], "spam!");
    assert_eq!(message["user"]["id"], bob.0.as_str(), "the author");
    let context: Vec<&str> = message["context"].as_array().unwrap().iter().map(|m| s(&m["body"])).collect();
    assert_eq!(context, ["one", "two", "spam!", "four", "five"]);

    let paged = app.get("/v1/admin/reports?per_page=1&page=2").bearer(&moderator).send().await.expect(200, None);
    assert_eq!(paged.body["pagination"]["total"], 2);
    assert_eq!(paged.data()[0]["target_kind"], "message");
}

#[tokio::test]
async fn only_moderators_and_up_of_the_tenant_work_the_queue() {
    let app = spawn_app().await;
    let (_, _, _, report_id) = reported_message(&app).await;
    for role in ["user", "host", "staff"] {
        let (_, token) = app.user_with_token(&format!("{role}-1"), role).await;
        app.get("/v1/admin/reports").bearer(&token).send().await.expect(403, Some("forbidden"));
        resolve(&app, &token, &report_id, json!({"action": "dismiss"})).await.expect(403, Some("forbidden"));
    }
    for role in ["moderator", "admin", "superadmin"] {
        let (_, token) = app.user_with_token(&format!("{role}-1"), role).await;
        assert_eq!(queue(&app, &token).await.len(), 1, "{role} sees the queue");
    }
    let admin = app.login_admin().await;
    assert_eq!(queue(&app, s(&admin["access_token"])).await.len(), 1, "signed in with a password too");

    // Another tenant's admin sees their own (empty) queue and cannot resolve ours.
    let (_, outsider) = app.outsider("other", "admin").await;
    assert!(queue(&app, &outsider).await.is_empty());
    resolve(&app, &outsider, &report_id, json!({"action": "dismiss"})).await.expect(404, Some("not_found"));
    // No bearer token at all.
    app.get("/v1/admin/reports").send().await.expect(401, Some("unauthorized"));
    app.get("/v1/admin/reports").key(&app.secret_key).send().await.expect(401, Some("unauthorized"));

    let (_, moderator) = moderator(&app).await;
    assert_eq!(queue(&app, &moderator).await.len(), 1, "nothing was resolved by the refused attempts");
    let done = resolve(&app, &moderator, &report_id, json!({"action": "dismiss"})).await.expect(200, None);
    assert_eq!(done.data()["resolved_count"], 1);
    resolve(&app, &moderator, &report_id, json!({"action": "dismiss"})).await.expect(409, Some("conflict"));
}

#[tokio::test]
async fn dismissing_resolves_every_report_of_the_target_and_lets_a_new_one_in() {
    let app = spawn_app().await;
    let (pair, conversation, message, report_id) = reported_message(&app).await;
    let (_, moderator) = moderator(&app).await;
    let done = resolve(&app, &moderator, &report_id, json!({"action": "dismiss", "note": "not spam"})).await.expect(200, None);
    assert_eq!(done.data()["action"], "dismiss");
    assert_eq!(done.data()["target_id"], message.as_str());
    assert!(queue(&app, &moderator).await.is_empty());
    assert_eq!(app.history(&pair[1].1, &conversation).await[0]["body"], "buy followers now", "the message stays");
    // Resolved, ann may report it again.
    report(&app, &pair[0].1, json!({"message_id": message, "reason": "spam"})).await.expect(201, None);
    assert_eq!(queue(&app, &moderator).await.len(), 1);
}

#[tokio::test]
async fn deleting_the_message_removes_it_for_everyone() {
    let app = spawn_app().await;
    let (pair, conversation, message, report_id) = reported_message(&app).await;
    let mut bob_socket = app.ws(&pair[1].1).await;
    let (_, moderator) = moderator(&app).await;
    resolve(&app, &moderator, &report_id, json!({"action": "delete_message"})).await.expect(200, None);
    let deleted = bob_socket.next_of("message_deleted").await;
    assert_eq!(deleted["message"]["id"], message.as_str());
    for (_, token) in &pair {
        let history = app.history(token, &conversation).await;
        assert_eq!(history[0]["deleted"], true);
        assert_eq!(history[0]["body"], "");
    }
    // A user report has no message to delete.
    let user_report = report(&app, &pair[0].1, json!({"user_id": pair[1].0, "reason": "spam"})).await.expect(201, None);
    let id = s(&user_report.data()["id"]);
    resolve(&app, &moderator, id, json!({"action": "delete_message"})).await.expect(422, Some("validation_failed"));
    assert_eq!(queue(&app, &moderator).await.len(), 1, "still open");
}

#[tokio::test]
async fn suspending_the_author_refuses_them_at_once_and_closes_their_socket() {
    let app = spawn_app().await;
    let (pair, _, _, report_id) = reported_message(&app).await;
    let (ann, bob) = (&pair[0], &pair[1]);
    let mut bob_socket = app.ws(&bob.1).await;
    let mut ann_socket = app.ws(&ann.1).await;
    // Processes share the bus only through Redis: with it, a socket on another process closes too.
    let other = match app.config.redis_url.is_some() {
        true => Some(app.restart_with(|_| {}).await),
        false => None,
    };
    let mut bob_elsewhere = match &other {
        Some(other) => Some(other.ws(&bob.1).await),
        None => None,
    };
    let (_, moderator) = moderator(&app).await;

    // An end time only comes with a suspension, and lies ahead.
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let ahead = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    resolve(&app, &moderator, &report_id, json!({"action": "suspend", "until": past})).await.expect(422, Some("validation_failed"));
    resolve(&app, &moderator, &report_id, json!({"action": "ban", "until": ahead})).await.expect(422, Some("validation_failed"));
    app.get("/v1/auth/me").bearer(&bob.1).send().await.expect(200, None);

    let done = resolve(&app, &moderator, &report_id, json!({"action": "suspend", "until": ahead})).await.expect(200, None);
    assert_eq!(done.data()["action"], "suspend");
    assert_eq!(bob_socket.closed_with().await, 1008);
    if let Some(ws) = bob_elsewhere.as_mut() {
        assert_eq!(ws.closed_with().await, 1008, "on the other process too");
    }
    app.get("/v1/auth/me").bearer(&bob.1).send().await.expect(403, Some("forbidden"));
    let bob_now = app.get(&format!("/v1/users/{}", bob.0)).key(&app.secret_key).send().await.expect(200, None);
    assert_eq!(bob_now.data()["status"], "suspended");
    // The reporter keeps their socket and learns nothing from it.
    ann_socket.send(json!({"type": "ping"})).await;
    let pong = ann_socket.next_of("pong").await;
    assert_eq!(pong["type"], "pong");
}

#[tokio::test]
async fn banning_a_reported_user_bans_them_and_nobody_bans_upward() {
    let app = spawn_app().await;
    let users = people(&app, &["ann", "bob"]).await;
    let (admin, admin_token) = app.user_with_token("adm", "admin").await;
    let (_, moderator) = moderator(&app).await;
    let on_bob = report(&app, &users[0].1, json!({"user_id": users[1].0, "reason": "harassment"})).await.expect(201, None);
    let on_admin = report(&app, &users[0].1, json!({"user_id": admin["id"], "reason": "other"})).await.expect(201, None);

    // A moderator cannot ban an admin, and the reports stay open.
    resolve(&app, &moderator, s(&on_admin.data()["id"]), json!({"action": "ban"})).await.expect(403, Some("forbidden"));
    app.get("/v1/auth/me").bearer(&admin_token).send().await.expect(200, None);
    assert_eq!(queue(&app, &moderator).await.len(), 2);

    resolve(&app, &moderator, s(&on_bob.data()["id"]), json!({"action": "ban"})).await.expect(200, None);
    app.get("/v1/auth/me").bearer(&users[1].1).send().await.expect(403, Some("forbidden"));
    let bob = app.get(&format!("/v1/users/{}", users[1].0)).key(&app.secret_key).send().await.expect(200, None);
    assert_eq!(bob.data()["status"], "banned");
    let left = queue(&app, &moderator).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["target_id"], admin["id"]);
}

#[tokio::test]
async fn the_reporter_never_learns_who_resolved_their_report() {
    let app = spawn_app().await;
    let (pair, _, message, report_id) = reported_message(&app).await;
    let (moderator_id, moderator) = moderator(&app).await;
    let done = resolve(&app, &moderator, &report_id, json!({"action": "dismiss", "note": "fine"})).await.expect(200, None);
    assert!(!done.text.contains(&moderator_id), "not even the moderator's own answer names them");

    // The reporter files again and reads their report: nothing names the moderator.
    let again = report(&app, &pair[0].1, json!({"message_id": message, "reason": "other"})).await.expect(201, None);
    assert!(!again.text.contains(&moderator_id));
    assert!(!again.text.contains("resolved_by"));
    // The queue, where resolvers would show, is closed to them.
    app.get("/v1/admin/reports").bearer(&pair[0].1).send().await.expect(403, Some("forbidden"));

    // The resolution is on record for the tenant's admins.
    let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log WHERE action = 'report.dismiss' AND target = $1")
        .bind(&message)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(actor, format!("user:{moderator_id}"));
}

#[tokio::test]
async fn moderators_hear_of_reports_live_and_nobody_hears_who_resolved_them() {
    let app = spawn_app().await;
    let (moderator_id, moderator) = moderator(&app).await;
    let mut moderator_socket = app.ws(&moderator).await;
    let (pair, _, message, report_id) = reported_message(&app).await;
    let mut ann_socket = app.ws(&pair[0].1).await;

    let created = moderator_socket.next_of("report_created").await;
    assert_eq!(created["report_id"], report_id.as_str());
    assert_eq!(created["target_id"], message.as_str());
    assert_eq!(created["reason"], "spam");
    assert!(!created.to_string().contains(&pair[0].0), "the event does not name the reporter");

    resolve(&app, &moderator, &report_id, json!({"action": "dismiss"})).await.expect(200, None);
    let resolved = moderator_socket.next_of("reports_resolved").await;
    assert_eq!(resolved["target_id"], message.as_str());
    assert_eq!(resolved["action"], "dismiss");
    assert!(!resolved.to_string().contains(&moderator_id));
    // The reporter, a plain user, hears of neither.
    ann_socket.quiet("reports_resolved", 200).await;
}
