//! Reads do not queue behind writes: on SQLite they have connections of their own beside the
//! one writer, and on PostgreSQL a pool of many.

use std::time::Duration;

use crate::helpers::*;

#[tokio::test]
async fn reads_are_answered_while_a_write_transaction_holds_the_writer() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.say(&p[0].1, &id, "committed").await;

    // A write in progress: on SQLite it holds the one writing connection until it ends.
    let mut writing = app.state.db.begin().await.unwrap();
    sqlx::query("UPDATE conversations SET name = 'in flight' WHERE id = $1").bind(&id).execute(&mut *writing).await.unwrap();

    let reads = async {
        let list = app.get("/v1/chat/conversations").bearer(&p[1].1).send().await.expect(200, None);
        assert_eq!(list.data()[0]["id"], id.as_str());
        assert!(list.data()[0]["name"].is_null(), "an uncommitted write is not seen: {}", list.text);
        let history = app.history(&p[1].1, &id).await;
        assert_eq!(history[0]["body"], "committed");
        app.get("/v1/chat/conversations/unread").bearer(&p[1].1).send().await.expect(200, None);
    };
    tokio::time::timeout(Duration::from_secs(5), reads).await.expect("reads answer while a write is in progress");
    writing.rollback().await.unwrap();
}
