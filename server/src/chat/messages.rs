//! Sending, editing, deleting, reacting to and forwarding messages.

use serde_json::json;

use super::access::{self, Membership};
use super::{notify, notify_members};
use crate::auth::UserCaller;
use crate::bus::Event;
use crate::domain::conversation::{check_body, BodyError, ConversationKind, MessageType};
use crate::domain::{Invalid, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, messages::MessageRow, messages::NewMessage, messages::Sent};

/// What a client asks to send.
#[derive(Debug, Clone, Default)]
pub struct SendInput {
    pub kind: Option<MessageType>,
    pub body: String,
    pub file_url: Option<String>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub file_type: Option<String>,
    pub media_id: Option<String>,
    pub reply_to_id: Option<String>,
    pub client_msg_id: Option<String>,
    pub forwarded_from_id: Option<String>,
}

async fn max_length(state: &AppState, tenant_id: &str) -> AppResult<i64> {
    Ok(state.tenant_settings(tenant_id).await?.max_message_length)
}

fn checked_body(body: &str, kind: MessageType, max: i64) -> AppResult<()> {
    match check_body(body, kind, max) {
        Ok(()) => Ok(()),
        Err(BodyError::Empty) => Err(Invalid::new("body", "must not be empty").into()),
        Err(BodyError::TooLong { max }) => Err(AppError::TooLarge(format!("the body is longer than {max} characters"))),
    }
}

/// The caller may send, and `body` fits the tenant's rules for `kind`: the checks of every
/// send, also made before creating a conversation whose first message this will be.
pub async fn check_sendable(state: &AppState, caller: &UserCaller, body: &str, kind: MessageType) -> AppResult<()> {
    if !caller.user.permissions.can_send_message {
        return Err(AppError::forbidden("you may not send messages"));
    }
    checked_body(body, kind, max_length(state, &caller.tenant_id).await?)
}

/// The one rule on a receiver: it must not have blocked the sender, and must take messages.
fn reachable(blocked_sender: bool, can_receive: bool) -> AppResult<()> {
    if blocked_sender {
        return Err(AppError::Forbidden { code: "blocked", message: "this user has blocked you".into() });
    }
    if !can_receive {
        return Err(AppError::forbidden("this user cannot receive messages"));
    }
    Ok(())
}

/// `receiver_id` accepts messages from the caller: has not blocked them and may receive.
pub async fn check_reachable(state: &AppState, caller: &UserCaller, receiver_id: &str) -> AppResult<()> {
    let blocked = store::social::is_blocked(&state.db, receiver_id, &caller.user.id).await?;
    let receiver = store::users::by_id(&state.db, &caller.tenant_id, receiver_id).await?;
    reachable(blocked, receiver.is_some_and(|u| u.permissions.can_receive_message))
}

/// Everyone who hears of a new message from the caller: the other current members, and the
/// caller. In a conversation of two users (direct, shop thread) the other side must accept
/// messages from the caller. One query serves both, so a send reads its members once.
async fn audience(state: &AppState, caller: &UserCaller, membership: &Membership) -> AppResult<Vec<String>> {
    let others = store::conversations::recipients(&state.db, membership.id(), &caller.user.id).await?;
    if matches!(membership.kind, ConversationKind::Direct | ConversationKind::Shop) {
        for other in &others {
            reachable(other.blocked_sender != 0, other.can_receive_message != 0 && other.deleted == 0)?;
        }
    }
    let mut audience: Vec<String> = others.into_iter().map(|other| other.user_id).collect();
    audience.push(caller.user.id.clone());
    Ok(audience)
}

