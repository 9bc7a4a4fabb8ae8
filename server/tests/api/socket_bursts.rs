//! A socket's frames sent back to back, without waiting for their answers: the server
//! handles the frames that arrived together at once and overlaps their sends' commits, and
//! still answers every frame in the order sent, stores the messages in that order and
//! announces them in it.

use std::collections::HashMap;

use serde_json::json;

use crate::helpers::*;

/// The answer the burst's frame `n` should get: an ack of its client id, or an error code.
enum Expected {
    Ack(String),
    Error(&'static str),
    Pong,
}

#[tokio::test]
async fn a_burst_of_frames_is_answered_in_order_and_its_messages_keep_their_order() {
    let app = spawn_app().await;
    app.lift_message_limits().await;
    let p = people(&app, &["ann", "bob", "cat"]).await;
    let (ann, bob, cat) = (&p[0], &p[1], &p[2]);
    let direct = s(&app.direct(&ann.1, &bob.0).await["id"]).to_owned();
    let group = s(&app.group(&ann.1, "Burst", &[&bob.0]).await["id"]).to_owned();
    let not_hers = s(&app.direct(&bob.1, &cat.0).await["id"]).to_owned();
    let mut ann_ws = app.ws(&ann.1).await;
    let mut bob_ws = app.ws(&bob.1).await;

    // Messages to two conversations, with a few frames among them that fail or answer at once.
    let (mut frames, mut expected, mut sent_to) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..80 {
        let (frame, answer) = match n {
            20 => ("{not json".to_owned(), Expected::Error("bad_request")),
            30 => (json!({"type": "message", "conversation_id": not_hers, "body": "let me in"}).to_string(), Expected::Error("forbidden")),
            40 => (json!({"type": "ping"}).to_string(), Expected::Pong),
            50 => (json!({"type": "message", "conversation_id": direct, "body": ""}).to_string(), Expected::Error("validation_failed")),
            _ => {
                let conversation = if n % 3 == 0 { &group } else { &direct };
                sent_to.push((format!("k{n}"), conversation.clone()));
                let frame =
                    json!({"type": "message", "conversation_id": conversation, "body": format!("m{n}"), "client_msg_id": format!("k{n}")});
                (frame.to_string(), Expected::Ack(format!("k{n}")))
            }
        };
        frames.push(frame);
        expected.push(answer);
    }
    for frame in frames {
        ann_ws.send_raw(frame).await;
    }

    let mut answers = Vec::new();
    while answers.len() < expected.len() {
        let frame = ann_ws.next().await.expect("the socket stays open");
        if ["ack", "error", "pong"].contains(&frame["type"].as_str().unwrap_or_default()) {
            answers.push(frame);
        }
    }
    let mut seqs: HashMap<String, Vec<i64>> = HashMap::new();
    for (n, (answer, expected)) in answers.iter().zip(&expected).enumerate() {
        match expected {
            Expected::Ack(client_id) => {
                assert_eq!((&answer["type"], &answer["client_msg_id"]), (&json!("ack"), &json!(client_id)), "answer {n}: {answer}");
                seqs.entry(s(&answer["message"]["conversation_id"]).to_owned())
                    .or_default()
                    .push(answer["message"]["seq"].as_i64().unwrap());
            }
            Expected::Error(code) => {
                assert_eq!((&answer["type"], &answer["code"]), (&json!("error"), &json!(code)), "answer {n}: {answer}")
            }
            Expected::Pong => assert_eq!(answer["type"], "pong", "answer {n}"),
        }
    }
    for (conversation, count) in
        [(&group, sent_to.iter().filter(|(_, c)| c == &group).count()), (&direct, sent_to.iter().filter(|(_, c)| c == &direct).count())]
    {
        assert_eq!(seqs[conversation], (1..=count as i64).collect::<Vec<_>>(), "stored in the order sent, without gaps");
    }

    // The recipient hears of them in the same order, conversation by conversation.
    let mut heard: HashMap<String, Vec<String>> = HashMap::new();
    for _ in 0..sent_to.len() {
        let event = bob_ws.next_of("new_message").await;
        heard.entry(s(&event["message"]["conversation_id"]).to_owned()).or_default().push(s(&event["message"]["client_msg_id"]).to_owned());
    }
    for conversation in [&group, &direct] {
        let sent: Vec<String> = sent_to.iter().filter(|(_, c)| c == conversation).map(|(k, _)| k.clone()).collect();
        assert_eq!(heard[conversation], sent, "announced in the order sent");
    }
}

#[tokio::test]
async fn a_sender_far_ahead_of_its_commits_is_not_closed_for_the_announcements_of_its_own_messages() {
    let app = spawn_app().await;
    app.lift_message_limits().await;
    let p = people(&app, &["ann", "bob"]).await;
    let direct = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut ann_ws = app.ws(&p[0].1).await;

    // More frames at once than the socket's queue holds: each is answered with an ack and
    // announced back to the sender's own socket, so the queue fills unless it is emptied as
    // fast as the frames are taken in.
    const BURST: usize = 600;
    for n in 0..BURST {
        ann_ws
            .send_raw(
                json!({"type": "message", "conversation_id": direct, "body": format!("m{n}"), "client_msg_id": format!("k{n}")})
                    .to_string(),
            )
            .await;
    }
    let (mut acks, mut announced) = (0, 0);
    while acks < BURST || announced < BURST {
        let frame = ann_ws.next().await.unwrap_or_else(|| panic!("closed after {acks} acks and {announced} announcements"));
        match frame["type"].as_str() {
            Some("ack") => acks += 1,
            Some("new_message") => announced += 1,
            Some("error") => panic!("refused: {frame}"),
            _ => {}
        }
    }
    assert_eq!((acks, announced), (BURST, BURST));
}
