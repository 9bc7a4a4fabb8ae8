use serde_json::json;

use crate::helpers::{people, race, s, spawn_app, tick};

#[tokio::test]
async fn a_direct_conversation_is_created_once_per_pair() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let (ann, bob) = (&p[0], &p[1]);
    let first = app.post("/v1/chat/conversations").bearer(&ann.1).json(json!({"user_id": bob.0})).send().await.expect(201, None);
    let again = app.post("/v1/chat/conversations").bearer(&bob.1).json(json!({"user_id": ann.0})).send().await.expect(200, None);
    assert_eq!(first.data()["id"], again.data()["id"]);
    assert_eq!(first.data()["kind"], "direct");
    assert_eq!(first.data()["participant"]["id"], json!(bob.0));
    assert_eq!(again.data()["participant"]["id"], json!(ann.0));
    assert_eq!(first.data()["participants"].as_array().unwrap().len(), 2);
    assert_eq!(first.data()["unread_count"], 0);
}

#[tokio::test]
async fn twenty_racing_requests_for_one_pair_make_one_conversation() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let url = format!("{}/v1/chat/conversations", app.address);
    let requests = (0..20)
        .map(|i| {
            let (me, other) = if i % 2 == 0 { (&p[0], &p[1]) } else { (&p[1], &p[0]) };
            app.client.post(&url).bearer_auth(&me.1).json(&json!({"user_id": other.0}))
        })
        .collect();
    let (ids, created) = race(requests).await;
    assert_eq!((ids.len(), created), (1, 1));
}

