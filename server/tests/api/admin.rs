//! The admin API: every route refuses users below moderator (403; user conversations below
//! admin) and hides another tenant's ids (404), and does what it says for those allowed.

use serde_json::{json, Value};

use crate::helpers::*;

/// Callers of every role in the default tenant, and an admin of another tenant.
struct Cast {
    below: Vec<(&'static str, String)>,
    moderator: String,
    admin: String,
    superadmin: String,
    outsider_admin: String,
}

async fn cast(app: &TestApp) -> Cast {
    let mut below = Vec::new();
    for role in ["user", "host", "staff"] {
        below.push((role, app.user_with_token(&format!("cast-{role}"), role).await.1));
    }
    Cast {
        below,
        moderator: app.user_with_token("cast-moderator", "moderator").await.1,
        admin: app.user_with_token("cast-admin", "admin").await.1,
        superadmin: s(&app.login_admin().await["access_token"]).to_owned(),
        outsider_admin: app.outsider("elsewhere", "admin").await.1,
    }
}

/// A conversation between two users with one message; returns (conversation, message, ann).
async fn chat(app: &TestApp) -> (String, String, (String, String)) {
    let folks = people(app, &["ann", "bob"]).await;
    let conversation = app.direct(&folks[0].1, &folks[1].0).await;
    let id = s(&conversation["id"]).to_owned();
    let message = app.say(&folks[0].1, &id, "hello moderators").await;
    (id, s(&message["id"]).to_owned(), folks[0].clone())
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> Reply {
    let mut call = app.call(method, path).bearer(token);
    if let Some(body) = body {
        call = call.json(body);
    }
    call.send().await
}

/// `path` answers 403 `forbidden` to every caller below `min` and 404 to another tenant's
/// admin (or, for lists, shows them nothing of this tenant).
async fn refused(app: &TestApp, cast: &Cast, method: reqwest::Method, path: &str, body: Option<Value>, below_admin: bool) {
    let mut below: Vec<(&str, &str)> = cast.below.iter().map(|(role, token)| (*role, token.as_str())).collect();
    if below_admin {
        below.push(("moderator", &cast.moderator));
    }
    for (role, token) in below {
        let reply = call(app, method.clone(), path, token, body.clone()).await;
        assert_eq!(reply.status.as_u16(), 403, "{role} on {method} {path}: {}", reply.text);
        assert_eq!(reply.body["code"], "forbidden");
    }
}

#[tokio::test]
async fn every_admin_route_refuses_users_below_moderator_and_other_tenants() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (conversation, message, (ann, _)) = chat(&app).await;
    use reqwest::Method as M;
    let routes: Vec<(M, String, Option<Value>, bool)> = vec![
        (M::GET, "/v1/admin/conversations".into(), None, false),
        (M::GET, format!("/v1/admin/conversations/{conversation}"), None, false),
        (M::GET, format!("/v1/admin/conversations/{conversation}/messages"), None, false),
        (M::GET, "/v1/admin/users".into(), None, false),
        (M::PATCH, format!("/v1/admin/users/{ann}"), Some(json!({"status": "suspended"})), false),
        (M::GET, format!("/v1/admin/users/{ann}/conversations"), None, true),
        (M::DELETE, format!("/v1/admin/messages/{message}"), None, false),
        (M::GET, "/v1/admin/audit-log".into(), None, false),
        (M::GET, "/v1/admin/messages/search?q=hello".into(), None, false),
    ];
    for (method, path, body, below_admin) in &routes {
        refused(&app, &cast, method.clone(), path, body.clone(), *below_admin).await;
        let reply = call(&app, method.clone(), path, &cast.outsider_admin, body.clone()).await;
        if path.contains(&ann) || path.contains(&conversation) || path.contains(&message) {
            assert_eq!(reply.status.as_u16(), 404, "another tenant's admin on {method} {path}: {}", reply.text);
        } else {
            assert_eq!(reply.status.as_u16(), 200, "{method} {path}: {}", reply.text);
            assert!(
                !reply.text.contains(&ann) && !reply.text.contains(&conversation) && !reply.text.contains(&message),
                "leak: {}",
                reply.text
            );
        }
    }
    // Nothing happened: the message is intact and ann is active.
    let messages = app.get(&format!("/v1/admin/conversations/{conversation}/messages")).bearer(&cast.admin).send().await.expect(200, None);
    assert_eq!(messages.data()[0]["body"], "hello moderators");

    // Those allowed get through; user conversations need admin.
    for token in [&cast.moderator, &cast.admin, &cast.superadmin] {
        for (method, path, _, below_admin) in &routes {
            if *method != M::GET || (*below_admin && token == &cast.moderator) {
                continue;
            }
            call(&app, method.clone(), path, token, None).await.expect(200, None);
        }
    }
    call(&app, M::GET, &format!("/v1/admin/users/{ann}/conversations"), &cast.moderator, None).await.expect(403, Some("forbidden"));
    call(&app, M::DELETE, &format!("/v1/admin/messages/{message}"), &cast.moderator, None).await.expect(204, None);
    call(&app, M::PATCH, &format!("/v1/admin/users/{ann}"), &cast.moderator, Some(json!({"status": "banned"}))).await.expect(200, None);
    // A secret key acts with its authority: the bootstrap key is the owner's.
    app.get("/v1/admin/users").key(&app.secret_key).send().await.expect(200, None);
}

#[tokio::test]
async fn conversations_list_every_kind_with_filters_newest_activity_first_and_paged() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let folks = people(&app, &["ann", "bob", "cid"]).await;
    let direct = app.direct(&folks[0].1, &folks[1].0).await;
    tick().await;
    let group = app.group(&folks[1].1, "Book club", &[&folks[2].0]).await;
    tick().await;
    app.say(&folks[0].1, s(&direct["id"]), "bump").await;

