//! The chat users' view of each other: the directory, its search, agents, blocks and follows.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{s, spawn_app, Reply, TestApp};

/// A user of the default tenant with the given profile fields, and a chat token for them.
async fn member(app: &TestApp, profile: Value) -> (String, String) {
    let user = app.create_user_with(&app.secret_key, profile).await;
    let id = s(&user["id"]).to_owned();
    let token = app.chat_token(&id).await;
    (id, token)
}

/// A user of a second tenant, `tenant-b`; returns its id and a chat token for it.
async fn user_of_another_tenant(app: &TestApp) -> (String, String) {
    let admin = app.signup("tenant-b", "b@x.test").await;
    let key = app.secret_key_for(s(&admin["access_token"])).await;
    let user = app
        .create_user_with(
            &key,
            json!({"external_id": "b-user", "username": "outsider", "display_name": "Jane Outsider", "phone": "+15550100"}),
        )
        .await;
    let id = s(&user["id"]).to_owned();
    let token = app.post("/v1/users/chat-token").key(&key).json(json!({"user_id": id})).send().await.expect(201, None).data()["chat_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, token)
}

/// A successful search for `q`, which must already be URL-encoded.
async fn search(app: &TestApp, token: &str, q: &str) -> Reply {
    app.get(&format!("/v1/chat/users/search?q={q}")).bearer(token).send().await.expect(200, None)
}

/// The usernames of a listed page, in order.
fn usernames(page: &Value) -> Vec<String> {
    page.as_array().unwrap().iter().map(|u| s(&u["username"]).to_owned()).collect()
}

/// The ids of a listed page, in order.
fn ids(page: &Value) -> Vec<String> {
    page.as_array().unwrap().iter().map(|u| s(&u["id"]).to_owned()).collect()
}

/// Edges made within one millisecond tie on time; a pause makes "newest first" observable.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

#[tokio::test]
async fn the_directory_lists_live_users_by_username_in_pages_with_totals() {
    let app = spawn_app().await;
    let (_, token) = member(&app, json!({"external_id": "e", "username": "Echo"})).await;
    for name in ["delta", "bravo", "charlie", "alpha"] {
        member(&app, json!({"external_id": name, "username": name})).await;
    }
    // Six users: the five above and the bootstrap superadmin "admin".
    let first = app.get("/v1/chat/users?per_page=4").bearer(&token).send().await.expect(200, None);
    assert_eq!(usernames(first.data()), ["admin", "alpha", "bravo", "charlie"]);
    assert_eq!(first.body["pagination"], json!({"page": 1, "per_page": 4, "total": 6, "total_pages": 2}));
    let second = app.get("/v1/chat/users?per_page=4&page=2").bearer(&token).send().await.expect(200, None);
    assert_eq!(usernames(second.data()), ["delta", "Echo"]);
    assert_eq!(second.body["pagination"]["total"], 6);
    let beyond = app.get("/v1/chat/users?per_page=4&page=3").bearer(&token).send().await.expect(200, None);
    assert_eq!(beyond.data(), &json!([]));

    // The public shape carries no contact details.
    let mut fields: Vec<&str> = first.data()[1].as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["avatar_url", "display_name", "id", "last_seen_at", "role", "username"]);

    // A deleted user leaves the directory.
    let alpha = s(&first.data()[1]["id"]).to_owned();
    app.delete(&format!("/v1/users/{alpha}")).key(&app.secret_key).send().await.expect(204, None);
    let after = app.get("/v1/chat/users").bearer(&token).send().await.expect(200, None);
    assert_eq!(usernames(after.data()), ["admin", "bravo", "charlie", "delta", "Echo"]);
    assert_eq!(after.body["pagination"]["total"], 5);
}

