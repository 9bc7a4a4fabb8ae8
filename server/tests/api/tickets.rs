//! Support tickets: opening, who sees and changes what, system messages, the queue (seed 004).

use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, tick, TestApp};

/// Opens a ticket as `token`'s user; returns it.
async fn open(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/v1/tickets").bearer(token).json(body).send().await.expect(201, None).data().clone()
}

async fn ticket(app: &TestApp, token: &str, subject: &str, priority: &str) -> Value {
    open(app, token, json!({"subject": subject, "priority": priority, "initial_message": format!("About {subject}")})).await
}

/// Changes a ticket as `token`'s user and expects `status`; returns the reply's data.
async fn change(app: &TestApp, token: &str, ticket: &Value, body: Value, status: u16, code: Option<&str>) -> Value {
    app.patch(&format!("/v1/tickets/{}", s(&ticket["id"]))).bearer(token).json(body).send().await.expect(status, code).data().clone()
}

#[tokio::test]
async fn a_user_opens_a_ticket_with_its_conversation_and_first_message() {
    let app = spawn_app().await;
    let p = people(&app, &["requester"]).await;
    let token = &p[0].1;
    let t = open(
        &app,
        token,
        json!({"subject": "My payment is not working", "priority": "high", "category": "billing", "initial_message": "Need help..."}),
    )
    .await;
    assert_eq!(t["subject"], "My payment is not working");
    assert_eq!((t["status"].clone(), t["priority"].clone(), t["category"].clone()), (json!("open"), json!("high"), json!("billing")));
    assert_eq!(t["message_count"], 1);
    assert_eq!(t["requester_id"], json!(p[0].0));
    assert_eq!((t["assignee_id"].clone(), t["first_response_at"].clone()), (Value::Null, Value::Null));

    let conversation_id = s(&t["conversation_id"]);
    let convo = app.get(&format!("/v1/chat/conversations/{conversation_id}")).bearer(token).send().await.expect(200, None);
    assert_eq!(convo.data()["kind"], "ticket");
    assert_eq!(
        convo.data()["ticket"],
        json!({"id": t["id"], "subject": "My payment is not working", "status": "open", "priority": "high"})
    );
    assert_eq!(convo.data()["last_message"]["body"], "Need help...");
    let listed = app.get("/v1/chat/conversations").bearer(token).send().await.expect(200, None);
    assert_eq!(listed.data()[0]["ticket"]["id"], t["id"]);
    assert_eq!(listed.data()[0]["shop"], Value::Null);

    let plain = open(&app, token, json!({"subject": "Another", "initial_message": "x"})).await;
    assert_eq!((plain["priority"].clone(), plain["category"].clone()), (json!("medium"), Value::Null));
    let read = app.get(&format!("/v1/tickets/{}", s(&t["id"]))).bearer(token).send().await.expect(200, None);
    assert_eq!(read.data()["id"], t["id"]);
}

#[tokio::test]
async fn bad_ticket_input_is_refused_without_a_server_error() {
    let app = spawn_app().await;
    let p = people(&app, &["requester"]).await;
    let token = &p[0].1;
    let post = |body: Value| app.post("/v1/tickets").bearer(token).json(body).send();
    post(json!({"subject": " ", "initial_message": "x"})).await.expect(422, Some("validation_failed"));
    post(json!({"subject": "s".repeat(201), "initial_message": "x"})).await.expect(400, Some("bad_request"));
    post(json!({"subject": "ok", "initial_message": "  "})).await.expect(422, Some("validation_failed"));
    post(json!({"subject": "ok", "category": "", "initial_message": "x"})).await.expect(400, Some("bad_request"));
    post(json!({"subject": "ok", "category": "  ", "initial_message": "x"})).await.expect(422, Some("validation_failed"));
    post(json!({"subject": "ok", "priority": "critical", "initial_message": "x"})).await.expect(400, Some("bad_request"));
    post(json!({"subject": "ok"})).await.expect(400, Some("bad_request"));
    app.get("/v1/tickets/junk").bearer(token).send().await.expect(400, Some("bad_request"));
    app.get("/v1/tickets/01JN2X4K8M3F7QPZRVWT6YBHCE").bearer(token).send().await.expect(404, Some("not_found"));
    app.get("/v1/tickets?status=lost").bearer(token).send().await.expect(400, Some("bad_request"));
    app.get("/v1/tickets?assignee_id=junk").bearer(token).send().await.expect(400, Some("bad_request"));
    let listed = app.get("/v1/tickets").bearer(token).send().await.expect(200, None);
    assert_eq!(listed.body["pagination"]["total"], 0, "refused tickets leave nothing behind");
}

