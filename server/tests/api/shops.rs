//! Shops, buyers' threads with them, and finding a thread by its participants (seed 002).

use serde_json::{json, Value};

use crate::helpers::{people, race, s, spawn_app, tick, TestApp};

/// Creates a shop owned by `token`'s user.
async fn shop(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/v1/shops")
        .bearer(token)
        .json(json!({"name": name, "url": format!("https://{name}.shop.test/")}))
        .send()
        .await
        .expect(201, None)
        .data()
        .clone()
}

/// Opens (or gets) `token`'s user's thread with a shop.
async fn thread(app: &TestApp, token: &str, shop_id: &str, initial_message: Option<&str>) -> crate::helpers::Reply {
    let mut body = json!({"kind": "shop", "shop_id": shop_id});
    if let Some(text) = initial_message {
        body["initial_message"] = json!(text);
    }
    app.post("/v1/chat/conversations").bearer(token).json(body).send().await
}

#[tokio::test]
async fn a_shop_is_created_by_its_owner_who_alone_may_change_it() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "other"]).await;
    let created = shop(&app, &p[0].1, "myshop").await;
    let id = s(&created["id"]);
    assert_eq!(created["owner_id"], json!(p[0].0));
    assert_eq!(created["name"], "myshop");
    assert_eq!(created["url"], "https://myshop.shop.test/");

    let read = app.get(&format!("/v1/shops/{id}")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(read.data()["name"], "myshop");
    app.patch(&format!("/v1/shops/{id}")).bearer(&p[1].1).json(json!({"name": "Mine"})).send().await.expect(403, Some("forbidden"));
    let renamed = app
        .patch(&format!("/v1/shops/{id}"))
        .bearer(&p[0].1)
        .json(json!({"name": " My Shop ", "url": "https://shop.test/"}))
        .send()
        .await
        .expect(200, None);
    assert_eq!((renamed.data()["name"].clone(), renamed.data()["url"].clone()), (json!("My Shop"), json!("https://shop.test/")));
    let cleared = app.patch(&format!("/v1/shops/{id}")).bearer(&p[0].1).json(json!({"url": null})).send().await.expect(200, None);
    assert_eq!((cleared.data()["name"].clone(), cleared.data()["url"].clone()), (json!("My Shop"), Value::Null));
}

#[tokio::test]
async fn shops_are_listed_newest_first_and_by_owner() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let first = shop(&app, &p[0].1, "first").await;
    tick().await;
    let second = shop(&app, &p[0].1, "second").await;
    tick().await;
    let bobs = shop(&app, &p[1].1, "bobs").await;
    let all = app.get("/v1/shops").bearer(&p[1].1).send().await.expect(200, None);
    let ids: Vec<&Value> = all.data().as_array().unwrap().iter().map(|s| &s["id"]).collect();
    assert_eq!(ids, [&bobs["id"], &second["id"], &first["id"]]);
    let anns = app.get(&format!("/v1/shops?owner_id={}&per_page=1", p[0].0)).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(anns.body["pagination"]["total"], 2);
    assert_eq!(anns.data()[0]["id"], second["id"]);
    app.get("/v1/shops?owner_id=junk").bearer(&p[1].1).send().await.expect(400, Some("bad_request"));
}

#[tokio::test]
async fn bad_shop_input_is_refused_and_other_tenants_shops_are_not_found() {
    let app = spawn_app().await;
    let p = people(&app, &["ann"]).await;
    let token = &p[0].1;
    app.post("/v1/shops").bearer(token).json(json!({"name": "  "})).send().await.expect(422, Some("validation_failed"));
    // Over the schema's maxLength: refused by the schema, naming the field.
    let long = app.post("/v1/shops").bearer(token).json(json!({"name": "n".repeat(101)})).send().await.expect(400, Some("bad_request"));
    assert!(long.body["message"].as_str().unwrap().contains("`name`"), "{}", long.text);
    app.post("/v1/shops").bearer(token).json(json!({"name": "ok", "url": "not a url"})).send().await.expect(422, Some("validation_failed"));
    app.post("/v1/shops").bearer(token).json(json!({"url": "https://x.shop.test/"})).send().await.expect(400, Some("bad_request"));
    app.get("/v1/shops/junk").bearer(token).send().await.expect(400, Some("bad_request"));
    app.get("/v1/shops/01JN2X4K8M3F7QPZRVWT6YBHCE").bearer(token).send().await.expect(404, Some("not_found"));

    let (_, outsider) = app.outsider("elsewhere", "user").await;
    let theirs = shop(&app, &outsider, "theirs").await;
    let id = s(&theirs["id"]);
    app.get(&format!("/v1/shops/{id}")).bearer(token).send().await.expect(404, Some("not_found"));
    thread(&app, token, id, None).await.expect(404, Some("not_found"));
    let listed = app.get("/v1/shops").bearer(token).send().await.expect(200, None);
    assert_eq!(listed.body["pagination"]["total"], 0);
}

