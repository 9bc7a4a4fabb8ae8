//! The client scenario through the client progenitor generates from the checked-in spec
//! (build.rs writes it into OUT_DIR). Usage: confab-e2e-client-rust BASE_URL SECRET_KEY

mod client {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

use std::{fmt::Debug, str::FromStr, time::Duration};

use client::{types, Client, Error, ResponseValue};
use futures_util::{SinkExt, StreamExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const NAME: &str = "clients_rust";

/// A step whose reply the rest of the scenario needs went wrong.
struct Stop;

#[derive(Default)]
struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn check(&mut self, what: &str, ok: bool, detail: impl Debug) -> bool {
        if ok {
            self.passed += 1;
            println!("{NAME}: ok {what}");
        } else {
            self.failed += 1;
            eprintln!("{NAME}: FAILED {what} {detail:?}");
        }
        ok
    }

    /// The body of a call that must answer `status`; anything else ends the scenario.
    fn must<T>(&mut self, what: &str, reply: Result<ResponseValue<T>, Error<types::ErrorBody>>, status: u16) -> Result<T, Stop> {
        let what = format!("{what} ({status})");
        match reply {
            Ok(value) if value.status().as_u16() == status => {
                self.check(&what, true, ());
                Ok(value.into_inner())
            }
            Ok(value) => {
                self.check(&what, false, value.status());
                Err(Stop)
            }
            Err(error) => {
                self.check(&what, false, error);
                Err(Stop)
            }
        }
    }
}

/// A value of one of the spec's constrained string types.
fn text<T: FromStr>(value: &str) -> T
where
    T::Err: Debug,
{
    value.parse().expect("a value the spec allows")
}

/// A generated client that sends `header: value` with every request.
fn client_with(base: &str, header: &'static str, value: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(HeaderName::from_static(header), HeaderValue::from_str(value).expect("a header value"));
    let http = reqwest::Client::builder().default_headers(headers).build().expect("an HTTP client");
    Client::new_with_client(base, http)
}

fn as_user(base: &str, token: &str) -> Client {
    client_with(base, "authorization", &format!("Bearer {token}"))
}

fn user(external_id: &str, username: Option<&str>) -> types::UpsertUserRequest {
    types::UpsertUserRequest {
        avatar_url: None,
        display_name: username.map(text),
        email: None,
        external_id: text(external_id),
        password: None,
        permissions: None,
        phone: None,
        role: None,
        username: username.map(text),
    }
}

fn message(body: &str, client_msg_id: &str) -> types::SendMessageRequest {
    types::SendMessageRequest {
        body: text(body),
        client_msg_id: Some(text(client_msg_id)),
        file_name: None,
        file_size: None,
        file_type: None,
        file_url: None,
        media_id: None,
        reply_to_id: None,
        type_: None,
    }
}

struct Person {
    id: String,
    token: String,
    client: Client,
}

async fn person(t: &mut Tally, base: &str, server: &Client, external_id: &str, username: &str) -> Result<Person, Stop> {
    let created = t.must(&format!("create user {username}"), server.users_upsert(&user(external_id, Some(username))).await, 201)?.data;
    let request = types::ChatTokenRequest { ttl_seconds: None, user_id: text(&created.id) };
    let minted = t.must(&format!("mint a chat token for {username}"), server.users_chat_token(&request).await, 201)?.data;
    t.check(&format!("the chat token is {username}'s"), minted.user.id == created.id, &minted.user.id);
    Ok(Person { client: as_user(base, &minted.chat_token), id: created.id, token: minted.chat_token })
}

async fn scenario(t: &mut Tally, base: &str, secret_key: &str) -> Result<(), Stop> {
    let server = client_with(base, "x-api-key", secret_key);
    let ann = person(t, base, &server, "rs-ann", "ann").await?;
    let bob = person(t, base, &server, "rs-bob", "bob").await?;

    // Get-or-create: 201 the first time, 200 and the same conversation after.
    let opening = types::CreateConversationRequest { user_id: Some(text(&bob.id)), ..Default::default() };
    let created = t.must("open a direct conversation", ann.client.conversations_create(&opening).await, 201)?.data;
    let again = t.must("open it again", ann.client.conversations_create(&opening).await, 200)?.data;
    t.check("get-or-create answers the same conversation", again.id == created.id && created.kind == "direct", &again.id);
    let id: &types::Id = &text(&created.id);

    // Three messages; the second is retried with its client_msg_id and is not duplicated.
    let mut sent = Vec::new();
    for (body, key, status) in
        [("Hello Bob", "rs-1", 201), ("Are you there?", "rs-2", 201), ("Are you there?", "rs-2", 200), ("Call me", "rs-3", 201)]
    {
        let reply = ann.client.conversations_messages_send(id, &message(body, key)).await;
        sent.push(t.must(&format!("send \"{body}\""), reply, status)?.data);
    }
    t.check("the retry answers the first message", (&sent[2].id, sent[2].seq) == (&sent[1].id, sent[1].seq), &sent[2]);
    let seqs = [sent[0].seq, sent[1].seq, sent[3].seq];
    t.check("messages take seqs 1, 2, 3", seqs == [1, 2, 3], seqs);

    // Bob's list shows the conversation with three unread.
    let listed = t.must("list Bob's conversations", bob.client.conversations_list(None, None, None, None, None, None, None).await, 200)?;
    let row = listed.data.iter().find(|c| c.id == created.id);
    t.check("the list has the conversation with 3 unread", row.is_some_and(|c| c.unread_count == 3), row.map(|c| c.unread_count));
    let participant = row.and_then(|c| c.participant.as_ref()).map(|p| p.id.as_str());
    t.check("the list names Ann as the participant", participant == Some(ann.id.as_str()), participant);
    let last = row.and_then(|c| c.last_message.as_ref()).map(|m| m.body.as_str());
    t.check("the list shows the last message", last == Some("Call me"), last);
    t.check(
        "the list says it is no shop thread or ticket",
        row.is_some_and(|c| c.shop.is_none() && c.ticket.is_none()),
        row.map(|c| (&c.shop, &c.ticket)),
    );

    // History, newest first, without the retry's duplicate.
    let history = t.must("read the history", bob.client.conversations_messages_list(id, None, None, None, None, Some(50)).await, 200)?;
    let bodies: Vec<&str> = history.data.iter().map(|m| m.body.as_str()).collect();
    t.check(
        "the history is the three messages, newest first",
        bodies == ["Call me", "Are you there?", "Hello Bob"] && history.pagination.total == 3,
        &bodies,
    );

    // Mark read: unread is back to zero.
    t.must("mark read", bob.client.conversations_read(id, &types::ReadRequest::default()).await, 204)?;
    let unread = t.must("read Bob's unread counts", bob.client.conversations_unread().await, 200)?.data;
    t.check("the unread total is back to zero", unread.total == 0, unread.total);
    let after =
        t.must("list Bob's conversations again", bob.client.conversations_list(None, None, None, None, None, None, None).await, 200)?;
    let counts: Vec<i64> = after.data.iter().filter(|c| c.id == created.id).map(|c| c.unread_count).collect();
    t.check("the list shows 0 unread", counts == [0], &counts);

    // A ticket, found in the queue by an agent who signs in with a password.
    let opened = types::CreateTicketRequest {
        category: None,
        initial_message: text("Need help"),
        priority: Some(types::TicketPriorityDto::High),
        subject: text("My payment is not working"),
    };
    let ticket = t.must("open a ticket", ann.client.tickets_create(&opened).await, 201)?.data;
    t.check(
        "the ticket is open with its first message",
        matches!(ticket.status, types::TicketStatusDto::Open) && ticket.message_count == 1,
        (&ticket.status, ticket.message_count),
    );
    let password = "agent-password-rs";
    let agent = types::UpsertUserRequest {
        email: Some(text("agent-rs@example.com")),
        password: Some(text(password)),
        role: Some(types::RoleDto::Staff),
        ..user("rs-agent", None)
    };
    t.must("create an agent with a password", server.users_upsert(&agent).await, 201)?;
    let login = types::LoginRequest { email: text("agent-rs@example.com"), password: text(password), tenant: text("default") };
    let tokens = t.must("sign in as the agent", Client::new(base).auth_login(&login).await, 200)?.data;
    let queue = t.must(
        "list the ticket queue",
        as_user(base, &tokens.access_token).tickets_list(None, None, None, None, None, Some(types::TicketStatusDto::Open)).await,
        200,
    )?;
    t.check("the agent finds the ticket in the queue", queue.data.iter().any(|q| q.id == ticket.id), queue.data.len());

    // Real time: Bob's socket receives Ann's next message.
    let url = format!("{}/v1/chat/ws?token={}", base.replacen("http", "ws", 1), bob.token);
    let (mut socket, _) = match tokio_tungstenite::connect_async(url).await {
        Ok(connected) => connected,
        Err(error) => {
            t.check("open Bob's socket", false, error);
            return Err(Stop);
        }
    };
    if let Err(error) = socket.send(Message::text(json!({"type": "ping"}).to_string())).await {
        t.check("send a ping", false, error);
        return Err(Stop);
    }
    let pong = frame_of(&mut socket, "pong").await;
    t.check("the socket answers a ping", pong.is_some(), &pong);
    let live = t
        .must("send \"Over the socket\"", ann.client.conversations_messages_send(id, &message("Over the socket", "rs-4")).await, 201)?
        .data;
    let event = frame_of(&mut socket, "new_message").await.unwrap_or(Value::Null);
    let m = &event["message"];
    t.check(
        "Bob's socket receives new_message",
        m["id"] == json!(live.id) && m["body"] == "Over the socket" && m["conversation_id"] == json!(id),
        &event,
    );
    let _ = socket.close(None).await;
    Ok(())
}

/// The next frame of `kind` within five seconds.
async fn frame_of<S>(socket: &mut S, kind: &str) -> Option<Value>
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let wait = async {
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Text(text) = frame {
                let value: Value = serde_json::from_str(text.as_str()).ok()?;
                if value["type"] == kind {
                    return Some(value);
                }
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(5), wait).await.ok().flatten()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, secret_key] = args.as_slice() else {
        eprintln!("usage: confab-e2e-client-rust BASE_URL SECRET_KEY");
        std::process::exit(2);
    };
    let mut tally = Tally::default();
    let _ = scenario(&mut tally, base, secret_key).await;
    println!("{NAME}: {} passed, {} failed", tally.passed, tally.failed);
    std::process::exit(if tally.failed == 0 { 0 } else { 1 });
}