    let list = app.get("/v1/admin/conversations").bearer(&cast.moderator).send().await.expect(200, None);
    let ids: Vec<&str> = list.data().as_array().unwrap().iter().map(|c| s(&c["id"])).collect();
    assert_eq!(ids, [s(&direct["id"]), s(&group["id"])], "latest activity first, every kind, nobody's membership needed");
    assert_eq!(list.body["pagination"]["total"], 2);

    let groups = app.get("/v1/admin/conversations?kind=group").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(groups.data().as_array().unwrap().len(), 1);
    assert_eq!(groups.data()[0]["kind"], "group");
    let of_cid = app.get(&format!("/v1/admin/conversations?user_id={}", folks[2].0)).bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(of_cid.data()[0]["id"], group["id"]);
    assert_eq!(of_cid.data().as_array().unwrap().len(), 1);
    let by_name = app.get("/v1/admin/conversations?q=book").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(by_name.data().as_array().unwrap().len(), 1);
    let by_member = app.get("/v1/admin/conversations?q=AN").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(by_member.data()[0]["id"], direct["id"], "a participant's username matches too");
    let wildcard = app.get("/v1/admin/conversations?q=%25").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(wildcard.data().as_array().unwrap().len(), 0, "LIKE wildcards in q match literally");
    let page2 = app.get("/v1/admin/conversations?per_page=1&page=2").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(page2.data()[0]["id"], group["id"]);
    app.get("/v1/admin/conversations?user_id=nonsense").bearer(&cast.moderator).send().await.expect(400, Some("bad_request"));

    let mine = app.get(&format!("/v1/admin/users/{}/conversations", folks[1].0)).bearer(&cast.admin).send().await.expect(200, None);
    assert_eq!(mine.body["pagination"]["total"], 2);
}

#[tokio::test]
async fn any_conversation_reads_newest_first_with_tombstones_and_search_spans_the_tenant() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (conversation, first, (_, ann_token)) = chat(&app).await;
    let second = app.say(&ann_token, &conversation, "second words").await;
    let mut socket = app.ws(&ann_token).await;

    app.delete(&format!("/v1/admin/messages/{first}")).bearer(&cast.moderator).send().await.expect(204, None);
    let event = socket.next_of("message_deleted").await;
    assert!(event.to_string().contains(&first), "the conversation hears of it: {event}");
    app.delete(&format!("/v1/admin/messages/{first}")).bearer(&cast.moderator).send().await.expect(204, None);

    let page = app.get(&format!("/v1/admin/conversations/{conversation}/messages")).bearer(&cast.moderator).send().await.expect(200, None);
    let messages = page.data().as_array().unwrap();
    assert_eq!(messages[0]["id"], second["id"], "newest first");
    assert_eq!(messages[1]["id"], json!(first));
    assert_eq!(messages[1]["deleted"], true);
    assert_eq!(messages[1]["body"], "", "a tombstone keeps no content");

    let hits = app.get("/v1/admin/messages/search?q=second").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(hits.data()[0]["id"], second["id"], "found without being a member");
    let none = app.get("/v1/admin/messages/search?q=moderators").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(none.data().as_array().unwrap().len(), 0, "removed content is not searchable");
    app.get("/v1/admin/messages/search?q=").bearer(&cast.moderator).send().await.expect(400, Some("bad_request"));
}