#[tokio::test]
async fn a_buyer_has_one_thread_per_shop_and_the_initial_message_is_sent_once() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "buyer"]).await;
    let (owner, buyer) = (&p[0], &p[1]);
    let myshop = shop(&app, &owner.1, "myshop").await;
    let shop_id = s(&myshop["id"]);

    let first = thread(&app, &buyer.1, shop_id, Some("Is this item still available?")).await.expect(201, None);
    let convo = first.data();
    assert_eq!(convo["kind"], "shop");
    assert_eq!(convo["shop"], json!({"id": shop_id, "name": "myshop", "url": "https://myshop.shop.test/"}));
    assert_eq!(convo["participant"]["id"], json!(owner.0));
    assert_eq!(convo["last_message"]["body"], "Is this item still available?");
    assert_eq!(convo["ticket"], Value::Null);
    let id = s(&convo["id"]);

    let again = thread(&app, &buyer.1, shop_id, Some("Hello again?")).await.expect(200, None);
    assert_eq!(again.data()["id"], json!(id));
    let history = app.history(&buyer.1, id).await;
    assert_eq!(history.len(), 1, "the initial message goes only into a new thread");
    assert_eq!(app.unread_of(&owner.1, id).await, 1);

    // A second shop of the same owner, and their direct conversation, are other conversations.
    let other_shop = shop(&app, &owner.1, "othershop").await;
    let other = thread(&app, &buyer.1, s(&other_shop["id"]), None).await.expect(201, None);
    assert_ne!(other.data()["id"], json!(id));
    let direct = app.direct(&buyer.1, &owner.0).await;
    assert_ne!(direct["id"], json!(id));
    assert_eq!(direct["shop"], Value::Null);

    // Without a kind, a shop_id means a shop thread.
    let implied = app.post("/v1/chat/conversations").bearer(&buyer.1).json(json!({"shop_id": shop_id})).send().await.expect(200, None);
    assert_eq!(implied.data()["id"], json!(id));
    let mine = app.get(&format!("/v1/chat/conversations?shop_id={shop_id}")).bearer(&buyer.1).send().await.expect(200, None);
    assert_eq!(mine.body["pagination"]["total"], 1);
    assert_eq!(mine.data()[0]["shop"]["name"], "myshop");
}

#[tokio::test]
async fn twenty_racing_requests_for_one_shop_thread_make_one_thread_and_one_message() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "buyer"]).await;
    let myshop = shop(&app, &p[0].1, "racy").await;
    let url = format!("{}/v1/chat/conversations", app.address);
    let requests = (0..20)
        .map(|i| {
            let body = json!({"kind": "shop", "shop_id": myshop["id"], "initial_message": format!("hello {i}")});
            app.client.post(&url).bearer_auth(&p[1].1).json(&body)
        })
        .collect();
    let (ids, created) = race(requests).await;
    assert_eq!((ids.len(), created), (1, 1));
    let id = ids.into_iter().next().unwrap();
    assert_eq!(app.history(&p[1].1, &id).await.len(), 1, "only the creating request sends its message");
}

