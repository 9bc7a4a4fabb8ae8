//! Sends committed together (PostgreSQL's group commit, `store::send_batches`) answer each
//! sender as a lone send would: gap-free seqs in every conversation, one message per
//! `client_msg_id`, no message in a deleted conversation, and the counters, activity copies
//! and archive flags the single statement keeps. Hundreds of sends are started at once so
//! that batches form; on SQLite the same sends go one by one through the one writer.

use std::collections::{HashMap, HashSet};

use confab_server::domain::conversation::MessageType;
use confab_server::domain::message::Content;
use confab_server::store::messages::{queue_sends, send, Sent};
use futures::future::join_all;

use crate::helpers::*;

fn text(body: String, client_msg_id: Option<String>) -> Content {
    Content { kind: MessageType::Text, body, client_msg_id, ..Content::default() }
}

type Sends = Vec<(String, String, Content)>;

/// Starts every send at once; each with its answer.
async fn send_all(db: &confab_server::store::Db, tenant: &str, sends: Sends) -> Vec<(String, Content, Sent)> {
    let answers = join_all(sends.iter().map(|(c, sender, content)| send(db, tenant, c, Some(sender), content))).await;
    sends.into_iter().zip(answers).map(|((conversation, _, content), answer)| (conversation, content, answer.unwrap())).collect()
}

#[tokio::test]
async fn hundreds_of_sends_at_once_get_gap_free_seqs_and_each_its_own_answer() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cat", "dan"]).await;
    let (ann, bob, cat, dan) = (&p[0], &p[1], &p[2], &p[3]);
    let group = s(&app.group(&ann.1, "Batched", &[&bob.0, &cat.0]).await["id"]).to_owned();
    let direct = s(&app.direct(&ann.1, &bob.0).await["id"]).to_owned();
    let gone = s(&app.direct(&ann.1, &dan.0).await["id"]).to_owned();
    // A client id already used, an archive the sends must undo for others only.
    app.post(&format!("/v1/chat/conversations/{direct}/messages"))
        .bearer(&ann.1)
        .json(serde_json::json!({"body": "first", "client_msg_id": "used"}))
        .send()
        .await
        .expect(201, None);
    for member in [ann, bob] {
        app.post(&format!("/v1/chat/conversations/{direct}/archive")).bearer(&member.1).send().await.expect(204, None);
    }
    sqlx::query("UPDATE conversations SET deleted_at = 1 WHERE id = $1").bind(&gone).execute(app.state.db.pool()).await.unwrap();

    let (db, tenant) = (&app.state.db, app.tenant_of(&ann.0).await);

    // Sends to three conversations, one of them deleted, one reusing a stored client id.
    let mut sends = Vec::new();
    for n in 0..240 {
        let (conversation, sender) = match n % 4 {
            0 | 1 => (&group, [&ann.0, &bob.0, &cat.0][n % 3]),
            2 => (&direct, &ann.0),
            _ => (&gone, &ann.0),
        };
        let client_id = if n == 2 { "used".to_owned() } else { format!("c{n}") };
        sends.push((conversation.clone(), sender.clone(), text(format!("m{n}"), Some(client_id))));
    }
    // Then the same client id many times at once, among sends to the group: the database
    // refuses such a batch as a whole, and each send is answered one by one.
    let mut again = Vec::new();
    for n in 0..48 {
        let (conversation, sender, client_id) =
            if n % 2 == 0 { (&direct, &ann.0, "twice".to_owned()) } else { (&group, &bob.0, format!("again{n}")) };
        again.push((conversation.clone(), sender.clone(), text(format!("again {n}"), Some(client_id))));
    }

    let mut created: HashMap<String, Vec<i64>> = HashMap::new();
    let (mut ids, mut twice) = (HashSet::new(), HashSet::new());
    let mut answered = send_all(db, &tenant, sends).await;
    answered.extend(send_all(db, &tenant, again).await);
    for (conversation, content, answer) in answered {
        match answer {
            Sent::New(m) => {
                assert_eq!((&m.conversation_id, &m.content.body), (&conversation, &content.body));
                assert!(ids.insert(m.id), "each new message has an id of its own");
                created.entry(conversation).or_default().push(m.seq);
                if content.client_msg_id.as_deref() == Some("twice") {
                    twice.insert(m.seq);
                }
            }
            Sent::Duplicate(m) => {
                assert_eq!(m.content.client_msg_id, content.client_msg_id);
                if m.content.client_msg_id.as_deref() == Some("twice") {
                    twice.insert(m.seq);
                } else {
                    assert_eq!(m.seq, 1, "the stored message comes back");
                }
            }
            Sent::NoConversation => assert_eq!(conversation, gone),
        }
    }
    assert_eq!(twice, HashSet::from([61]), "a client id repeated within the sends is stored once");
    let mut group_seqs = created.remove(&group).unwrap();
    group_seqs.sort_unstable();
    assert_eq!(group_seqs, (1..=144).collect::<Vec<i64>>());
    let mut direct_seqs = created.remove(&direct).unwrap();
    direct_seqs.sort_unstable();
    // One stored before, 59 new of the 60 sent, then one of the 24 sharing an id.
    assert_eq!(direct_seqs, (2..=61).collect::<Vec<i64>>());
    assert!(created.is_empty(), "nothing was stored in the deleted conversation");

    for (conversation, last) in [(&group, 144), (&direct, 61)] {
        let stored: Vec<i64> = sqlx::query_scalar("SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq")
            .bind(conversation)
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(stored, (1..=last).collect::<Vec<i64>>(), "gap-free and counted in last_seq");
        let last_seq: i64 =
            sqlx::query_scalar("SELECT last_seq FROM conversations WHERE id = $1").bind(conversation).fetch_one(db.pool()).await.unwrap();
        assert_eq!(last_seq, last);
    }
    let archived: Vec<(String, i64)> =
        sqlx::query_as("SELECT user_id, archived FROM participants WHERE conversation_id = $1 ORDER BY user_id")
            .bind(&direct)
            .fetch_all(db.pool())
            .await
            .unwrap();
    let archived: HashMap<String, i64> = archived.into_iter().collect();
    assert_eq!((archived[&ann.0], archived[&bob.0]), (1, 0), "the sender keeps the archive, the recipient sees the conversation again");
    let unread = confab_server::store::listing::unread_drift(db).await.unwrap();
    assert!(unread.is_empty(), "kept unread counts differ from a recount: {unread:?}");
    let activity = confab_server::store::listing::activity_drift(db).await.unwrap();
    assert!(activity.is_empty(), "members' activity differs from their conversation's: {activity:?}");
    let counted: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM message_counts").fetch_one(db.pool()).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(db.pool()).await.unwrap();
    assert_eq!(counted, stored, "the admin stats count every message once");
}