/// Sends into a conversation the caller belongs to; `true` when stored now, `false` when
/// the caller's `client_msg_id` had already been used there (the first message comes back).
pub async fn send(state: &AppState, caller: &UserCaller, membership: &Membership, input: SendInput) -> AppResult<(MessageRow, bool)> {
    let kind = input.kind.unwrap_or(MessageType::Text);
    check_sendable(state, caller, &input.body, kind).await?;
    let has_file = input.file_url.is_some() || input.media_id.is_some();
    if matches!(kind, MessageType::File | MessageType::Image) && !has_file {
        return Err(Invalid::new("file_url", "file and image messages need a file_url or media_id").into());
    }
    if input.file_size.is_some_and(|s| s < 0) {
        return Err(Invalid::new("file_size", "must not be negative").into());
    }
    if let Some(reply_to) = &input.reply_to_id {
        let reply_to = access::parse_id(reply_to)?;
        let original = store::messages::by_id(&state.db, &caller.tenant_id, &reply_to).await?;
        if !original.is_some_and(|m| m.conversation_id == membership.id()) {
            return Err(Invalid::new("reply_to_id", "must be a message of the same conversation").into());
        }
    }
    let audience = audience(state, caller, membership).await?;
    let new = NewMessage {
        tenant_id: caller.tenant_id.clone(),
        conversation_id: membership.id().to_owned(),
        sender_id: Some(caller.user.id.clone()),
        kind: kind.as_str().to_owned(),
        body: input.body,
        file_url: input.file_url,
        file_name: input.file_name,
        file_size: input.file_size,
        file_type: input.file_type,
        media_id: input.media_id,
        reply_to_id: input.reply_to_id,
        forwarded_from_id: input.forwarded_from_id,
        client_msg_id: input.client_msg_id,
    };
    match store::messages::send(&state.db, &new).await? {
        Sent::New(message) => {
            if membership.kind == ConversationKind::Ticket {
                // The first answer from anyone but the requester is the ticket's first response.
                store::tickets::note_response(&state.db, membership.id(), &caller.user.id, message.created_at).await?;
            }
            let event = Event::new(&message.tenant_id, audience, "new_message", event_body(&message));
            notify(state, event).await;
            Ok((message, true))
        }
        Sent::Duplicate(message) => Ok((message, false)),
        Sent::NoConversation => Err(AppError::NotFound("conversation")),
    }
}

/// Posts a message written by Confab itself (`type` "system", no sender), such as a
/// ticket's change of status.
pub async fn post_system(state: &AppState, tenant_id: &str, conversation_id: &str, body: String) -> AppResult<MessageRow> {
    let new = NewMessage {
        tenant_id: tenant_id.to_owned(),
        conversation_id: conversation_id.to_owned(),
        kind: MessageType::System.as_str().to_owned(),
        body,
        ..NewMessage::default()
    };
    match store::messages::send(&state.db, &new).await? {
        Sent::New(message) => {
            announce(state, &message, "new_message").await;
            Ok(message)
        }
        Sent::Duplicate(_) | Sent::NoConversation => Err(AppError::NotFound("conversation")),
    }
}

/// The event body of a message: its conversation, its seq and the message itself.
pub fn event_body(message: &MessageRow) -> serde_json::Value {
    json!({
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "message": super::super::api::dto::messages::MessageDto::from_row(message, Vec::new()),
    })
}

/// Publishes a message event, with the message and its seq, to the conversation's members.
pub async fn announce(state: &AppState, message: &MessageRow, kind: &str) {
    notify_members(state, &message.tenant_id, &message.conversation_id, kind, event_body(message)).await;
}

/// A message of the caller's tenant in a conversation the caller belongs to.
pub async fn visible_message(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<(MessageRow, Membership)> {
    let id = access::parse_id(raw_id)?;
    let message = store::messages::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("message"))?;
    let membership = access::member(state, caller, &message.conversation_id).await?;
    if message.seq <= membership.participant.cleared_before_seq {
        return Err(AppError::NotFound("message"));
    }
    Ok((message, membership))
}

