//! Message search over the database's full-text index.

use serde_json::json;

use crate::helpers::{people, s, spawn_app};

#[tokio::test]
async fn search_finds_words_in_the_callers_conversations_only() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cy"]).await;
    let mine = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let theirs = s(&app.direct(&p[1].1, &p[2].0).await["id"]).to_owned();
    app.say(&p[1].1, &mine, "The invoice for March is attached").await;
    app.say(&p[0].1, &mine, "Thanks, paying the invoice today").await;
    app.say(&p[1].1, &theirs, "secret invoice between bob and cy").await;

    let found = app.get("/v1/chat/messages/search?q=invoice").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(found.body["pagination"]["total"], 2);
    let bodies: Vec<&str> = found.data().as_array().unwrap().iter().map(|m| s(&m["body"])).collect();
    assert!(bodies.iter().all(|b| !b.contains("secret")));
    assert_eq!(bodies[0], "Thanks, paying the invoice today", "newest first");

    let both_words = app.get("/v1/chat/messages/search?q=MARCH%20invoice").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(both_words.body["pagination"]["total"], 1);
    let prefix = app.get("/v1/chat/messages/search?q=invo").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(prefix.body["pagination"]["total"], 2);
    let in_one = app
        .get(&format!("/v1/chat/messages/search?q=invoice&conversation_id={theirs}"))
        .bearer(&p[0].1)
        .send()
        .await
        .expect(403, Some("forbidden"));
    let _ = in_one;
    let bobs =
        app.get(&format!("/v1/chat/messages/search?q=invoice&conversation_id={theirs}")).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(bobs.body["pagination"]["total"], 1);
}

#[tokio::test]
async fn edits_and_deletes_update_the_index() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let m = app.say(&p[0].1, &id, "meet at the lighthouse").await;
    let mid = s(&m["id"]);
    let hits = |q: &str| format!("/v1/chat/messages/search?q={q}");
    assert_eq!(app.get(&hits("lighthouse")).bearer(&p[1].1).send().await.body["pagination"]["total"], 1);
    app.patch(&format!("/v1/chat/messages/{mid}"))
        .bearer(&p[0].1)
        .json(json!({"body": "meet at the harbour"}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(app.get(&hits("lighthouse")).bearer(&p[1].1).send().await.body["pagination"]["total"], 0);
    assert_eq!(app.get(&hits("harbour")).bearer(&p[1].1).send().await.body["pagination"]["total"], 1);
    app.delete(&format!("/v1/chat/messages/{mid}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    assert_eq!(app.get(&hits("harbour")).bearer(&p[1].1).send().await.body["pagination"]["total"], 0);
}

#[tokio::test]
async fn query_syntax_is_treated_as_plain_words() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.say(&p[0].1, &id, "plain words here").await;
    for q in ["%22plain%22%20OR", "NEAR(plain)", "plain*%3A%26%7C!", "%27%3B%20DROP%20TABLE%20messages"] {
        let reply = app.get(&format!("/v1/chat/messages/search?q={q}")).bearer(&p[0].1).send().await;
        assert_eq!(reply.status, 200, "{q}: {}", reply.text);
    }
    app.get("/v1/chat/messages/search?q=%20").bearer(&p[0].1).send().await.expect(422, Some("validation_failed"));
    let nothing = app.get("/v1/chat/messages/search?q=!!!").bearer(&p[0].1).send().await.expect(200, None);
    assert_eq!(nothing.body["pagination"]["total"], 0);
}

#[tokio::test]
async fn the_best_match_comes_first_with_its_matched_words_highlighted() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let best = app.say(&p[0].1, &id, "harbour harbour harbour").await;
    app.say(&p[0].1, &id, "a long note that mentions the harbour only once among many other words").await;
    let found = app.get("/v1/chat/messages/search?q=harbour").bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(found.data()[0]["id"], best["id"], "the denser match ranks first though older: {}", found.text);
    let highlight = found.data()[1]["highlight"].as_array().expect("a snippet");
    let matched: Vec<&str> = highlight.iter().filter(|part| part["matched"] == true).map(|part| s(&part["text"])).collect();
    assert_eq!(matched, vec!["harbour"]);
    let text: String = highlight.iter().map(|part| s(&part["text"])).collect();
    assert!(text.contains("mentions the harbour only"), "{text}");
    let history = app.get(&format!("/v1/chat/conversations/{id}/messages")).bearer(&p[1].1).send().await.expect(200, None);
    assert!(history.data()[0].get("highlight").is_none(), "only search results carry snippets");
}
