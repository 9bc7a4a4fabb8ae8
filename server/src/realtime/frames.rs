//! Frames a client sends over its socket, handled by the same chat service as REST.

use serde::Deserialize;
use serde_json::{json, Value};

use super::session::Identity;
use crate::auth::UserCaller;
use crate::chat::{self, access};
use crate::domain::message::Content;
use crate::error::AppError;
use crate::events::MessageView;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientFrame {
    Message { conversation_id: String, body: String, client_msg_id: Option<String> },
    Typing { conversation_id: String },
    Read { conversation_id: String, up_to_seq: Option<i64> },
    Ping,
}

/// The `error` event for a failure, with the same code REST would answer with.
pub fn error_frame(code: &str, message: &str) -> Value {
    json!({"type": "error", "code": code, "message": message})
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

/// Handles one text frame; returns the frame to answer with, if any.
#[tracing::instrument(skip_all, fields(tenant_id = %identity.tenant_id, user_id = %identity.user_id))]
pub async fn handle(state: &AppState, identity: &Identity, text: &str) -> Option<Value> {
    let frame = match serde_json::from_str::<ClientFrame>(text) {
        Ok(frame) => frame,
        Err(e) => return Some(error_frame("bad_request", &format!("unreadable frame: {e}"))),
    };
    if matches!(frame, ClientFrame::Ping) {
        return Some(json!({"type": "pong"}));
    }
    let caller = match identity.caller(state).await {
        Ok(caller) => caller,
        Err(err) => return Some(app_error_frame(err.into())),
    };
    match act(state, &caller, frame).await {
        Ok(reply) => reply,
        Err(err) => Some(app_error_frame(err)),
    }
}

async fn act(state: &AppState, caller: &UserCaller, frame: ClientFrame) -> Result<Option<Value>, AppError> {
    match frame {
        ClientFrame::Ping => Ok(Some(json!({"type": "pong"}))),
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
        ClientFrame::Message { conversation_id, body, client_msg_id } => {
            let membership = access::member(state, caller, &conversation_id).await?;
            if client_msg_id.as_ref().is_some_and(|c| c.chars().count() > 64) {
                return Err(crate::domain::Invalid::new("client_msg_id", "must be at most 64 characters").into());
            }
            let content = Content { body, client_msg_id: client_msg_id.clone().filter(|c| !c.is_empty()), ..Content::default() };
            let (message, _) = chat::messages::send(state, caller, &membership, content).await?;
            // The acknowledgement carries the message as stored, without reactions.
            Ok(Some(json!({"type": "ack", "client_msg_id": client_msg_id, "message": MessageView::new(message, Vec::new())})))
        }
    }
}