#[tokio::test]
async fn users_list_with_counts_and_filters() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (_, _, (ann, _)) = chat(&app).await;
    let list = app.get("/v1/admin/users?q=ANN").bearer(&cast.moderator).send().await.expect(200, None);
    let row = &list.data()[0];
    assert_eq!(row["id"], json!(ann));
    assert_eq!(row["conversation_count"], 1);
    assert_eq!(row["message_count"], 1);
    assert_eq!(row["status"], "active");
    assert_eq!(row["suspended_until"], Value::Null);

    let staff = app.get("/v1/admin/users?role=staff").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(staff.data().as_array().unwrap().len(), 1);
    app.patch(&format!("/v1/admin/users/{ann}"))
        .bearer(&cast.moderator)
        .json(json!({"status": "suspended"}))
        .send()
        .await
        .expect(200, None);
    let suspended = app.get("/v1/admin/users?status=suspended").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(suspended.data().as_array().unwrap().len(), 1);
    assert_eq!(suspended.data()[0]["id"], json!(ann));
    let paged = app.get("/v1/admin/users?per_page=2&page=1").bearer(&cast.moderator).send().await.expect(200, None);
    assert_eq!(paged.data().as_array().unwrap().len(), 2);
    assert!(paged.body["pagination"]["total"].as_i64().unwrap() >= 8);
}

#[tokio::test]
async fn nobody_changes_themselves_a_peer_or_a_stronger_user_and_roles_need_admin() {
    let app = spawn_app().await;
    let (moderator, moderator_token) = app.user_with_token("mod-a", "moderator").await;
    let (other_moderator, _) = app.user_with_token("mod-b", "moderator").await;
    let (admin, admin_token) = app.user_with_token("adm", "admin").await;
    let (user, _) = app.user_with_token("plain", "user").await;
    let patch =
        |token: &str, id: &Value, body: Value| app.patch(&format!("/v1/admin/users/{}", s(&id["id"]))).bearer(token).json(body).send();
    patch(&moderator_token, &moderator, json!({"status": "active"})).await.expect(403, Some("forbidden"));
    patch(&moderator_token, &other_moderator, json!({"status": "banned"})).await.expect(403, Some("forbidden"));
    patch(&moderator_token, &admin, json!({"status": "banned"})).await.expect(403, Some("forbidden"));
    patch(&moderator_token, &user, json!({"role": "host"})).await.expect(403, Some("forbidden"));
    patch(&moderator_token, &user, json!({"permissions": {"can_send_message": false}})).await.expect(403, Some("forbidden"));
    patch(&admin_token, &user, json!({"role": "superadmin"})).await.expect(403, Some("forbidden"));
    patch(&admin_token, &admin, json!({"role": "user"})).await.expect(403, Some("forbidden"));

    let changed = patch(&admin_token, &user, json!({"role": "host", "permissions": {"can_send_message": false}})).await.expect(200, None);
    assert_eq!(changed.data()["role"], "host");
    assert_eq!(changed.data()["permissions"]["can_send_message"], false);
    patch(&moderator_token, &user, json!({"status": "active", "suspended_until": "2999-01-01T00:00:00Z"}))
        .await
        .expect(422, Some("validation_failed"));
    patch(&moderator_token, &user, json!({"status": "suspended", "suspended_until": "2000-01-01T00:00:00Z"}))
        .await
        .expect(422, Some("validation_failed"));
    app.patch("/v1/admin/users/01ARZ3NDEKTSV4RRFFQ69G5FAV")
        .bearer(&admin_token)
        .json(json!({"status": "banned"}))
        .send()
        .await
        .expect(404, Some("not_found"));
}

#[tokio::test]
async fn users_are_looked_up_by_their_ids_within_the_tenant_only() {
    let app = spawn_app().await;
    let moderator = app.user_with_token("lookup-moderator", "moderator").await.1;
    let ann = app.create_user("lookup-ann", "user").await;
    let bob = app.create_user("lookup-bob", "user").await;
    app.create_user("lookup-cat", "user").await;
    let (stranger, _) = app.outsider("lookup-elsewhere", "user").await;

    let path = format!("/v1/admin/users?ids={},{},{stranger}", s(&ann["id"]), s(&bob["id"]));
    let found = app.get(&path).bearer(&moderator).send().await.expect(200, None);
    let mut ids: Vec<&str> = found.data().as_array().unwrap().iter().map(|u| s(&u["id"])).collect();
    ids.sort();
    let mut wanted = vec![s(&ann["id"]), s(&bob["id"])];
    wanted.sort();
    assert_eq!(ids, wanted, "exactly the named users of this tenant");

    app.get("/v1/admin/users?ids=not-an-id").bearer(&moderator).send().await.expect(400, Some("bad_request"));
    // Exactly ids and commas, as the spec's pattern says: no spaces, no blank entries.
    for loose in [format!("{},%20{}", s(&ann["id"]), s(&bob["id"])), format!("{},", s(&ann["id"]))] {
        app.get(&format!("/v1/admin/users?ids={loose}")).bearer(&moderator).send().await.expect(400, Some("bad_request"));
    }
    app.get("/v1/admin/users?ids=").bearer(&moderator).send().await.expect(200, None);
    let many = vec![s(&ann["id"]); 101].join(",");
    app.get(&format!("/v1/admin/users?ids={many}")).bearer(&moderator).send().await.expect(400, Some("bad_request"));
}