#[tokio::test]
async fn talking_to_yourself_is_refused_and_unknown_users_are_not_found() {
    let app = spawn_app().await;
    let p = people(&app, &["ann"]).await;
    app.post("/v1/chat/conversations").bearer(&p[0].1).json(json!({"user_id": p[0].0})).send().await.expect(422, Some("validation_failed"));
    app.post("/v1/chat/conversations")
        .bearer(&p[0].1)
        .json(json!({"user_id": "01JN2X4K8M3F7QPZRVWT6YBHCE"}))
        .send()
        .await
        .expect(404, Some("not_found"));
    app.post("/v1/chat/conversations").bearer(&p[0].1).json(json!({"user_id": "junk"})).send().await.expect(400, Some("bad_request"));
    app.post("/v1/chat/conversations").bearer(&p[0].1).json(json!({"kind": "group"})).send().await.expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn group_owners_and_admins_manage_the_group_and_members_do_not() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "mem", "new", "other"]).await;
    let (owner, member, newcomer) = (&p[0], &p[1], &p[2]);
    let group = app.group(&owner.1, "Team", &[&member.0]).await;
    let id = s(&group["id"]);
    assert_eq!(group["role"], "owner");
    assert_eq!(group["participants"].as_array().unwrap().len(), 2);

    app.patch(&format!("/v1/chat/conversations/{id}"))
        .bearer(&member.1)
        .json(json!({"name": "Mine"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    let renamed = app
        .patch(&format!("/v1/chat/conversations/{id}"))
        .bearer(&owner.1)
        .json(json!({"name": "Renamed", "description": "About things"}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(renamed.data()["name"], "Renamed");
    assert_eq!(renamed.data()["description"], "About things");

    app.post(&format!("/v1/chat/conversations/{id}/participants"))
        .bearer(&member.1)
        .json(json!({"user_ids": [newcomer.0]}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.post(&format!("/v1/chat/conversations/{id}/participants"))
        .bearer(&owner.1)
        .json(json!({"user_ids": [newcomer.0]}))
        .send()
        .await
        .expect(201, None);
    let list = app.get(&format!("/v1/chat/conversations/{id}/participants")).bearer(&newcomer.1).send().await.expect(200, None);
    assert_eq!(list.data().as_array().unwrap().len(), 3);

    // A member cannot remove another; the owner can; anyone can leave.
    app.delete(&format!("/v1/chat/conversations/{id}/participants/{}", newcomer.0))
        .bearer(&member.1)
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.delete(&format!("/v1/chat/conversations/{id}/participants/{}", newcomer.0)).bearer(&owner.1).send().await.expect(204, None);
    app.get(&format!("/v1/chat/conversations/{id}")).bearer(&newcomer.1).send().await.expect(403, Some("forbidden"));
    app.delete(&format!("/v1/chat/conversations/{id}/participants/{}", member.0)).bearer(&member.1).send().await.expect(204, None);
    app.post(&format!("/v1/chat/conversations/{id}/messages"))
        .bearer(&member.1)
        .json(json!({"body": "still here?"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
}

#[tokio::test]
async fn an_owner_who_leaves_hands_the_group_on() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "heir"]).await;
    let group = app.group(&p[0].1, "Team", &[&p[1].0]).await;
    let id = s(&group["id"]);
    app.delete(&format!("/v1/chat/conversations/{id}/participants/{}", p[0].0)).bearer(&p[0].1).send().await.expect(204, None);
    let seen = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(seen.data()["role"], "owner");
    app.patch(&format!("/v1/chat/conversations/{id}")).bearer(&p[1].1).json(json!({"name": "Mine now"})).send().await.expect(200, None);
}

#[tokio::test]
async fn the_list_is_ordered_by_activity_with_filters_and_totals() {
    let app = spawn_app().await;
    let p = people(&app, &["me", "zed", "amy", "bo"]).await;
    let me = &p[0];
    let with_zed = app.direct(&me.1, &p[1].0).await;
    tick().await;
    let with_amy = app.direct(&me.1, &p[2].0).await;
    tick().await;
    let group = app.group(&me.1, "Club", &[&p[3].0]).await;
    tick().await;
    app.say(&p[1].1, s(&with_zed["id"]), "hi from zed").await;

    let list = app.get("/v1/chat/conversations").bearer(&me.1).send().await.expect(200, None);
    let ids: Vec<&str> = list.data().as_array().unwrap().iter().map(|c| s(&c["id"])).collect();
    assert_eq!(ids, vec![s(&with_zed["id"]), s(&group["id"]), s(&with_amy["id"])]);
    assert_eq!(list.body["pagination"]["total"], 3);
    let top = &list.data()[0];
    assert_eq!(top["last_message"]["body"], "hi from zed");
    assert_eq!(top["unread_count"], 1);
    assert_eq!(top["participant"]["username"], "zed");

    let oldest = app.get("/v1/chat/conversations?sort=updated_at").bearer(&me.1).send().await.expect(200, None);
    assert_eq!(oldest.data()[0]["id"], with_amy["id"]);
    let groups = app.get("/v1/chat/conversations?kind=group").bearer(&me.1).send().await.expect(200, None);
    assert_eq!(groups.body["pagination"]["total"], 1);
    let peer = app.get("/v1/chat/conversations?search_peer=AM").bearer(&me.1).send().await.expect(200, None);
    assert_eq!(peer.body["pagination"]["total"], 1);
    assert_eq!(peer.data()[0]["id"], with_amy["id"]);
    let paged = app.get("/v1/chat/conversations?page=2&per_page=2").bearer(&me.1).send().await.expect(200, None);
    assert_eq!(paged.data().as_array().unwrap().len(), 1);
    assert_eq!(paged.body["pagination"]["total_pages"], 2);
    app.get("/v1/chat/conversations?sort=sideways").bearer(&me.1).send().await.expect(400, Some("bad_request"));
    app.get("/v1/chat/conversations?kind=party").bearer(&me.1).send().await.expect(400, Some("bad_request"));
}

#[tokio::test]
async fn mute_and_archive_are_per_caller_and_a_new_message_unarchives() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = app.direct(&p[0].1, &p[1].0).await;
    let id = s(&convo["id"]);
    app.post(&format!("/v1/chat/conversations/{id}/mute")).bearer(&p[0].1).send().await.expect(204, None);
    app.post(&format!("/v1/chat/conversations/{id}/archive")).bearer(&p[0].1).send().await.expect(204, None);
    let mine = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!((mine.data()["muted"].clone(), mine.data()["archived"].clone()), (json!(true), json!(true)));
    let theirs = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!((theirs.data()["muted"].clone(), theirs.data()["archived"].clone()), (json!(false), json!(false)));
    let archived = app.get("/v1/chat/conversations?archived=true").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(archived.body["pagination"]["total"], 1);
    let active = app.get("/v1/chat/conversations?archived=false").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(active.body["pagination"]["total"], 0);

    app.say(&p[1].1, id, "wake up").await;
    let mine = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(mine.data()["archived"], false);
    assert_eq!(mine.data()["muted"], true, "muted conversations stay muted");
    assert_eq!(mine.data()["unread_count"], 1, "muted conversations still count unread");
    app.delete(&format!("/v1/chat/conversations/{id}/mute")).bearer(&p[0].1).send().await.expect(204, None);
    app.post(&format!("/v1/chat/conversations/{id}/archive")).bearer(&p[0].1).send().await.expect(204, None);
    app.delete(&format!("/v1/chat/conversations/{id}/archive")).bearer(&p[0].1).send().await.expect(204, None);
    let mine = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!((mine.data()["muted"].clone(), mine.data()["archived"].clone()), (json!(false), json!(false)));
}

#[tokio::test]
async fn sending_into_a_conversation_one_archived_keeps_it_archived_for_the_sender_only() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    for who in [&p[0].1, &p[1].1] {
        app.post(&format!("/v1/chat/conversations/{id}/archive")).bearer(who).send().await.expect(204, None);
    }
    app.say(&p[0].1, &id, "still here").await;
    let mine = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(mine.data()["archived"], true, "the sender's own archive stays");
    assert_eq!(mine.data()["last_message"]["body"], "still here");
    let theirs = app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(theirs.data()["archived"], false, "the recipient gets it back");
    assert_eq!(theirs.data()["unread_count"], 1);
}

#[tokio::test]
async fn delete_for_me_hides_history_for_the_caller_only() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.say(&p[0].1, &id, "one").await;
    app.say(&p[1].1, &id, "two").await;
    app.delete(&format!("/v1/chat/conversations/{id}?scope=for_me")).bearer(&p[0].1).send().await.expect(204, None);
    let list = app.get("/v1/chat/conversations").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(list.body["pagination"]["total"], 0, "hidden from the caller's list");
    let history = app.get(&format!("/v1/chat/conversations/{id}/messages")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(history.body["pagination"]["total"], 0);
    let theirs = app.get(&format!("/v1/chat/conversations/{id}/messages")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(theirs.body["pagination"]["total"], 2);

    app.say(&p[1].1, &id, "three").await;
    let list = app.get("/v1/chat/conversations").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(list.body["pagination"]["total"], 1, "a new message brings it back");
    assert_eq!(list.data()[0]["unread_count"], 1);
    let history = app.get(&format!("/v1/chat/conversations/{id}/messages")).bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(history.data().as_array().unwrap().len(), 1);
    assert_eq!(history.data()[0]["body"], "three");
}

#[tokio::test]
async fn delete_for_everyone_needs_a_group_manager_or_a_moderator() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "mem"]).await;
    let (_, moderator) = app.user_with_token("mod", "moderator").await;
    let group = app.group(&p[0].1, "Team", &[&p[1].0]).await;
    let id = s(&group["id"]);
    app.delete(&format!("/v1/chat/conversations/{id}?scope=for_everyone")).bearer(&p[1].1).send().await.expect(403, Some("forbidden"));
    app.delete(&format!("/v1/chat/conversations/{id}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[1].1).send().await.expect(404, Some("not_found"));

    let direct = app.direct(&p[0].1, &p[1].0).await;
    let did = s(&direct["id"]);
    app.delete(&format!("/v1/chat/conversations/{did}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(403, Some("forbidden"));
    let mod_id = s(&app.get("/v1/auth/me").bearer(&moderator).send().await.data()["user"]["id"]).to_owned();
    let moderated = app.group(&p[0].1, "Moderated", &[&mod_id]).await;
    app.delete(&format!("/v1/chat/conversations/{}?scope=for_everyone", s(&moderated["id"])))
        .bearer(&moderator)
        .send()
        .await
        .expect(204, None);
    // The pair may start over after a direct conversation is gone.
    app.post("/v1/chat/conversations").bearer(&p[0].1).json(json!({"user_id": p[1].0})).send().await.expect(200, None);
}

#[tokio::test]
async fn a_conversation_deleted_for_everyone_leaves_lists_totals_and_unread_counts() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "mem"]).await;
    let (owner, mem) = (&p[0].1, &p[1].1);
    let group = s(&app.group(owner, "Team", &[&p[1].0]).await["id"]).to_owned();
    let direct = s(&app.direct(owner, &p[1].0).await["id"]).to_owned();
    app.say(owner, &group, "to the team").await;
    app.say(owner, &direct, "to you").await;
    let totals = |query: &'static str| {
        let app = &app;
        async move {
            let list = app.get(&format!("/v1/chat/conversations{query}")).bearer(mem).send().await.expect(200, None);
            let unread = app.get("/v1/chat/conversations/unread").bearer(mem).send().await.expect(200, None);
            (list.body["pagination"]["total"].as_i64().unwrap(), unread.data()["total"].as_i64().unwrap())
        }
    };
    assert_eq!(totals("").await, (2, 2));
    assert_eq!(totals("?kind=group").await.0, 1);

    app.delete(&format!("/v1/chat/conversations/{group}?scope=for_everyone")).bearer(owner).send().await.expect(204, None);
    assert_eq!(totals("").await, (1, 1), "only the direct conversation is left");
    assert_eq!(totals("?kind=group").await.0, 0);
    assert_eq!(totals("?search_peer=own").await.0, 1);
    let unread = app.get("/v1/chat/conversations/unread").bearer(mem).send().await.expect(200, None);
    assert_eq!(unread.data()["conversations"], json!([{"conversation_id": direct, "unread_count": 1}]));
}

#[tokio::test]
async fn non_participants_get_403_and_other_tenants_get_404() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "eve"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.get(&format!("/v1/chat/conversations/{id}")).bearer(&p[2].1).send().await.expect(403, Some("forbidden"));
    app.get(&format!("/v1/chat/conversations/{id}/messages")).bearer(&p[2].1).send().await.expect(403, Some("forbidden"));
    app.post(&format!("/v1/chat/conversations/{id}/messages"))
        .bearer(&p[2].1)
        .json(json!({"body": "x"}))
        .send()
        .await
        .expect(403, Some("forbidden"));

    let other = app.signup("elsewhere", "x@y.test").await;
    let key = app.secret_key_for(s(&other["access_token"])).await;
    let stranger = app.create_user_with(&key, json!({"external_id": "stranger"})).await;
    let token = app.post("/v1/users/chat-token").key(&key).json(json!({"user_id": stranger["id"]})).send().await.expect(201, None).data()
        ["chat_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&format!("/v1/chat/conversations/{id}")).bearer(&token).send().await.expect(404, Some("not_found"));
    app.post("/v1/chat/conversations").bearer(&token).json(json!({"user_id": p[0].0})).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn users_who_cannot_receive_messages_cannot_be_added_or_messaged() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "mute"]).await;
    let id = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    app.patch(&format!("/v1/users/{}", p[2].0))
        .key(&app.secret_key)
        .json(json!({"permissions": {"can_receive_message": false}}))
        .send()
        .await
        .expect(200, None);
    app.post(&format!("/v1/chat/conversations/{id}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "x"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.post("/v1/chat/conversations")
        .bearer(&p[1].1)
        .json(json!({"kind": "group", "name": "G", "participant_ids": [p[2].0]}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    app.post("/v1/chat/conversations").bearer(&p[1].1).json(json!({"user_id": p[2].0})).send().await.expect(403, Some("forbidden"));
}

#[tokio::test]
async fn the_owner_makes_admins_who_then_manage_members_but_not_the_owner() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "adm", "mem", "new"]).await;
    let id = s(&app.group(&p[0].1, "Team", &[&p[1].0, &p[2].0]).await["id"]).to_owned();
    let role_path = |user: &str| format!("/v1/chat/conversations/{id}/participants/{user}");
    app.patch(&role_path(&p[1].0)).bearer(&p[2].1).json(json!({"role": "admin"})).send().await.expect(403, Some("forbidden"));
    let members = app.patch(&role_path(&p[1].0)).bearer(&p[0].1).json(json!({"role": "admin"})).send().await.expect(200, None);
    assert!(members.data().as_array().unwrap().iter().any(|m| m["id"] == json!(p[1].0) && m["role"] == "admin"));
    app.patch(&role_path(&p[1].0)).bearer(&p[0].1).json(json!({"role": "owner"})).send().await.expect(400, Some("bad_request"));

    app.post(&format!("/v1/chat/conversations/{id}/participants"))
        .bearer(&p[1].1)
        .json(json!({"user_ids": [p[3].0]}))
        .send()
        .await
        .expect(201, None);
    app.patch(&format!("/v1/chat/conversations/{id}")).bearer(&p[1].1).json(json!({"name": "By admin"})).send().await.expect(200, None);
    app.delete(&role_path(&p[2].0)).bearer(&p[1].1).send().await.expect(204, None);
    app.delete(&role_path(&p[0].0)).bearer(&p[1].1).send().await.expect(403, Some("forbidden"));
    app.patch(&role_path(&p[0].0)).bearer(&p[1].1).json(json!({"role": "member"})).send().await.expect(403, Some("forbidden"));
}
