//! Senders: each sends numbered messages into one conversation, one at a time, over REST
//! or over its WebSocket. A message is retried with its `client_msg_id` until it is
//! acknowledged, on the same server after a clear refusal, on the other one when the
//! connection fails. Every acknowledgement is kept for the checker.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::client::{frame_outcome, next_frame, send_frame, Auth, Servers, Socket, CLIENT_TIMEOUT};
use crate::record::Outcome;

/// Between two messages of one sender: a steady load, not a flood, on two shared cores.
const PAUSE: Duration = Duration::from_millis(40);
/// Before retrying a refused send. Shorter than the `Retry-After` the server asks for, so
/// the attempts sample the whole outage and its end.
const RETRY_PAUSE: Duration = Duration::from_millis(300);
/// How long a message in flight when the load stops may still take to be acknowledged.
const FINISH_WITHIN: Duration = Duration::from_secs(20);

/// An acknowledged send: what the server said it stored.
#[derive(Debug, Clone)]
pub struct Acked {
    pub client_msg_id: String,
    pub seq: i64,
    pub id: String,
}

/// What one sender did.
pub struct Sent {
    pub name: String,
    pub conversation: String,
    /// In the order of their acknowledgements, which is the order they were sent.
    pub acked: Vec<Acked>,
    /// The message still unacknowledged when the sender gave up, if any: it may or may
    /// not be stored, but at most once.
    pub unacked: Option<String>,
}

pub struct Sender {
    pub name: String,
    pub token: String,
    pub conversation: String,
    pub server: usize,
}

#[derive(Clone, Copy)]
pub enum Channel {
    Rest,
    Socket,
}

/// Sends until `stop`, then finishes the message in flight.
pub async fn run(servers: Arc<Servers>, sender: Sender, channel: Channel, stop: watch::Receiver<bool>) -> Sent {
    let Sender { name, token, conversation, mut server } = sender;
    let mut sent = Sent { name: name.clone(), conversation: conversation.clone(), acked: Vec::new(), unacked: None };
    let mut socket: Option<Socket> = None;
    for n in 0.. {
        if *stop.borrow() {
            break;
        }
        let client_msg_id = format!("{name}-{n}");
        let body = json!({"body": client_msg_id, "client_msg_id": client_msg_id});
        let mut deadline: Option<Instant> = None;
        loop {
            if deadline.is_none() && *stop.borrow() {
                deadline = Some(Instant::now() + FINISH_WITHIN);
            }
            if deadline.is_some_and(|d| Instant::now() > d) {
                sent.unacked = Some(client_msg_id.clone());
                return sent;
            }
            let (outcome, message) = match channel {
                Channel::Rest => rest_send(&servers, server, &token, &conversation, &body).await,
                Channel::Socket => socket_send(&servers, &mut socket, server, &token, &conversation, &body).await,
            };
            if let Some(message) = message {
                let acked = Acked {
                    client_msg_id: client_msg_id.clone(),
                    seq: message["seq"].as_i64().unwrap_or(-1),
                    id: message["id"].as_str().unwrap_or_default().to_owned(),
                };
                sent.acked.push(acked);
                break;
            }
            if matches!(outcome, Outcome::Connection | Outcome::Timeout) {
                socket = None;
                server = servers.other(server);
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        match socket.as_mut() {
            Some(open) => drain(open, PAUSE).await,
            None => tokio::time::sleep(PAUSE).await,
        }
    }
    sent
}

/// One REST send; the stored message when acknowledged.
async fn rest_send(servers: &Servers, server: usize, token: &str, conversation: &str, body: &Value) -> (Outcome, Option<Value>) {
    let path = format!("/v1/chat/conversations/{conversation}/messages");
    let answer = servers.call("send_rest", server, reqwest::Method::POST, &path, Auth::Bearer(token), Some(body.clone())).await;
    let acked = (answer.outcome == Outcome::Ok && matches!(answer.status, 200 | 201)).then_some(answer.data);
    (answer.outcome, acked)
}

/// One send over the socket (opened first if need be); the stored message of its `ack`.
async fn socket_send(
    servers: &Servers,
    socket: &mut Option<Socket>,
    server: usize,
    token: &str,
    conversation: &str,
    body: &Value,
) -> (Outcome, Option<Value>) {
    if socket.is_none() {
        match servers.connect(server, token).await {
            Ok(open) => *socket = Some(open),
            Err(outcome) => return (outcome, None),
        }
    }
    let Some(open) = socket.as_mut() else { return (Outcome::Connection, None) };
    let frame = json!({"type": "message", "conversation_id": conversation, "body": body["body"], "client_msg_id": body["client_msg_id"]});
    let started = Instant::now();
    let (outcome, message) = if !send_frame(open, frame).await {
        (Outcome::Connection, None)
    } else {
        match tokio::time::timeout(CLIENT_TIMEOUT, reply(open)).await {
            Err(_) => (Outcome::Timeout, None),
            Ok(None) => (Outcome::Connection, None),
            Ok(Some(frame)) if frame["type"] == "ack" => (Outcome::Ok, Some(frame["message"].clone())),
            Ok(Some(frame)) => (frame_outcome(&frame), None),
        }
    };
    servers.recorder.note("send_ws", outcome.clone(), started.elapsed());
    if matches!(outcome, Outcome::Connection | Outcome::Timeout) {
        *socket = None;
    }
    (outcome, message)
}

/// The socket's answer to the frame just sent: its `ack` or `error`, past the events the
/// sender receives as a member of the conversation.
async fn reply(socket: &mut Socket) -> Option<Value> {
    loop {
        let frame = next_frame(socket).await?;
        if frame["type"] == "ack" || frame["type"] == "error" {
            return Some(frame);
        }
    }
}

/// Reads (and drops) events for `pause`, so a sender's own socket never falls behind.
async fn drain(socket: &mut Socket, pause: Duration) {
    let until = tokio::time::Instant::now() + pause;
    while let Ok(Some(_)) = tokio::time::timeout_at(until, next_frame(socket)).await {}
}