#[tokio::test]
async fn opening_a_thread_needs_a_shop_of_someone_else_who_accepts_messages() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "buyer"]).await;
    let (owner, buyer) = (&p[0], &p[1]);
    let myshop = shop(&app, &owner.1, "myshop").await;
    let shop_id = s(&myshop["id"]);
    thread(&app, &owner.1, shop_id, None).await.expect(422, Some("validation_failed"));
    app.post("/v1/chat/conversations").bearer(&buyer.1).json(json!({"kind": "shop"})).send().await.expect(422, Some("validation_failed"));
    thread(&app, &buyer.1, "junk", None).await.expect(400, Some("bad_request"));
    thread(&app, &buyer.1, "01JN2X4K8M3F7QPZRVWT6YBHCE", None).await.expect(404, Some("not_found"));
    thread(&app, &buyer.1, shop_id, Some("  ")).await.expect(422, Some("validation_failed"));
    app.post("/v1/chat/conversations")
        .bearer(&buyer.1)
        .json(json!({"user_id": owner.0, "initial_message": "hi"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    app.post("/v1/chat/conversations").bearer(&buyer.1).json(json!({"kind": "ticket"})).send().await.expect(422, Some("validation_failed"));

    // An owner who blocked the buyer gets nothing, and no empty thread is left behind.
    app.post(&format!("/v1/chat/users/{}/block", buyer.0)).bearer(&owner.1).send().await.expect(204, None);
    thread(&app, &buyer.1, shop_id, Some("hello?")).await.expect(403, Some("blocked"));
    let lookup = format!("/v1/chat/conversations/lookup?participants={},{}&shop_id={shop_id}", buyer.0, owner.0);
    app.get(&lookup).bearer(&buyer.1).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn lookup_finds_the_direct_conversation_or_shop_thread_of_two_users() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "buyer", "third"]).await;
    let (owner, buyer, third) = (&p[0], &p[1], &p[2]);
    let myshop = shop(&app, &owner.1, "myshop").await;
    let shop_id = s(&myshop["id"]);
    let lookup = |a: &str, b: &str, shop: Option<&str>| {
        let shop = shop.map(|id| format!("&shop_id={id}")).unwrap_or_default();
        format!("/v1/chat/conversations/lookup?participants={a},{b}{shop}")
    };

    app.get(&lookup(&buyer.0, &owner.0, None)).bearer(&buyer.1).send().await.expect(404, Some("not_found"));
    let direct = app.direct(&buyer.1, &owner.0).await;
    let found = app.get(&lookup(&owner.0, &buyer.0, None)).bearer(&buyer.1).send().await.expect(200, None);
    assert_eq!(found.data()["id"], direct["id"]);

    app.get(&lookup(&buyer.0, &owner.0, Some(shop_id))).bearer(&buyer.1).send().await.expect(404, Some("not_found"));
    let opened = thread(&app, &buyer.1, shop_id, None).await.expect(201, None);
    for (a, b, token) in [(&buyer.0, &owner.0, &buyer.1), (&owner.0, &buyer.0, &owner.1)] {
        let found = app.get(&lookup(a, b, Some(shop_id))).bearer(token).send().await.expect(200, None);
        assert_eq!(found.data()["id"], opened.data()["id"]);
        assert_eq!(found.data()["shop"]["id"], json!(shop_id));
    }
    // Neither is the shop's owner: no such thread.
    app.get(&lookup(&buyer.0, &third.0, Some(shop_id))).bearer(&buyer.1).send().await.expect(404, Some("not_found"));
    // Only the two may ask.
    app.get(&lookup(&buyer.0, &owner.0, None)).bearer(&third.1).send().await.expect(403, Some("forbidden"));
    app.get(&format!("/v1/chat/conversations/lookup?participants={}", buyer.0))
        .bearer(&buyer.1)
        .send()
        .await
        .expect(422, Some("validation_failed"));
    app.get(&lookup(&buyer.0, &buyer.0, None)).bearer(&buyer.1).send().await.expect(422, Some("validation_failed"));
    app.get(&lookup(&buyer.0, "junk", None)).bearer(&buyer.1).send().await.expect(400, Some("bad_request"));
    app.get("/v1/chat/conversations/lookup").bearer(&buyer.1).send().await.expect(400, Some("bad_request"));
}

#[tokio::test]
async fn the_owner_lists_a_shops_threads_most_recent_first_with_unread_counts() {
    let app = spawn_app().await;
    let p = people(&app, &["owner", "amy", "bo"]).await;
    let (owner, amy, bo) = (&p[0], &p[1], &p[2]);
    let myshop = shop(&app, &owner.1, "myshop").await;
    let shop_id = s(&myshop["id"]);
    let with_amy = thread(&app, &amy.1, shop_id, Some("first")).await.expect(201, None).data().clone();
    tick().await;
    let with_bo = thread(&app, &bo.1, shop_id, Some("second")).await.expect(201, None).data().clone();
    tick().await;
    app.say(&amy.1, s(&with_amy["id"]), "anyone there?").await;
    // The owner's direct conversation with amy is no thread of the shop.
    app.direct(&owner.1, &amy.0).await;

    let threads = app.get(&format!("/v1/shops/{shop_id}/threads")).bearer(&owner.1).send().await.expect(200, None);
    let rows = threads.data().as_array().unwrap();
    let ids: Vec<&Value> = rows.iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&with_amy["id"], &with_bo["id"]]);
    assert_eq!((rows[0]["unread_count"].clone(), rows[1]["unread_count"].clone()), (json!(2), json!(1)));
    assert_eq!(rows[0]["participant"]["id"], json!(amy.0));
    assert_eq!(rows[0]["shop"]["id"], json!(shop_id));
    assert_eq!(threads.body["pagination"]["total"], 2);

    app.get(&format!("/v1/shops/{shop_id}/threads")).bearer(&amy.1).send().await.expect(403, Some("forbidden"));
    let (_, outsider) = app.outsider("elsewhere", "admin").await;
    app.get(&format!("/v1/shops/{shop_id}/threads")).bearer(&outsider).send().await.expect(404, Some("not_found"));
}
