//! Send → recipient latency: sender → recipient pairs, each in its own direct conversation,
//! send `message` frames over their sockets at a fixed total rate; each recipient notes when
//! `new_message` arrives. With several server processes the recipient is connected to
//! another process than its sender, so every message crosses Redis. It also counts what
//! kept a message from its recipient: error frames answered to sends, `resync` events,
//! sockets the server closed (by close code) and frames left unsent once a sender's socket
//! was closed; "sent" counts only the frames that went out.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::connect;
use confab_bench::api::Api;

pub struct Plan {
    pub rate: u64,
    pub seconds: u64,
    pub pairs: u64,
}

pub struct Outcome {
    pub sent: usize,
    /// Milliseconds from send to delivery, sorted.
    pub latencies: Vec<f64>,
    pub send_secs: f64,
    /// Sends the server answered with an error frame, by error code.
    pub refused: BTreeMap<String, usize>,
    /// `resync` events the recipients were told (events their process may have missed).
    pub resyncs: usize,
    /// Frames a sender could not send because its socket was closed.
    pub unsent: usize,
    /// Close frames the senders' and recipients' sockets got, by code.
    pub closes: BTreeMap<String, usize>,
}

fn ws_url(port: u16, token: &str) -> String {
    format!("ws://127.0.0.1:{port}/v1/chat/ws?token={token}")
}

pub async fn run(api: &Api, ports: &[u16], plan: &Plan) -> Result<Outcome> {
    let clock = Instant::now();
    let pairs = plan.pairs.max(1);
    let per_pair = (plan.rate * plan.seconds / pairs) as usize;
    let interval = Duration::from_micros(1_000_000 * pairs / plan.rate.max(1));
    api.lift_write_limits().await?;
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    let refused = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let closes = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let count =
        |counts: &Arc<Mutex<BTreeMap<String, usize>>>, key: String| *counts.lock().expect("not poisoned").entry(key).or_default() += 1;
    for pair in 0..pairs as usize {
        let (_, sender_token) = api.user(&format!("sender-{pair}")).await?;
        let (recipient_id, recipient_token) = api.user(&format!("recipient-{pair}")).await?;
        let convo_id = api.direct(&sender_token, &recipient_id).await?;
        let sender = connect(ws_url(ports[pair % ports.len()], &sender_token)).await?;
        let mut recipient = connect(ws_url(ports[(pair + 1) % ports.len()], &recipient_token)).await?;
        let closes = closes.clone();
        receivers.push(tokio::spawn(async move {
            let (mut latencies, mut resyncs) = (Vec::with_capacity(per_pair), 0);
            while latencies.len() < per_pair {
                let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(10), recipient.next()).await else { break };
                if let Message::Close(frame) = &message {
                    count(&closes, format!("recipient {}", close_code(frame)));
                }
                if let Message::Text(text) = message {
                    let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if frame["type"] == "resync" {
                        resyncs += 1;
                    }
                    if frame["type"] == "new_message" {
                        if let Some(sent) = frame["message"]["body"].as_str().and_then(|b| b.parse::<u128>().ok()) {
                            latencies.push((clock.elapsed().as_micros() - sent) as f64 / 1000.0);
                        }
                    }
                }
            }
            (latencies, resyncs)
        }));
        senders.push((sender, convo_id));
    }
    let sending = Instant::now();
    let mut tasks = Vec::new();
    for (sender, convo_id) in senders {
        let (refused, closes) = (refused.clone(), closes.clone());
        // Each sender hands back its ack-draining task, to be aborted once every latency
        // is in; it is not meant to be awaited here.
        #[allow(clippy::async_yields_async)]
        tasks.push(tokio::spawn(async move {
            let (mut sink, mut acks) = sender.split();
            let drain = tokio::spawn(async move {
                while let Some(Ok(frame)) = acks.next().await {
                    if let Message::Close(frame) = &frame {
                        count(&closes, format!("sender {}", close_code(frame)));
                    }
                    let Message::Text(text) = frame else { continue };
                    let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if frame["type"] == "error" {
                        let code = frame["code"].as_str().unwrap_or("?").to_owned();
                        count(&refused, code);
                    }
                }
            });
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut unsent = 0;
            for n in 0..per_pair {
                tick.tick().await;
                let body = clock.elapsed().as_micros().to_string();
                let frame = json!({"type": "message", "conversation_id": convo_id, "body": body}).to_string();
                if sink.send(Message::text(frame)).await.is_err() {
                    unsent = per_pair - n;
                    break;
                }
            }
            (drain, unsent)
        }));
    }
    let (mut drains, mut unsent) = (Vec::new(), 0);
    for task in tasks {
        let (drain, left) = task.await?;
        drains.push(drain);
        unsent += left;
    }
    let send_secs = sending.elapsed().as_secs_f64();
    let (mut latencies, mut resyncs) = (Vec::with_capacity(per_pair * pairs as usize), 0);
    for receiver in receivers {
        let (pair, resynced) = receiver.await?;
        latencies.extend(pair);
        resyncs += resynced;
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    for drain in drains {
        drain.abort();
    }
    let refused = refused.lock().expect("not poisoned").clone();
    let closes = closes.lock().expect("not poisoned").clone();
    Ok(Outcome { sent: per_pair * pairs as usize - unsent, latencies, send_secs, refused, resyncs, unsent, closes })
}

/// A close frame's code; 0 when it carries none.
fn close_code(frame: &Option<CloseFrame>) -> u16 {
    frame.as_ref().map(|f| u16::from(f.code)).unwrap_or(0)
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
