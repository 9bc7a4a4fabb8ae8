//! The two servers as a client reaches them: REST calls and WebSockets, each attempt timed
//! and classified into an `Outcome`.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::record::{Outcome, Recorder};

/// How long a client waits for any answer before it calls the attempt a hang. Above the
/// bound the check enforces, so a hang is seen as one, not hidden by the client.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One answer: its outcome, how long it took, and for a success its status and `data`.
pub struct Answer {
    pub outcome: Outcome,
    pub took: Duration,
    pub status: u16,
    pub data: Value,
}

/// The servers' base URLs, and the HTTP client every task shares.
pub struct Servers {
    pub bases: Vec<String>,
    pub http: reqwest::Client,
    pub recorder: Recorder,
}

impl Servers {
    pub fn new(bases: Vec<String>) -> Result<Self> {
        let http = reqwest::Client::builder().timeout(CLIENT_TIMEOUT).connect_timeout(Duration::from_secs(2)).build()?;
        Ok(Servers { bases, http, recorder: Recorder::default() })
    }

    /// The server after `index`, for a client whose server is gone.
    pub fn other(&self, index: usize) -> usize {
        (index + 1) % self.bases.len()
    }

    /// `method path` on server `index` with a bearer `token` (or the secret key as
    /// `x-api-key`), recorded under `op`.
    pub async fn call(
        &self,
        op: &'static str,
        index: usize,
        method: reqwest::Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.bases[index]));
        request = match auth {
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Key(key) => request.header("x-api-key", key),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response.headers().contains_key("retry-after");
                let body: Value = response.json().await.unwrap_or(Value::Null);
                let outcome = status_outcome(status, retry_after, &body);
                Answer { outcome, took: started.elapsed(), status, data: body["data"].clone() }
            }
            Err(error) => {
                let outcome = if error.is_timeout() { Outcome::Timeout } else { Outcome::Connection };
                Answer { outcome, took: started.elapsed(), status: 0, data: Value::Null }
            }
        };
        self.recorder.note(op, answer.outcome.clone(), answer.took);
        answer
    }

    /// A WebSocket to server `index` for the holder of `token`, recorded as `ws_connect`.
    pub async fn connect(&self, index: usize, token: &str) -> Result<Socket, Outcome> {
        let url = format!("{}/v1/chat/ws?token={token}", self.bases[index].replacen("http://", "ws://", 1));
        let started = Instant::now();
        let opened = tokio::time::timeout(CLIENT_TIMEOUT, tokio_tungstenite::connect_async(url)).await;
        let outcome = match &opened {
            Err(_) => Outcome::Timeout,
            Ok(Ok(_)) => Outcome::Ok,
            Ok(Err(tungstenite::Error::Http(response))) => {
                let body: Value = response.body().as_deref().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or(Value::Null);
                status_outcome(response.status().as_u16(), response.headers().contains_key("retry-after"), &body)
            }
            Ok(Err(_)) => Outcome::Connection,
        };
        self.recorder.note("ws_connect", outcome.clone(), started.elapsed());
        match opened {
            Ok(Ok((socket, _))) => Ok(socket),
            _ => Err(outcome),
        }
    }

    /// Setup calls, made before any fault: every one must succeed.
    pub async fn must(&self, method: reqwest::Method, path: &str, auth: Auth<'_>, body: Value) -> Result<Value> {
        let answer = self.call("setup", 0, method, path, auth, Some(body)).await;
        if answer.outcome != Outcome::Ok {
            bail!("{path}: {:?} (status {})", answer.outcome, answer.status);
        }
        Ok(answer.data)
    }
}

#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Bearer(&'a str),
    Key(&'a str),
}

fn status_outcome(status: u16, retry_after: bool, body: &Value) -> Outcome {
    match (status, body["code"].as_str()) {
        (200..=299, _) => Outcome::Ok,
        (503, Some("unavailable")) if retry_after => Outcome::Unavailable,
        (429, Some("rate_limited")) if retry_after => Outcome::RateLimited,
        (_, code) => Outcome::Unclear(format!("{status} {}", code.unwrap_or("-"))),
    }
}

/// The outcome an `error` frame stands for.
pub fn frame_outcome(frame: &Value) -> Outcome {
    let retry_after = frame["retry_after"].is_u64();
    match frame["code"].as_str() {
        Some("unavailable") if retry_after => Outcome::Unavailable,
        Some("rate_limited") if retry_after => Outcome::RateLimited,
        code => Outcome::Unclear(format!("frame {}", code.unwrap_or("-"))),
    }
}

/// The next JSON text frame, answering the server's pings on the way; `None` when the
/// socket closed or failed.
pub async fn next_frame(socket: &mut Socket) -> Option<Value> {
    loop {
        match socket.next().await? {
            Ok(Message::Text(text)) => return serde_json::from_str(&text).ok(),
            Ok(Message::Ping(data)) => {
                let _ = socket.send(Message::Pong(data)).await;
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Sends one JSON frame; false when the socket is gone.
pub async fn send_frame(socket: &mut Socket, frame: Value) -> bool {
    socket.send(Message::Text(frame.to_string().into())).await.is_ok()
}

/// A user's `sync` body for `cursors` (conversation id, last seq).
pub fn sync_body(cursors: &[(String, i64)]) -> Value {
    let conversations: Vec<Value> = cursors.iter().map(|(id, seq)| json!({"conversation_id": id, "last_seq": seq})).collect();
    json!({"conversations": conversations, "limit": 100})
}
