//! Frames a client sends over its socket, handled by the same chat service as REST.

use serde::Deserialize;
use serde_json::{json, Value};

use super::socket::Identity;
use crate::api::dto::messages::MessageDto;
use crate::api::error::ApiError;
use crate::auth::UserCaller;
use crate::chat::{self, access, messages::SendInput};
use crate::error::AppError;
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

fn app_error_frame(err: AppError) -> Value {
    let body = match ApiError::from(err) {
        ApiError::BadRequest(b)
        | ApiError::Unauthorized(b)
        | ApiError::Forbidden(b)
        | ApiError::NotFound(b)
        | ApiError::Conflict(b)
        | ApiError::PayloadTooLarge(b)
        | ApiError::ValidationFailed(b)
        | ApiError::RateLimited(b, _)
        | ApiError::Internal(b) => b.0,
    };
    error_frame(&body.code, &body.message)
}

/// Handles one text frame; returns the frame to answer with, if any.
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
            chat::conversations::typing(state, caller, &membership).await;
            Ok(None)
        }
        ClientFrame::Read { conversation_id, up_to_seq } => {
            let membership = access::member(state, caller, &conversation_id).await?;
            chat::conversations::mark_read(state, caller, &membership, up_to_seq).await?;
            Ok(None)
        }
        ClientFrame::Message { conversation_id, body, client_msg_id } => {
            let membership = access::member(state, caller, &conversation_id).await?;
            if client_msg_id.as_ref().is_some_and(|c| c.chars().count() > 64) {
                return Err(crate::domain::Invalid::new("client_msg_id", "must be at most 64 characters").into());
            }
            let input = SendInput { body, client_msg_id: client_msg_id.clone().filter(|c| !c.is_empty()), ..SendInput::default() };
            let (message, _) = chat::messages::send(state, caller, &membership, input).await?;
            Ok(Some(json!({"type": "ack", "client_msg_id": client_msg_id, "message": MessageDto::from_row(&message, Vec::new())})))
        }
    }
}