#[tokio::test]
async fn search_matches_username_and_display_name_ignoring_case() {
    let app = spawn_app().await;
    let (_, token) = member(&app, json!({"external_id": "me", "username": "searcher"})).await;
    member(&app, json!({"external_id": "j", "username": "jane_doe", "display_name": "Jane", "phone": "+1 555 0100"})).await;
    member(&app, json!({"external_id": "m", "username": "mark", "display_name": "Mark MacJANEs", "phone": "+44 20 7946"})).await;
    member(&app, json!({"external_id": "p", "username": "pat", "display_name": "Pat", "phone": "+1 555 0199"})).await;

    let by_name = search(&app, &token, "JANE").await;
    assert_eq!(usernames(by_name.data()), ["jane_doe", "mark"]);
    assert_eq!(by_name.body["pagination"]["total"], 2);
    assert_eq!(usernames(search(&app, &token, "macjane").await.data()), ["mark"]);
    // Phone numbers are not shown to chat users, so they do not find anyone by them.
    assert_eq!(search(&app, &token, "555").await.body["pagination"]["total"], 0);
    assert_eq!(usernames(search(&app, &token, "PAT").await.data()), ["pat"]);
    // LIKE wildcards in the text match only themselves.
    assert_eq!(search(&app, &token, "%25").await.body["pagination"]["total"], 0);
    assert_eq!(usernames(search(&app, &token, "_").await.data()), ["jane_doe"]);
    let paged = app.get("/v1/chat/users/search?q=a&per_page=1&page=2").bearer(&token).send().await.expect(200, None);
    assert_eq!(paged.body["pagination"]["per_page"], 1);
    assert_eq!(paged.data().as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_blank_or_missing_search_text_is_refused() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    app.get("/v1/chat/users/search?q=").bearer(&token).send().await.expect(422, Some("validation_failed"));
    app.get("/v1/chat/users/search?q=%20%20").bearer(&token).send().await.expect(422, Some("validation_failed"));
    let long = "x".repeat(101);
    app.get(&format!("/v1/chat/users/search?q={long}")).bearer(&token).send().await.expect(422, Some("validation_failed"));
    app.get("/v1/chat/users/search").bearer(&token).send().await.expect(400, Some("bad_request"));
}

#[tokio::test]
async fn agents_are_staff_and_stronger_only() {
    let app = spawn_app().await;
    let (_, token) = member(&app, json!({"external_id": "u", "username": "plain", "role": "user"})).await;
    for role in ["host", "staff", "moderator", "admin", "superadmin"] {
        member(&app, json!({"external_id": role, "username": format!("{role}-1"), "role": role})).await;
    }
    let reply = app.get("/v1/chat/agents").bearer(&token).send().await.expect(200, None);
    // The bootstrap superadmin "admin" is an agent too.
    assert_eq!(usernames(reply.data()), ["admin", "admin-1", "moderator-1", "staff-1", "superadmin-1"]);
    assert_eq!(reply.body["pagination"]["total"], 5);
    assert_eq!(reply.data()[3]["role"], "staff");
    let paged = app.get("/v1/chat/agents?per_page=2&page=3").bearer(&token).send().await.expect(200, None);
    assert_eq!(usernames(paged.data()), ["superadmin-1"]);
    assert_eq!(paged.body["pagination"]["total_pages"], 3);
}

#[tokio::test]
async fn blocking_is_idempotent_listed_newest_first_and_undone_by_unblocking() {
    let app = spawn_app().await;
    let (me, token) = app.user_with_token("me", "user").await;
    let me = s(&me["id"]).to_owned();
    let (first, _) = member(&app, json!({"external_id": "first"})).await;
    let (second, _) = member(&app, json!({"external_id": "second"})).await;
    let db = &app.state.db;

    app.post(&format!("/v1/chat/users/{first}/block")).bearer(&token).send().await.expect(204, None);
    tick().await;
    app.post(&format!("/v1/chat/users/{second}/block")).bearer(&token).send().await.expect(204, None);
    app.post(&format!("/v1/chat/users/{first}/block")).bearer(&token).send().await.expect(204, None);
    let blocks = app.get("/v1/chat/blocks").bearer(&token).send().await.expect(200, None);
    assert_eq!(ids(blocks.data()), [second.clone(), first.clone()]);
    assert_eq!(blocks.body["pagination"]["total"], 2);
    assert!(confab_server::store::social::is_blocked(db, &me, &first).await.unwrap());
    assert!(!confab_server::store::social::is_blocked(db, &first, &me).await.unwrap());

    app.delete(&format!("/v1/chat/users/{first}/block")).bearer(&token).send().await.expect(204, None);
    app.delete(&format!("/v1/chat/users/{first}/block")).bearer(&token).send().await.expect(204, None);
    let blocks = app.get("/v1/chat/blocks").bearer(&token).send().await.expect(200, None);
    assert_eq!(ids(blocks.data()), [second]);
    assert_eq!(blocks.body["pagination"]["total"], 1);
    assert!(!confab_server::store::social::is_blocked(db, &me, &first).await.unwrap());
}

#[tokio::test]
async fn blocking_yourself_or_an_unknown_user_is_refused() {
    let app = spawn_app().await;
    let (me, token) = app.user_with_token("me", "user").await;
    let me = s(&me["id"]);
    app.post(&format!("/v1/chat/users/{me}/block")).bearer(&token).send().await.expect(422, Some("validation_failed"));
    app.post(&format!("/v1/chat/users/{}/block", me.to_lowercase())).bearer(&token).send().await.expect(422, Some("validation_failed"));
    app.post("/v1/chat/users/not-an-id/block").bearer(&token).send().await.expect(400, Some("bad_request"));
    app.post("/v1/chat/users/01JN2X4K8M3F7QPZRVWT6YBHCE/block").bearer(&token).send().await.expect(404, Some("not_found"));
    app.delete("/v1/chat/users/01JN2X4K8M3F7QPZRVWT6YBHCE/block").bearer(&token).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn blocking_or_following_a_user_of_another_tenant_is_not_found() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("me", "user").await;
    let (outsider, _) = user_of_another_tenant(&app).await;
    for action in ["block", "follow"] {
        let path = format!("/v1/chat/users/{outsider}/{action}");
        app.post(&path).bearer(&token).send().await.expect(404, Some("not_found"));
        app.delete(&path).bearer(&token).send().await.expect(404, Some("not_found"));
    }
    let blocks = app.get("/v1/chat/blocks").bearer(&token).send().await.expect(200, None);
    assert_eq!(blocks.body["pagination"]["total"], 0);
}

#[tokio::test]
async fn following_is_idempotent_and_seen_from_both_sides() {
    let app = spawn_app().await;
    let (host, host_token) = member(&app, json!({"external_id": "host", "username": "host", "role": "host"})).await;
    let (fan1, fan1_token) = member(&app, json!({"external_id": "fan1", "username": "fan1"})).await;
    let (fan2, fan2_token) = member(&app, json!({"external_id": "fan2", "username": "fan2"})).await;

    app.post(&format!("/v1/chat/users/{host}/follow")).bearer(&fan1_token).send().await.expect(204, None);
    app.post(&format!("/v1/chat/users/{host}/follow")).bearer(&fan1_token).send().await.expect(204, None);
    tick().await;
    app.post(&format!("/v1/chat/users/{host}/follow")).bearer(&fan2_token).send().await.expect(204, None);
    tick().await;
    app.post(&format!("/v1/chat/users/{fan2}/follow")).bearer(&fan1_token).send().await.expect(204, None);

    let followers = app.get("/v1/chat/followers").bearer(&host_token).send().await.expect(200, None);
    assert_eq!(ids(followers.data()), [fan2.clone(), fan1.clone()]);
    assert_eq!(followers.body["pagination"]["total"], 2);
    let following = app.get("/v1/chat/following").bearer(&fan1_token).send().await.expect(200, None);
    assert_eq!(ids(following.data()), [fan2.clone(), host.clone()]);
    let page = app.get("/v1/chat/following?per_page=1&page=2").bearer(&fan1_token).send().await.expect(200, None);
    assert_eq!(ids(page.data()), std::slice::from_ref(&host));
    assert_eq!(page.body["pagination"], json!({"page": 2, "per_page": 1, "total": 2, "total_pages": 2}));
    let host_following = app.get("/v1/chat/following").bearer(&host_token).send().await.expect(200, None);
    assert_eq!(host_following.body["pagination"]["total"], 0);
    let mut fans = vec![fan1.clone(), fan2.clone()];
    fans.sort();
    let tenant = s(&app.get("/v1/auth/me").bearer(&host_token).send().await.expect(200, None).data()["tenant"]["id"]).to_owned();
    assert_eq!(confab_server::store::social::follower_ids(&app.state.db, &tenant, &host).await.unwrap(), fans);

    app.delete(&format!("/v1/chat/users/{host}/follow")).bearer(&fan1_token).send().await.expect(204, None);
    app.delete(&format!("/v1/chat/users/{host}/follow")).bearer(&fan1_token).send().await.expect(204, None);
    let followers = app.get("/v1/chat/followers").bearer(&host_token).send().await.expect(200, None);
    assert_eq!(ids(followers.data()), std::slice::from_ref(&fan2));
    let following = app.get("/v1/chat/following").bearer(&fan1_token).send().await.expect(200, None);
    assert_eq!(ids(following.data()), [fan2]);
    assert_eq!(confab_server::store::social::follower_ids(&app.state.db, &tenant, &host).await.unwrap().len(), 1);

    app.post(&format!("/v1/chat/users/{host}/follow")).bearer(&host_token).send().await.expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn a_user_of_another_tenant_never_appears_in_lists_or_search() {
    let app = spawn_app().await;
    let (_, token) = member(&app, json!({"external_id": "me", "username": "insider", "display_name": "Jane Insider"})).await;
    let (outsider, outsider_token) = user_of_another_tenant(&app).await;
    // The outsider's own tenant sees only its own two users: its superadmin "b" and itself.
    let theirs = app.get("/v1/chat/users").bearer(&outsider_token).send().await.expect(200, None);
    assert_eq!(usernames(theirs.data()), ["b", "outsider"]);

    let everyone = app.get("/v1/chat/users?per_page=100").bearer(&token).send().await.expect(200, None);
    assert!(!ids(everyone.data()).contains(&outsider));
    assert_eq!(everyone.body["pagination"]["total"], 2);
    for q in ["outsider", "jane", "555"] {
        let found = app.get(&format!("/v1/chat/users/search?q={q}")).bearer(&token).send().await.expect(200, None);
        assert!(!ids(found.data()).contains(&outsider), "{q} found the outsider");
    }
    let agents = app.get("/v1/chat/agents").bearer(&token).send().await.expect(200, None);
    assert_eq!(usernames(agents.data()), ["admin"]);
    let agents = app.get("/v1/chat/agents").bearer(&outsider_token).send().await.expect(200, None);
    assert_eq!(usernames(agents.data()), ["b"]);
}

#[tokio::test]
async fn every_chat_user_operation_needs_a_bearer_token() {
    let app = spawn_app().await;
    let (other, _) = member(&app, json!({"external_id": "other"})).await;
    let gets =
        ["/v1/chat/users", "/v1/chat/users/search?q=a", "/v1/chat/agents", "/v1/chat/blocks", "/v1/chat/followers", "/v1/chat/following"];
    for path in gets {
        app.get(path).send().await.expect(401, Some("unauthorized"));
        // An API key is not a user, so it is not enough either.
        app.get(path).key(&app.secret_key).send().await.expect(401, Some("unauthorized"));
    }
    for action in ["block", "follow"] {
        let path = format!("/v1/chat/users/{other}/{action}");
        app.post(&path).send().await.expect(401, Some("unauthorized"));
        app.delete(&path).send().await.expect(401, Some("unauthorized"));
    }
    app.get("/v1/chat/users").bearer("not-a-token").send().await.expect(401, Some("unauthorized"));
}
