//! One socket's life: register with the hub, count presence, then relay queued events out
//! and client frames in until either side closes, the token expires, the client stops
//! answering pings, reads too slowly, or the server shuts down.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::SplitSink;
use futures::{FutureExt, SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocketStream};
use prometheus::IntCounter;
use tokio::time::{Instant, MissedTickBehavior};

use super::frames;
use super::hub::{close, Registration};
use super::revoke::Credential;
use super::session::{Identity, Session};
use crate::bus::Event;
use crate::chat;
use crate::events::{Payload, Presence};
use crate::state::AppState;
use crate::store;

/// The most text frames already received that are handled together.
const MAX_FRAMES_TOGETHER: usize = 32;

async fn announce_presence(state: &AppState, caller: &Identity, online: bool) {
    let contacts = match store::participants::contacts_of(&state.db, &caller.tenant_id, &caller.user_id).await {
        Ok(c) => c,
        Err(error) => {
            tracing::warn!(%error, "could not load presence audience");
            return;
        }
    };
    if let Err(error) = store::users::touch_last_seen(&state.db, &caller.tenant_id, &caller.user_id).await {
        tracing::warn!(%error, "could not record last_seen_at");
    }
    let payload = Payload::Presence(Presence { user_id: caller.user_id.clone(), online });
    chat::notify(state, Event::new(&caller.tenant_id, contacts, &payload)).await;
}

/// Writes `frames` out together, flushed once, counting each in `sent`.
async fn write_out<T: ToString>(
    sink: &mut SplitSink<WebSocketStream, Message>,
    frames: impl IntoIterator<Item = T>,
    sent: &IntCounter,
) -> std::io::Result<()> {
    let mut written = false;
    for frame in frames {
        sink.feed(Message::Text(frame.to_string())).await?;
        sent.inc();
        written = true;
    }
    if written {
        sink.flush().await?;
    }
    Ok(())
}

/// Writes `first` and the events queued behind it when this starts out, flushed once (the
/// ones queued meanwhile wait for the next turn, so a flood of events cannot keep the
/// socket from reading its client). Events queued before a revocation arrived are dropped:
/// not for a socket that may no longer hear them.
async fn send_queued(
    sink: &mut SplitSink<WebSocketStream, Message>,
    registration: &mut Registration,
    state: &AppState,
    first: Option<Arc<str>>,
) -> std::io::Result<()> {
    let behind = registration.outbox.len();
    let Registration { outbox, kick, .. } = registration;
    let queued = first.into_iter().chain(std::iter::from_fn(|| outbox.try_recv().ok()).take(behind)).filter(|_| !kick.is_revoked());
    write_out(sink, queued, &state.metrics.ws_events_sent).await
}

pub async fn serve(session: Session, socket: WebSocketStream) {
    let Session { state, identity: caller, expires_at } = session;
    let config = state.config.clone();
    let mut registration = state.hub.register(&caller.tenant_id, &caller.user_id, Credential::of(&caller), config.ws_queue);
    match state.presence.connected(&caller.tenant_id, &caller.user_id).await {
        Ok(true) => Box::pin(announce_presence(&state, &caller, true)).await,
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "presence not counted"),
    }

    let (mut sink, stream) = socket.split();
    let mut stream = stream.peekable();
    let interval = Duration::from_millis(config.ws_ping_interval_ms.max(10));
    let mut ping = tokio::time::interval_at(Instant::now() + interval, interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    let expiry = async {
        match expires_at {
            Some(at) => {
                let left = (at - chrono::Utc::now().timestamp()).max(0) as u64;
                tokio::time::sleep(Duration::from_secs(left)).await
            }
            None => std::future::pending().await,
        }
    };
    tokio::pin!(expiry);

    let closing: Option<(u16, &str)> = loop {
        tokio::select! {
            code = registration.kick.requested() => {
                let reason = match code {
                    close::GOING_AWAY => "server shutting down",
                    close::POLICY => "credentials revoked",
                    _ => "too slow to keep up",
                };
                break Some((code, reason));
            }
            Some(frame) = registration.outbox.recv() => {
                if send_queued(&mut sink, &mut registration, &state, Some(frame)).await.is_err() {
                    break None;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_heard = Instant::now();
                    if text.len() > config.ws_max_frame_bytes {
                        break Some((close::TOO_BIG, "frame too large"));
                    }
                    // What is queued for this socket goes out before it takes on more work:
                    // the announcements of its own sends land in its queue, and a client
                    // sending faster than its commits would otherwise fill it (and be
                    // closed with 1013) while each turn of this loop wrote one event out.
                    if send_queued(&mut sink, &mut registration, &state, None).await.is_err() {
                        break None;
                    }
                    // With it, the text frames that are already here (a client sending
                    // faster than one send's commit): handled together, their sends'
                    // commits overlap in their order instead of following one another.
                    let mut texts = vec![text];
                    while texts.len() < MAX_FRAMES_TOGETHER {
                        let fits = |m: &Result<Message, _>| matches!(m, Ok(Message::Text(t)) if t.len() <= config.ws_max_frame_bytes);
                        match std::pin::Pin::new(&mut stream).next_if(fits).now_or_never() {
                            Some(Some(Ok(Message::Text(text)))) => texts.push(text),
                            _ => break,
                        }
                    }
                    // Boxed: handling frames runs the whole send path, whose future is far
                    // larger than an idle socket needs to be; inline it would be allocated
                    // with every socket's task. A revoked socket's frames are refused
                    // without that work; other frames re-check the credential themselves.
                    let replies = if registration.kick.is_revoked() {
                        vec![Some(frames::error_frame("unauthorized", "credentials revoked")); texts.len()]
                    } else {
                        Box::pin(frames::handle(&state, &caller, registration.id, &texts)).await
                    };
                    if write_out(&mut sink, replies.into_iter().flatten(), &state.metrics.ws_replies_sent).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Binary(data))) => {
                    last_heard = Instant::now();
                    if data.len() > config.ws_max_frame_bytes {
                        break Some((close::TOO_BIG, "frame too large"));
                    }
                    let reply = frames::error_frame("bad_request", "send JSON text frames");
                    if sink.send(Message::Text(reply.to_string())).await.is_err() {
                        break None;
                    }
                    state.metrics.ws_replies_sent.inc();
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => last_heard = Instant::now(),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break None,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > interval * 2 {
                    break Some((close::POLICY, "keepalive timeout"));
                }
                if sink.send(Message::Ping(Vec::new())).await.is_err() {
                    break None;
                }
            }
            _ = &mut expiry => break Some((close::POLICY, "token expired")),
        }
    };
    if let Some((code, reason)) = closing {
        let _ = sink.send(Message::Close(Some((CloseCode::from(code), reason.to_owned())))).await;
        let _ = sink.close().await;
    }

    state.hub.unregister(&caller.tenant_id, &caller.user_id, registration.id);
    match state.presence.disconnected(&caller.tenant_id, &caller.user_id).await {
        Ok(true) => Box::pin(announce_presence(&state, &caller, false)).await,
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "presence not counted down"),
    }
}