#[tokio::test]
async fn requester_other_users_agents_and_other_tenants_see_what_they_may() {
    let app = spawn_app().await;
    let p = people(&app, &["requester", "other"]).await;
    let (requester, other) = (&p[0], &p[1]);
    let (_, staff) = app.user_with_token("staff", "staff").await;
    let (_, moderator) = app.user_with_token("moderator", "moderator").await;
    let (_, host) = app.user_with_token("host", "host").await;
    let (_, outsider) = app.outsider("elsewhere", "staff").await;
    let t = ticket(&app, &requester.1, "Help", "medium").await;
    let ticket_path = format!("/v1/tickets/{}", s(&t["id"]));
    let conversation = s(&t["conversation_id"]).to_owned();
    let messages = format!("/v1/chat/conversations/{conversation}/messages");

    for (token, status, code) in [
        (&requester.1, 200, None),
        (&staff, 200, None),
        (&moderator, 200, None),
        (&other.1, 403, Some("forbidden")),
        (&host, 403, Some("forbidden")),
        (&outsider, 404, Some("not_found")),
    ] {
        app.get(&ticket_path).bearer(token).send().await.expect(status, code);
        app.get(&messages).bearer(token).send().await.expect(status, code);
        app.get(&format!("/v1/chat/conversations/{conversation}")).bearer(token).send().await.expect(status, code);
    }
    app.post(&messages).bearer(&other.1).json(json!({"body": "let me in"})).send().await.expect(403, Some("forbidden"));
    app.post(&messages).bearer(&outsider).json(json!({"body": "let me in"})).send().await.expect(404, Some("not_found"));
    app.say(&moderator, &conversation, "A moderator can answer too").await;
    app.say(&staff, &conversation, "On it").await;

    // Agents who entered the conversation are its participants: it is in their list.
    let staff_list = app.get("/v1/chat/conversations?kind=ticket").bearer(&staff).send().await.expect(200, None);
    assert_eq!(staff_list.data()[0]["id"], json!(conversation));
    assert_eq!(staff_list.data()[0]["ticket"]["subject"], "Help");

    // Lists: the requester their own, other users none, agents the whole queue.
    ticket(&app, &other.1, "Other's", "low").await;
    let total = |token: &str| {
        let request = app.get("/v1/tickets").bearer(token).send();
        async move { request.await.expect(200, None).body["pagination"]["total"].as_i64().unwrap() }
    };
    assert_eq!((total(&requester.1).await, total(&other.1).await, total(&host).await), (1, 1, 0));
    assert_eq!((total(&staff).await, total(&moderator).await, total(&outsider).await), (2, 2, 0));

    // Changes: agents yes, the requester only close/reopen, nobody else.
    change(&app, &other.1, &t, json!({"status": "closed"}), 403, Some("forbidden")).await;
    change(&app, &requester.1, &t, json!({"priority": "urgent"}), 403, Some("forbidden")).await;
    change(&app, &outsider, &t, json!({"priority": "urgent"}), 404, Some("not_found")).await;
    let changed = change(&app, &moderator, &t, json!({"priority": "urgent"}), 200, None).await;
    assert_eq!(changed["priority"], "urgent");
    assert_eq!(changed["message_count"], 3);
}