#[tokio::test]
async fn sends_queued_together_take_their_seqs_in_the_order_given_while_others_race_them() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cat"]).await;
    let (ann, bob, cat) = (&p[0], &p[1], &p[2]);
    let group = s(&app.group(&ann.1, "Ordered", &[&bob.0, &cat.0]).await["id"]).to_owned();
    let direct = s(&app.direct(&ann.1, &bob.0).await["id"]).to_owned();
    let (db, tenant) = (&app.state.db, app.tenant_of(&ann.0).await);

    // Others send to the same conversations all the while, so batches form around ann's.
    let racing: Sends = (0..120).map(|n| ([&group, &direct][n % 2].clone(), bob.0.clone(), text(format!("r{n}"), None))).collect();
    let others = tokio::spawn({
        let (db, tenant) = (db.clone(), tenant.clone());
        async move { send_all(&db, &tenant, racing).await.len() }
    });
    // Ann's sends go in groups of ten, as a socket's frames that arrived together would, and
    // as on a socket each group is answered before the next is queued (groups queued at
    // once may go to different batches, whose commits may land in either order).
    let mut seqs: HashMap<String, Vec<i64>> = HashMap::new();
    for group_of_ten in 0..20 {
        let sends: Vec<(String, Content)> =
            (0..10).map(|i| group_of_ten * 10 + i).map(|n| ([&group, &direct][n % 2].clone(), text(format!("a{n}"), None))).collect();
        let conversations: Vec<String> = sends.iter().map(|(c, _)| c.clone()).collect();
        let queued = queue_sends(db, &tenant, Some(&ann.0), sends).await;
        for (conversation, sent) in conversations.into_iter().zip(queued) {
            match sent.answer().await.unwrap() {
                Sent::New(m) => seqs.entry(conversation).or_default().push(m.seq),
                other => panic!("a plain send was answered {other:?}"),
            }
        }
    }
    assert_eq!(others.await.unwrap(), 120);
    for (conversation, seqs) in seqs {
        assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{conversation}: ann's sends took seqs out of order: {seqs:?}");
    }
}
