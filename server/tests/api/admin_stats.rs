//! GET /v1/admin/stats: who may read the dashboard, and its figures against a recount of
//! the rows they summarise (the counters must agree with COUNT(*) over the tables).

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app, TestApp};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

async fn stats(app: &TestApp, token: &str) -> Value {
    app.get("/v1/admin/stats").bearer(token).send().await.expect(200, None).data().clone()
}

async fn count(app: &TestApp, sql: &str, tenant_id: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(tenant_id).fetch_one(app.state.db.pool()).await.expect("recount")
}

async fn grouped(app: &TestApp, sql: &str, tenant_id: &str) -> Vec<(String, i64)> {
    sqlx::query_as::<_, (String, i64)>(sql).bind(tenant_id).fetch_all(app.state.db.pool()).await.expect("recount")
}

/// `figures[key]` has the recounted value for every group, and 0 for every other key.
fn assert_groups(figures: &Value, recount: &[(String, i64)], what: &str) {
    let object = figures.as_object().unwrap_or_else(|| panic!("{what} is an object"));
    for (key, value) in object {
        let expected = recount.iter().filter(|(k, _)| k == key).map(|(_, n)| n).sum::<i64>();
        assert_eq!(value.as_i64(), Some(expected), "{what}.{key}");
    }
    for (key, n) in recount {
        assert!(object.contains_key(key) || *n == 0, "{what} lacks {key}");
    }
}