#[tokio::test]
async fn agents_change_status_priority_category_and_assignee_each_with_a_system_message() {
    let app = spawn_app().await;
    let p = people(&app, &["requester", "plain"]).await;
    let (agent, staff) = app.user_with_token("agent", "staff").await;
    let (outsider_id, _) = app.outsider("elsewhere", "staff").await;
    let t = ticket(&app, &p[0].1, "Refund", "low").await;

    let changed = change(
        &app,
        &staff,
        &t,
        json!({"status": "pending", "priority": "high", "category": "billing", "assignee_id": agent["id"]}),
        200,
        None,
    )
    .await;
    assert_eq!((changed["status"].clone(), changed["priority"].clone()), (json!("pending"), json!("high")));
    assert_eq!((changed["category"].clone(), changed["assignee_id"].clone()), (json!("billing"), agent["id"].clone()));
    assert_eq!(changed["message_count"], 1, "system messages are not counted");
    let history = app.history(&p[0].1, s(&t["conversation_id"])).await;
    let system: Vec<&Value> = history.iter().filter(|m| m["type"] == "system").collect();
    assert_eq!(system.len(), 4);
    assert!(system.iter().all(|m| m["sender_id"].is_null()));
    let bodies: Vec<&str> = system.iter().map(|m| s(&m["body"])).collect();
    assert!(bodies[0].contains("from open to pending"), "{bodies:?}");
    assert!(bodies[1].contains("from low to high"), "{bodies:?}");
    assert!(bodies[2].contains("billing"), "{bodies:?}");
    assert!(bodies[3].contains("assigned"), "{bodies:?}");

    // The same values again change nothing and post nothing.
    change(&app, &staff, &t, json!({"status": "pending", "priority": "high"}), 200, None).await;
    assert_eq!(app.history(&p[0].1, s(&t["conversation_id"])).await.len(), 5);

    // Assignees are agents of this tenant; moves follow the rules.
    change(&app, &staff, &t, json!({"assignee_id": p[1].0}), 422, Some("validation_failed")).await;
    change(&app, &staff, &t, json!({"assignee_id": outsider_id}), 422, Some("validation_failed")).await;
    change(&app, &staff, &t, json!({"assignee_id": "junk"}), 400, Some("bad_request")).await;
    change(&app, &staff, &t, json!({"status": "finished"}), 400, Some("bad_request")).await;
    let resolved = change(&app, &staff, &t, json!({"status": "resolved"}), 200, None).await;
    assert!(resolved["resolved_at"].is_string());
    change(&app, &staff, &t, json!({"status": "pending"}), 422, Some("validation_failed")).await;
    let closed = change(&app, &staff, &t, json!({"status": "closed", "assignee_id": null, "category": null}), 200, None).await;
    assert!(closed["closed_at"].is_string());
    assert_eq!(closed["resolved_at"], resolved["resolved_at"], "resolving is remembered once closed");
    assert_eq!((closed["assignee_id"].clone(), closed["category"].clone()), (Value::Null, Value::Null));
    change(&app, &staff, &t, json!({"status": "resolved"}), 422, Some("validation_failed")).await;
    let reopened = change(&app, &staff, &t, json!({"status": "open"}), 200, None).await;
    assert_eq!((reopened["resolved_at"].clone(), reopened["closed_at"].clone()), (Value::Null, Value::Null));
    let history = app.history(&p[0].1, s(&t["conversation_id"])).await;
    assert_eq!(history.iter().filter(|m| m["type"] == "system").count(), 9);
}

#[tokio::test]
async fn the_requester_may_close_and_reopen_their_ticket_but_nothing_else() {
    let app = spawn_app().await;
    let p = people(&app, &["requester"]).await;
    let (_, staff) = app.user_with_token("staff", "staff").await;
    let t = ticket(&app, &p[0].1, "Login", "medium").await;
    let token = &p[0].1;
    change(&app, token, &t, json!({"status": "pending"}), 403, Some("forbidden")).await;
    change(&app, token, &t, json!({"status": "resolved"}), 403, Some("forbidden")).await;
    change(&app, token, &t, json!({"category": "x"}), 403, Some("forbidden")).await;
    change(&app, token, &t, json!({"assignee_id": null}), 403, Some("forbidden")).await;
    let closed = change(&app, token, &t, json!({"status": "closed"}), 200, None).await;
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    let reopened = change(&app, token, &t, json!({"status": "open"}), 200, None).await;
    assert_eq!((reopened["status"].clone(), reopened["closed_at"].clone()), (json!("open"), Value::Null));
    change(&app, &staff, &t, json!({"status": "pending"}), 200, None).await;
    change(&app, token, &t, json!({"status": "open"}), 403, Some("forbidden")).await;
    change(&app, &staff, &t, json!({"status": "resolved"}), 200, None).await;
    change(&app, token, &t, json!({"status": "open"}), 200, None).await;
    let history = app.history(token, s(&t["conversation_id"])).await;
    assert_eq!(history.iter().filter(|m| m["type"] == "system").count(), 5);
}

