//! Frames a client sends over its socket, handled by the same chat service as REST.

use serde::Deserialize;
use serde_json::{json, Value};

use super::session::Identity;
use crate::admin;
use crate::auth::UserCaller;
use crate::chat::{self, access};
use crate::domain::message::Content;
use crate::domain::text::has_nul;
use crate::error::AppError;
use crate::events::MessageView;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientFrame {
    Message {
        conversation_id: String,
        body: String,
        client_msg_id: Option<String>,
    },
    Typing {
        conversation_id: String,
    },
    Read {
        conversation_id: String,
        up_to_seq: Option<i64>,
    },
    /// Moderators: receive one conversation's events too; `None` stops.
    Watch {
        conversation_id: Option<String>,
    },
    Ping,
}

/// The `error` event for a failure, with the same code REST would answer with.
pub fn error_frame(code: &str, message: &str) -> Value {
    json!({"type": "error", "code": code, "message": message})
}

/// Why a frame could not be read, without serde's own words, which quote the refused value
/// (an unknown `type`, a field of the wrong type).
fn unreadable(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            format!("unreadable frame: not valid JSON (line {}, column {})", err.line(), err.column())
        }
        Category::Data => "unreadable frame: an unknown type, an unknown or missing field, or a value of the wrong type".to_owned(),
    }
}

/// The `error` event of a failed frame: its stable code and public message, and for a
/// refusal by a rate limit `retry_after` in seconds. An internal failure is logged with its
/// cause and shown as an opaque message, as on REST.
fn app_error_frame(err: AppError) -> Value {
    if err.is_internal() {
        tracing::error!(error = %err, "internal error");
    }
    let mut frame = error_frame(err.code(), &err.public_message());
    if let Some(secs) = err.retry_after_secs() {
        frame["retry_after"] = json!(secs);
    }
    frame
}

/// Handles the text frames of socket `socket` that arrived together, in their order; the
/// frame to answer each with, if any. The credential is checked once for them all. A run
/// of message frames is sent with `send_in_order`: stored in the order they came, their
/// commits overlapping, so a socket sending faster than one commit at a time keeps up.
#[tracing::instrument(skip_all, fields(tenant_id = %identity.tenant_id, user_id = %identity.user_id, frames = texts.len()))]
pub async fn handle(state: &AppState, identity: &Identity, socket: u64, texts: &[String]) -> Vec<Option<Value>> {
    let mut replies = vec![None; texts.len()];
    let mut caller = None;
    let mut run = Vec::new();
    for (slot, text) in texts.iter().enumerate() {
        // The rule REST applies to every request body, so the socket is no way around it.
        if has_nul(text.as_bytes()) {
            replies[slot] = Some(error_frame("bad_request", "NUL characters are not allowed"));
            continue;
        }
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(e) => {
                replies[slot] = Some(error_frame("bad_request", &unreadable(&e)));
                continue;
            }
        };
        if matches!(frame, ClientFrame::Ping) {
            replies[slot] = Some(json!({"type": "pong"}));
            continue;
        }
        if caller.is_none() {
            caller = Some(identity.caller(state).await.map_err(|err| app_error_frame(err.into())));
        }
        let caller = match caller.as_ref().expect("just set") {
            Ok(caller) => caller,
            Err(refused) => {
                replies[slot] = Some(refused.clone());
                continue;
            }
        };
        match frame {
            ClientFrame::Message { conversation_id, body, client_msg_id } => run.push((slot, conversation_id, body, client_msg_id)),
            other => {
                send_run(state, caller, std::mem::take(&mut run), &mut replies).await;
                replies[slot] = match act(state, caller, socket, other).await {
                    Ok(reply) => reply,
                    Err(err) => Some(app_error_frame(err)),
                };
            }
        }
    }
    if let Some(Ok(caller)) = &caller {
        send_run(state, caller, run, &mut replies).await;
    }
    replies
}

/// Sends a run of message frames `(slot, conversation, body, client_msg_id)` in order, and
/// puts each one's acknowledgement or error in its slot of `replies`.
async fn send_run(state: &AppState, caller: &UserCaller, run: Vec<(usize, String, String, Option<String>)>, replies: &mut [Option<Value>]) {
    let mut sends = Vec::with_capacity(run.len());
    let mut sent = Vec::with_capacity(run.len());
    for (slot, conversation_id, body, client_msg_id) in run {
        match access::member_to_send(state, caller, &conversation_id).await {
            Ok(membership) => {
                // Every rule of a send (lengths, characters) is the chat service's, as on REST.
                let content = Content { body, client_msg_id: client_msg_id.clone().filter(|c| !c.is_empty()), ..Content::default() };
                sends.push((membership, content));
                sent.push((slot, client_msg_id));
            }
            Err(err) => replies[slot] = Some(app_error_frame(err)),
        }
    }
    if sends.is_empty() {
        return;
    }
    let answers = chat::messages::send_in_order(state, caller, sends).await;
    for ((slot, client_msg_id), answer) in sent.into_iter().zip(answers) {
        replies[slot] = Some(match answer {
            // The acknowledgement carries the message as stored, without reactions.
            Ok((message, _)) => json!({"type": "ack", "client_msg_id": client_msg_id, "message": MessageView::new(message, Vec::new())}),
            Err(err) => app_error_frame(err),
        });
    }
}

async fn act(state: &AppState, caller: &UserCaller, socket: u64, frame: ClientFrame) -> Result<Option<Value>, AppError> {
    match frame {
        ClientFrame::Ping => Ok(Some(json!({"type": "pong"}))),
        ClientFrame::Watch { conversation_id } => {
            // A refused watch leaves the socket watching what it watched before.
            let watched = admin::watchable(state, caller, conversation_id.as_deref()).await?;
            state.hub.watch(&caller.tenant_id, &caller.user.id, socket, watched.as_deref());
            Ok(Some(json!({"type": "watching", "conversation_id": watched})))
        }
        ClientFrame::Typing { conversation_id } => {
            let membership = access::member(state, caller, &conversation_id).await?;
            chat::participants::typing(state, caller, &membership).await;
            Ok(None)
        }
        ClientFrame::Read { conversation_id, up_to_seq } => {
            let membership = access::member(state, caller, &conversation_id).await?;
            chat::participants::mark_read(state, caller, &membership, up_to_seq).await?;
            Ok(None)
        }
        ClientFrame::Message { .. } => unreachable!("message frames are sent in runs"),
    }
}