#[tokio::test]
async fn only_moderators_and_up_of_the_tenant_read_its_stats() {
    let app = spawn_app().await;
    for role in ["user", "host", "staff"] {
        let (_, token) = app.user_with_token(&format!("weak-{role}"), role).await;
        app.get("/v1/admin/stats").bearer(&token).send().await.expect(403, Some("forbidden"));
    }
    app.get("/v1/admin/stats").send().await.expect(401, Some("unauthorized"));
    app.get("/v1/admin/stats").key(&app.secret_key).send().await.expect(401, Some("unauthorized"));

    let p = people(&app, &["talker"]).await;
    let (moderator, moderator_token) = app.user_with_token("mod", "moderator").await;
    let direct = app.direct(&p[0].1, s(&moderator["id"])).await;
    app.say(&p[0].1, s(&direct["id"]), "hello").await;
    for role in ["moderator", "admin", "superadmin"] {
        let (_, token) = app.user_with_token(&format!("strong-{role}"), role).await;
        let figures = stats(&app, &token).await;
        assert_eq!(figures["messages_total"], 1, "{role} reads the tenant's figures");
    }
    assert_eq!(stats(&app, &moderator_token).await["conversations_by_kind"]["direct"], 1);
    let owner = app.login_admin().await;
    assert_eq!(stats(&app, s(&owner["access_token"])).await["messages_total"], 1);

    // Another tenant's admin reads only their own tenant: none of these messages.
    let (_, foreign_admin) = app.outsider("elsewhere", "admin").await;
    let foreign = stats(&app, &foreign_admin).await;
    assert_eq!((foreign["messages_total"].clone(), foreign["conversations_by_kind"]["direct"].clone()), (json!(0), json!(0)));
    let (_, foreign_user) = app.outsider("yetanother", "user").await;
    app.get("/v1/admin/stats").bearer(&foreign_user).send().await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn the_figures_match_a_recount_after_sends_edits_deletes_a_broadcast_and_ticket_changes() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cat"]).await;
    let (ann, bob, cat) = (&p[0], &p[1], &p[2]);
    let (host, host_token) = app.user_with_token("host", "host").await;
    let (_, staff) = app.user_with_token("staff", "staff").await;
    let (_, moderator) = app.user_with_token("mod", "moderator").await;
    let tenant_id = app.tenant_of(&ann.0).await;

    let direct = app.direct(&ann.1, &bob.0).await;
    let first = app.say(&ann.1, s(&direct["id"]), "one").await;
    let second = app.say(&bob.1, s(&direct["id"]), "two").await;
    let group = app.group(&ann.1, "Team", &[&bob.0, &cat.0]).await;
    app.say(&cat.1, s(&group["id"]), "hi all").await;
    app.patch(&format!("/v1/chat/messages/{}", s(&first["id"])))
        .bearer(&ann.1)
        .json(json!({"body": "one!"}))
        .send()
        .await
        .expect(200, None);
    app.delete(&format!("/v1/chat/messages/{}?scope=for_everyone", s(&second["id"]))).bearer(&bob.1).send().await.expect(204, None);
    for f in [ann, cat] {
        app.post(&format!("/v1/chat/users/{}/follow", s(&host["id"]))).bearer(&f.1).send().await.expect(204, None);
    }
    app.post("/v1/chat/broadcast").bearer(&host_token).json(json!({"body": "news"})).send().await.expect(201, None);

    let urgent = app
        .post("/v1/tickets")
        .bearer(&cat.1)
        .json(json!({"subject": "Down", "priority": "urgent", "initial_message": "It is down"}))
        .send()
        .await
        .expect(201, None)
        .data()
        .clone();
    app.post("/v1/tickets").bearer(&bob.1).json(json!({"subject": "Slow", "initial_message": "Slow"})).send().await.expect(201, None);
    app.patch(&format!("/v1/tickets/{}", s(&urgent["id"])))
        .bearer(&staff)
        .json(json!({"status": "pending"}))
        .send()
        .await
        .expect(200, None);
    app.say(&staff, s(&urgent["conversation_id"]), "On it").await;

    // Suspended and deleted users count by status; the deleted one leaves the role counts.
    let (gone, _) = app.user_with_token("gone", "user").await;
    let (held, _) = app.user_with_token("held", "user").await;
    app.patch(&format!("/v1/users/{}", s(&held["id"])))
        .key(&app.secret_key)
        .json(json!({"status": "suspended"}))
        .send()
        .await
        .expect(200, None);
    app.delete(&format!("/v1/users/{}", s(&gone["id"]))).key(&app.secret_key).send().await.expect(204, None);

    // A message written three days ago (as an import would) lands in its own day only.
    let three_days_ago = (Utc::now() - Duration::days(3)).timestamp_millis();
    sqlx::query(
        "INSERT INTO messages (id, tenant_id, conversation_id, seq, sender_id, type, body, created_at)
         VALUES ('01JOLDMESSAGE0000000000000', $1, $2, 1000, $3, 'text', 'old', $4)",
    )
    .bind(&tenant_id)
    .bind(s(&group["id"]))
    .bind(&cat.0)
    .bind(three_days_ago)
    .execute(app.state.db.pool())
    .await
    .unwrap();

    let figures = stats(&app, &moderator).await;
    let now = Utc::now().timestamp_millis();
    let hour = now - now % HOUR_MS;
    let today = now - now % DAY_MS;

    let total = count(&app, "SELECT COUNT(*) FROM messages WHERE tenant_id = $1", &tenant_id).await;
    assert!(total >= 10, "sends, system messages and the broadcast were all written: {total}");
    assert_eq!(figures["messages_total"], total);
    let recent = format!("SELECT COUNT(*) FROM messages WHERE tenant_id = $1 AND created_at >= {}", hour - 23 * HOUR_MS);
    assert_eq!(figures["messages_last_24h"], count(&app, &recent, &tenant_id).await);
    assert_eq!(figures["messages_last_24h"], total - 1, "the old message is outside the window");

    let series = figures["messages_per_day"].as_array().unwrap();
    assert_eq!(series.len(), 30);
    let expected_dates: Vec<String> = (0..30).rev().map(|back| (Utc::now() - Duration::days(back)).date_naive().to_string()).collect();
    let dates: Vec<String> = series.iter().map(|d| s(&d["date"]).to_owned()).collect();
    assert_eq!(dates, expected_dates, "30 UTC days, oldest first, today last");
    let by_day = |start: i64| {
        format!("SELECT COUNT(*) FROM messages WHERE tenant_id = $1 AND created_at >= {start} AND created_at < {}", start + DAY_MS)
    };
    assert_eq!(series[29]["messages"], count(&app, &by_day(today), &tenant_id).await);
    assert_eq!(series[26]["messages"], 1);
    assert_eq!(series.iter().filter(|d| d["messages"] != 0).count(), 2, "every other day is zero");

    let senders = format!(
        "SELECT COUNT(DISTINCT sender_id) FROM messages WHERE tenant_id = $1 AND sender_id IS NOT NULL AND created_at >= {}",
        now - DAY_MS
    );
    assert_eq!(figures["active_users_24h"], count(&app, &senders, &tenant_id).await);
    assert_eq!(figures["active_users_24h"], 5, "ann, bob, cat, the host and the staff member sent messages");

    let kinds =
        grouped(&app, "SELECT kind, COUNT(*) FROM conversations WHERE tenant_id = $1 AND deleted_at IS NULL GROUP BY kind", &tenant_id)
            .await;
    assert_groups(&figures["conversations_by_kind"], &kinds, "conversations_by_kind");
    assert_eq!(figures["conversations_by_kind"]["ticket"], 2);
    let roles =
        grouped(&app, "SELECT role, COUNT(*) FROM users WHERE tenant_id = $1 AND status <> 'deleted' GROUP BY role", &tenant_id).await;
    assert_groups(&figures["users_by_role"], &roles, "users_by_role");
    let statuses = grouped(&app, "SELECT status, COUNT(*) FROM users WHERE tenant_id = $1 GROUP BY status", &tenant_id).await;
    assert_groups(&figures["users_by_status"], &statuses, "users_by_status");
    assert_eq!((figures["users_by_status"]["suspended"].clone(), figures["users_by_status"]["deleted"].clone()), (json!(1), json!(1)));

    let unread = count(
        &app,
        "SELECT COUNT(*) FROM participants p JOIN conversations c ON c.id = p.conversation_id
           JOIN messages m ON m.conversation_id = c.id
          WHERE c.tenant_id = $1 AND c.deleted_at IS NULL AND p.left_at IS NULL AND p.hidden = 0
            AND m.seq > p.last_read_seq AND m.seq > p.cleared_before_seq AND m.deleted_at IS NULL
            AND (m.sender_id IS NULL OR m.sender_id <> p.user_id)",
        &tenant_id,
    )
    .await;
    assert!(unread > 0);
    assert_eq!(figures["unread_total"], unread);
    assert_eq!(figures["open_reports"], 0);

    let ticket_statuses = grouped(&app, "SELECT status, COUNT(*) FROM tickets WHERE tenant_id = $1 GROUP BY status", &tenant_id).await;
    assert_groups(&figures["tickets_by_status"], &ticket_statuses, "tickets_by_status");
    let priorities = grouped(&app, "SELECT priority, COUNT(*) FROM tickets WHERE tenant_id = $1 GROUP BY priority", &tenant_id).await;
    assert_groups(&figures["tickets_by_priority"], &priorities, "tickets_by_priority");
    assert_eq!((figures["tickets_by_status"]["pending"].clone(), figures["tickets_by_priority"]["urgent"].clone()), (json!(1), json!(1)));
    let wait = count(
        &app,
        "SELECT first_response_at - created_at FROM tickets WHERE tenant_id = $1 AND first_response_at IS NOT NULL",
        &tenant_id,
    )
    .await;
    assert_eq!(figures["median_first_response_seconds"].as_f64(), Some(wait as f64 / 1000.0), "one answered ticket: its wait");
}

#[tokio::test]
async fn a_tenant_without_messages_has_a_zero_filled_series_no_median_and_counts_connected_users_as_active() {
    let app = spawn_app().await;
    let owner = app.login_admin().await;
    let (_, watcher) = app.user_with_token("watcher", "user").await;
    let mut ws = app.ws(&watcher).await;
    // The connection is recorded before the socket answers its first frame.
    ws.send(json!({"type": "ping"})).await;
    ws.next_of("pong").await;
    let figures = stats(&app, s(&owner["access_token"])).await;
    let series = figures["messages_per_day"].as_array().unwrap();
    assert_eq!(series.len(), 30);
    assert!(series.iter().all(|d| d["messages"] == 0));
    assert_eq!(s(&series[29]["date"]), Utc::now().date_naive().to_string());
    assert_eq!(figures["median_first_response_seconds"], Value::Null);
    assert_eq!((figures["messages_total"].clone(), figures["unread_total"].clone()), (json!(0), json!(0)));
    assert_eq!(figures["active_users_24h"], 1, "connected without sending anything");
}