#[tokio::test]
async fn the_first_answer_by_someone_other_than_the_requester_sets_first_response_at() {
    let app = spawn_app().await;
    let p = people(&app, &["requester"]).await;
    let (_, staff) = app.user_with_token("staff", "staff").await;
    let t = ticket(&app, &p[0].1, "Slow", "medium").await;
    let conversation = s(&t["conversation_id"]);
    let read = |token: &str| {
        let request = app.get(&format!("/v1/tickets/{}", s(&t["id"]))).bearer(token).send();
        async move { request.await.expect(200, None).data().clone() }
    };
    app.say(&p[0].1, conversation, "Still slow").await;
    change(&app, &staff, &t, json!({"status": "pending"}), 200, None).await;
    assert_eq!(read(&staff).await["first_response_at"], Value::Null, "neither the requester nor system messages answer");

    app.say(&staff, conversation, "Looking into it").await;
    let answered = read(&p[0].1).await;
    assert!(answered["first_response_at"].is_string());
    assert_eq!(answered["message_count"], 3);
    tick().await;
    app.say(&staff, conversation, "Fixed").await;
    assert_eq!(read(&p[0].1).await["first_response_at"], answered["first_response_at"]);
}

#[tokio::test]
async fn the_queue_puts_the_most_urgent_first_then_the_oldest_and_filters() {
    let app = spawn_app().await;
    let p = people(&app, &["amy", "bo"]).await;
    let (agent, staff) = app.user_with_token("staff", "staff").await;
    let mut made = Vec::new();
    for (i, priority) in ["low", "urgent", "medium", "urgent", "high"].into_iter().enumerate() {
        made.push(ticket(&app, &p[i % 2].1, &format!("t{i}"), priority).await);
        tick().await;
    }
    let subjects = |reply: &Value| -> Vec<String> { reply.as_array().unwrap().iter().map(|t| s(&t["subject"]).to_owned()).collect() };
    let queue = app.get("/v1/tickets").bearer(&staff).send().await.expect(200, None);
    assert_eq!(subjects(queue.data()), ["t1", "t3", "t4", "t2", "t0"]);

    let urgent = app.get("/v1/tickets?priority=urgent").bearer(&staff).send().await.expect(200, None);
    assert_eq!(subjects(urgent.data()), ["t1", "t3"]);
    change(&app, &staff, &made[0], json!({"status": "pending", "category": "billing", "assignee_id": agent["id"]}), 200, None).await;
    change(&app, &staff, &made[2], json!({"category": "billing"}), 200, None).await;
    let pending = app.get("/v1/tickets?status=pending").bearer(&staff).send().await.expect(200, None);
    assert_eq!(subjects(pending.data()), ["t0"]);
    let billing = app.get("/v1/tickets?category=billing").bearer(&staff).send().await.expect(200, None);
    assert_eq!(subjects(billing.data()), ["t2", "t0"]);
    let mine = app.get(&format!("/v1/tickets?assignee_id={}", s(&agent["id"]))).bearer(&staff).send().await.expect(200, None);
    assert_eq!(subjects(mine.data()), ["t0"]);
    let paged = app.get("/v1/tickets?per_page=2&page=2").bearer(&staff).send().await.expect(200, None);
    assert_eq!(subjects(paged.data()), ["t4", "t2"]);
    assert_eq!(paged.body["pagination"]["total"], 5);

    // A requester sees their own, newest first.
    let amys = app.get("/v1/tickets").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(subjects(amys.data()), ["t4", "t2", "t0"]);
}
