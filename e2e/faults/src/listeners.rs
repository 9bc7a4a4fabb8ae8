//! Listeners: a user's WebSocket that keeps its own copy of every conversation of the user
//! as a client would. Events extend the copy when their seq is the next one; a gap, a
//! `resync` or a reconnect is repaired with `sync` from the last seq it holds. A socket that
//! fails is opened again, on the other server when its own is gone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::client::{next_frame, sync_body, Auth, Servers, Socket};
use crate::record::Outcome;

/// Between two attempts to open a socket or to sync.
const RETRY_PAUSE: Duration = Duration::from_millis(300);

/// One message as a copy holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub id: String,
}

/// What one listener ends with.
#[derive(Default)]
pub struct Heard {
    pub name: String,
    /// Its copy of each conversation, by id, oldest first.
    pub copies: BTreeMap<String, Vec<Entry>>,
    /// Messages that came as events, and by sync.
    pub live: u64,
    pub synced: u64,
    /// Of those by sync, the ones only the final sync after the load brought.
    pub final_synced: u64,
    pub resyncs: u64,
    pub reconnects: u64,
    pub gaps: u64,
    /// Events whose seq the copy already held with another message.
    pub conflicts: u64,
}

pub struct Listener {
    pub name: String,
    pub token: String,
    pub conversations: Vec<String>,
    pub server: usize,
}

/// Listens until `stop`, then syncs once more and returns its copies.
pub async fn run(
    servers: Arc<Servers>,
    listener: Listener,
    mut stop: watch::Receiver<bool>,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Heard {
    let Listener { name, token, conversations, mut server } = listener;
    let mut heard = Heard { name, ..Heard::default() };
    for id in &conversations {
        heard.copies.insert(id.clone(), Vec::new());
    }
    let mut ready = Some(ready);
    let mut socket: Option<Socket> = None;
    while !*stop.borrow() {
        let Some(open) = socket.as_mut() else {
            match servers.connect(server, &token).await {
                Ok(open) => {
                    socket = Some(open);
                    // Whatever happened while it was away comes by sync.
                    sync(&servers, &mut server, &token, &mut heard, false).await;
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(()).await;
                    }
                }
                Err(outcome) => {
                    heard.reconnects += 1;
                    if matches!(outcome, Outcome::Connection | Outcome::Timeout) {
                        server = servers.other(server);
                    }
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
            }
            continue;
        };
        let frame = tokio::select! {
            frame = next_frame(open) => frame,
            _ = stop.changed() => break,
        };
        let Some(frame) = frame else {
            socket = None;
            heard.reconnects += 1;
            continue;
        };
        match frame["type"].as_str() {
            Some("new_message") => on_message(&servers, &mut server, &token, &mut heard, &frame).await,
            Some("resync") => {
                heard.resyncs += 1;
                sync(&servers, &mut server, &token, &mut heard, false).await;
            }
            _ => {}
        }
    }
    drop(socket);
    sync(&servers, &mut server, &token, &mut heard, true).await;
    heard
}

async fn on_message(servers: &Servers, server: &mut usize, token: &str, heard: &mut Heard, frame: &Value) {
    let Some(conversation) = frame["conversation_id"].as_str() else { return };
    let Some(copy) = heard.copies.get_mut(conversation) else { return };
    let entry = Entry { seq: frame["seq"].as_i64().unwrap_or(-1), id: frame["message"]["id"].as_str().unwrap_or_default().to_owned() };
    let last = copy.last().map_or(0, |e| e.seq);
    if entry.seq == last + 1 {
        copy.push(entry);
        heard.live += 1;
    } else if entry.seq <= last {
        // Already had it by sync; it must be the same message.
        if copy.iter().find(|e| e.seq == entry.seq) != Some(&entry) {
            heard.conflicts += 1;
        }
    } else {
        heard.gaps += 1;
        sync(servers, server, token, heard, false).await;
    }
}

/// Brings every copy up to date with `sync`, retrying until it succeeds (on the other
/// server when this one is gone); `last` marks the final sync after the load.
async fn sync(servers: &Servers, server: &mut usize, token: &str, heard: &mut Heard, last: bool) {
    loop {
        let cursors: Vec<(String, i64)> = heard.copies.iter().map(|(id, copy)| (id.clone(), copy.last().map_or(0, |e| e.seq))).collect();
        let answer = servers
            .call("sync", *server, reqwest::Method::POST, "/v1/chat/messages/sync", Auth::Bearer(token), Some(sync_body(&cursors)))
            .await;
        if answer.outcome != Outcome::Ok {
            if matches!(answer.outcome, Outcome::Connection | Outcome::Timeout) {
                *server = servers.other(*server);
            }
            tokio::time::sleep(RETRY_PAUSE).await;
            continue;
        }
        let mut more = false;
        for missed in answer.data["conversations"].as_array().into_iter().flatten() {
            let Some(copy) = missed["conversation_id"].as_str().and_then(|id| heard.copies.get_mut(id)) else { continue };
            for message in missed["messages"].as_array().into_iter().flatten() {
                let entry = Entry { seq: message["seq"].as_i64().unwrap_or(-1), id: message["id"].as_str().unwrap_or_default().to_owned() };
                // Appended as the server returns it: the checker compares the copy with the
                // history, so a gap or a disorder in what sync returns shows there.
                copy.push(entry);
                heard.synced += 1;
                if last {
                    heard.final_synced += 1;
                }
            }
            more |= missed["has_more"].as_bool().unwrap_or(false);
        }
        if !more {
            return;
        }
    }
}