pub async fn edit(state: &AppState, caller: &UserCaller, raw_id: &str, body: &str) -> AppResult<MessageRow> {
    let (message, _) = visible_message(state, caller, raw_id).await?;
    if message.sender_id.as_deref() != Some(caller.user.id.as_str()) {
        return Err(AppError::forbidden("you can only edit your own messages"));
    }
    if !caller.user.permissions.can_edit_message {
        return Err(AppError::forbidden("you may not edit messages"));
    }
    if message.deleted_at.is_some() {
        return Err(AppError::Conflict("this message was deleted".into()));
    }
    let kind = if message.kind == "text" { MessageType::Text } else { MessageType::File };
    checked_body(body, kind, max_length(state, &caller.tenant_id).await?)?;
    let edited = store::messages::edit(&state.db, &message.id, body).await?;
    announce(state, &edited, "message_updated").await;
    Ok(edited)
}

/// Deletes for the caller only, or for everyone (own messages with `can_delete_message`, or
/// any message for moderators and up).
pub async fn delete(state: &AppState, caller: &UserCaller, raw_id: &str, for_everyone: bool) -> AppResult<()> {
    let (message, _) = visible_message(state, caller, raw_id).await?;
    if !for_everyone {
        store::messages::hide_for(&state.db, &message.id, &caller.user.id).await?;
        return Ok(());
    }
    let own = message.sender_id.as_deref() == Some(caller.user.id.as_str());
    let allowed = caller.role.at_least(Role::Moderator) || (own && caller.user.permissions.can_delete_message);
    if !allowed {
        return Err(AppError::forbidden("you may not delete this message for everyone"));
    }
    let deleted = store::messages::delete_for_everyone(&state.db, &message.id).await?;
    announce(state, &deleted, "message_deleted").await;
    Ok(())
}

/// Toggles the caller's `emoji` on a message.
pub async fn react(state: &AppState, caller: &UserCaller, raw_id: &str, emoji: &str) -> AppResult<MessageRow> {
    let emoji = emoji.trim();
    if emoji.is_empty() || emoji.chars().count() > 32 {
        return Err(Invalid::new("emoji", "must be 1 to 32 characters").into());
    }
    let (message, _) = visible_message(state, caller, raw_id).await?;
    if message.deleted_at.is_some() {
        return Err(AppError::Conflict("this message was deleted".into()));
    }
    let added = store::messages::toggle_reaction(&state.db, &message.id, &caller.user.id, emoji).await?;
    notify_members(
        state,
        &caller.tenant_id,
        &message.conversation_id,
        "reaction",
        json!({
            "conversation_id": message.conversation_id, "message_id": message.id, "seq": message.seq,
            "user_id": caller.user.id, "emoji": emoji, "added": added,
        }),
    )
    .await;
    Ok(message)
}

/// Most conversations one forward may reach.
pub const MAX_FORWARD_TARGETS: usize = 20;

/// Copies a message into other conversations of the caller, each copy naming its original.
pub async fn forward(state: &AppState, caller: &UserCaller, raw_id: &str, targets: &[String]) -> AppResult<Vec<MessageRow>> {
    if targets.is_empty() || targets.len() > MAX_FORWARD_TARGETS {
        return Err(Invalid::new("conversation_ids", format!("name 1 to {MAX_FORWARD_TARGETS} conversations")).into());
    }
    let (original, _) = visible_message(state, caller, raw_id).await?;
    if original.deleted_at.is_some() {
        return Err(AppError::Conflict("this message was deleted".into()));
    }
    let mut memberships = Vec::with_capacity(targets.len());
    for target in targets {
        memberships.push(access::member(state, caller, target).await?);
    }
    let mut copies = Vec::with_capacity(memberships.len());
    for membership in &memberships {
        let input = SendInput {
            kind: Some(match original.kind.as_str() {
                "file" => MessageType::File,
                "image" => MessageType::Image,
                _ => MessageType::Text,
            }),
            body: original.body.clone(),
            file_url: original.file_url.clone(),
            file_name: original.file_name.clone(),
            file_size: original.file_size,
            file_type: original.file_type.clone(),
            media_id: original.media_id.clone(),
            forwarded_from_id: Some(original.id.clone()),
            ..SendInput::default()
        };
        copies.push(send(state, caller, membership, input).await?.0);
    }
    Ok(copies)
}
