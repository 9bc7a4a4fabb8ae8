//! Sending, editing, deleting, reacting to and forwarding messages.

use super::access::{self, Membership};
use super::notify;
use crate::auth::{Caller, UserCaller};
use crate::bus::Event;
use crate::domain::conversation::{check_body, BodyError, ConversationKind, MessageType};
use crate::domain::message::{Content, Message};
use crate::domain::web_url::{origin_of, FileOrigins};
use crate::domain::{parse_field_id, parse_id};
use crate::domain::{Invalid, Role, WriteKind};
use crate::error::{AppError, AppResult};
use crate::events::{MessageEvent, Payload, ReactionEvent};
use crate::state::AppState;
use crate::store::{self, messages::Sent};
use crate::throttle;

async fn max_length(state: &AppState, tenant_id: &str) -> AppResult<i64> {
    Ok(state.tenant_settings(tenant_id).await?.max_message_length)
}

/// Where the tenant's attached files may live.
async fn file_origins(state: &AppState, tenant_id: &str) -> AppResult<FileOrigins> {
    let allowed = state.tenant_settings(tenant_id).await?.allowed_file_origins;
    Ok(FileOrigins { own: state.config.public_url.as_deref().and_then(origin_of), allowed })
}

fn checked_body(body: &str, kind: MessageType, max: i64) -> AppResult<()> {
    match check_body(body, kind, max) {
        Ok(()) => Ok(()),
        Err(BodyError::Empty) => Err(Invalid::new("body", "must not be empty").into()),
        Err(BodyError::Invalid(invalid)) => Err(invalid.into()),
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
    let others = match &membership.recipients {
        Some(others) => others.clone(),
        None => store::participants::recipients(&state.db, membership.id(), &caller.user.id).await?,
    };
    if membership.kind().is_pair() {
        for other in &others {
            reachable(other.blocked_sender, other.can_receive_message && !other.deleted)?;
        }
    }
    let mut audience: Vec<String> = others.into_iter().map(|other| other.user_id).collect();
    audience.push(caller.user.id.clone());
    Ok(audience)
}

/// Sends into a conversation the caller belongs to; `true` when stored now, `false` when
/// the caller's `client_msg_id` had already been used there (the first message comes back).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn send(state: &AppState, caller: &UserCaller, membership: &Membership, content: Content) -> AppResult<(Message, bool)> {
    throttle::take(state, caller, WriteKind::Message).await?;
    deliver(state, caller, membership, content).await
}

/// Several sends of the caller, each answered as `send` would answer it alone, stored in
/// the order given with their commits together (a socket's frames that arrived together):
/// each is checked in turn, those that pass go to the store as one group, and only then
/// are the answers awaited. Announcements go out in the same order.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, sends = sends.len()))]
pub async fn send_in_order(state: &AppState, caller: &UserCaller, sends: Vec<(Membership, Content)>) -> Vec<AppResult<(Message, bool)>> {
    let mut checked = Vec::with_capacity(sends.len());
    for (membership, content) in sends {
        checked.push(match throttle::take(state, caller, WriteKind::Message).await {
            Ok(()) => check(state, caller, &membership, content).await,
            Err(error) => Err(error),
        });
    }
    let mut queued = queue(state, caller, checked.iter().filter_map(|send| send.as_ref().ok())).await;
    let mut answers = Vec::with_capacity(checked.len());
    for send in checked {
        answers.push(match send {
            Ok(send) => send.answer(state, caller, queued.next().expect("one queued send for each that passed")).await,
            Err(error) => Err(error),
        });
    }
    answers
}

/// `send` with its write already counted against the rate limits: for copies of a forward
/// and the first message of a new conversation.
pub(super) async fn deliver(
    state: &AppState,
    caller: &UserCaller,
    membership: &Membership,
    content: Content,
) -> AppResult<(Message, bool)> {
    let send = check(state, caller, membership, content).await?;
    let queued = queue(state, caller, std::iter::once(&send)).await.next().expect("one queued send");
    send.answer(state, caller, queued).await
}

/// Hands checked sends of the caller to the store as one group, in order.
async fn queue<'a>(
    state: &AppState,
    caller: &UserCaller,
    sends: impl Iterator<Item = &'a CheckedSend>,
) -> std::vec::IntoIter<store::messages::Queued> {
    let sends = sends.map(|send| (send.conversation_id.clone(), send.content.clone())).collect();
    store::messages::queue_sends(&state.db, &caller.tenant_id, Some(&caller.user.id), sends).await.into_iter()
}

/// A send that passed every check, with who hears of it.
struct CheckedSend {
    content: Content,
    kind: ConversationKind,
    conversation_id: String,
    audience: Vec<String>,
}

/// Every check of a send, whichever path (REST, socket frame, forward) it came by.
async fn check(state: &AppState, caller: &UserCaller, membership: &Membership, content: Content) -> AppResult<CheckedSend> {
    check_sendable(state, caller, &content.body, content.kind).await?;
    let mut content = content.checked(&file_origins(state, &caller.tenant_id).await?)?;
    if let Some(attachment) = crate::media::attachment_for(state, caller, &content).await? {
        content.attachment = attachment;
    }
    if content.kind.has_file() && !content.attachment.is_present() {
        return Err(Invalid::new("file_url", "file and image messages need a file_url or media_id").into());
    }
    if let Some(reply_to) = &content.reply_to_id {
        let reply_to = parse_field_id("reply_to_id", reply_to)?;
        let original = store::messages::by_id(&state.db, &caller.tenant_id, &reply_to).await?;
        let seen = match original {
            Some(m) if m.conversation_id == membership.id() => !hidden_from(state, caller, membership, &m).await?,
            _ => false,
        };
        if !seen {
            return Err(Invalid::new("reply_to_id", "must be a message of the same conversation").into());
        }
    }
    let audience = audience(state, caller, membership).await?;
    Ok(CheckedSend { content, kind: membership.kind(), conversation_id: membership.id().to_owned(), audience })
}

impl CheckedSend {
    /// Waits for the store's answer to the send, then announces a new message.
    async fn answer(self, state: &AppState, caller: &UserCaller, queued: store::messages::Queued) -> AppResult<(Message, bool)> {
        match queued.answer().await? {
            Sent::New(message) => {
                if self.kind == ConversationKind::Ticket {
                    // The first answer from anyone but the requester is the ticket's first response.
                    store::tickets::note_response(&state.db, &self.conversation_id, &caller.user.id, message.created_at).await?;
                }
                let event = Event::new(&message.tenant_id, self.audience, &Payload::NewMessage(MessageEvent::of(&message)));
                notify(state, event).await;
                Ok((message, true))
            }
            Sent::Duplicate(message) => Ok((message, false)),
            Sent::NoConversation => Err(AppError::NotFound("conversation")),
        }
    }
}

/// Posts a message written by Confab itself (`type` "system", no sender), such as a
/// ticket's change of status.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant_id, conversation_id = %conversation_id))]
pub async fn post_system(state: &AppState, tenant_id: &str, conversation_id: &str, body: String) -> AppResult<Message> {
    let content = Content { kind: MessageType::System, body, ..Content::default() };
    match store::messages::send(&state.db, tenant_id, conversation_id, None, &content).await? {
        Sent::New(message) => {
            announce(state, &message, Payload::NewMessage).await;
            Ok(message)
        }
        Sent::Duplicate(_) | Sent::NoConversation => Err(AppError::NotFound("conversation")),
    }
}

/// Publishes a message event (`kind` names which), with the message and its seq, to the
/// conversation's members who see it.
pub async fn announce(state: &AppState, message: &Message, kind: fn(MessageEvent) -> Payload) {
    notify_viewers(state, message, kind(MessageEvent::of(message))).await;
}

/// Publishes an event about `message` to the members who see it: never to one who deleted
/// it for themselves.
async fn notify_viewers(state: &AppState, message: &Message, payload: Payload) {
    match store::hidden::viewers(&state.db, message).await {
        Ok(audience) => notify(state, Event::new(&message.tenant_id, audience, &payload)).await,
        Err(error) => tracing::warn!(%error, "could not load the audience of an event"),
    }
}

/// Whether the caller put `message` (of their conversation `membership`) out of their own
/// sight: cleared the conversation past it or deleted it for themselves.
async fn hidden_from(state: &AppState, caller: &UserCaller, membership: &Membership, message: &Message) -> AppResult<bool> {
    Ok(message.seq <= membership.participant.cleared_before_seq
        || store::hidden::is_hidden(&state.db, &message.id, &caller.user.id).await?)
}

/// A message of the caller's tenant in a conversation the caller belongs to.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, message_id = %raw_id))]
pub async fn visible_message(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<(Message, Membership)> {
    let id = parse_id(raw_id)?;
    let message = store::messages::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("message"))?;
    let membership = access::member(state, caller, &message.conversation_id).await?;
    // A message the caller hid is gone for them: no edit, reaction, forward or delete.
    if hidden_from(state, caller, &membership, &message).await? {
        return Err(AppError::NotFound("message"));
    }
    Ok((message, membership))
}

/// Edits one of the caller's own messages (`can_edit_message`).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, message_id = %raw_id))]
pub async fn edit(state: &AppState, caller: &UserCaller, raw_id: &str, body: &str) -> AppResult<Message> {
    let (message, _) = visible_message(state, caller, raw_id).await?;
    if !message.is_from(&caller.user.id) {
        return Err(AppError::forbidden("you can only edit your own messages"));
    }
    if !caller.user.permissions.can_edit_message {
        return Err(AppError::forbidden("you may not edit messages"));
    }
    if message.is_deleted() {
        return Err(AppError::Conflict("this message was deleted".into()));
    }
    checked_body(body, message.content.kind, max_length(state, &caller.tenant_id).await?)?;
    let edited = store::messages::edit(&state.db, &message.id, body).await?;
    announce(state, &edited, Payload::MessageUpdated).await;
    Ok(edited)
}

/// Deletes for the caller only, or for everyone (own messages with `can_delete_message`, or
/// any message for moderators and up).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, message_id = %raw_id))]
pub async fn delete(state: &AppState, caller: &UserCaller, raw_id: &str, for_everyone: bool) -> AppResult<()> {
    let (message, _) = visible_message(state, caller, raw_id).await?;
    if !for_everyone {
        store::messages::hide_for(&state.db, &message.id, &caller.user.id).await?;
        return Ok(());
    }
    let own = message.is_from(&caller.user.id);
    let allowed = caller.role.at_least(Role::Moderator) || (own && caller.user.permissions.can_delete_message);
    if !allowed {
        return Err(AppError::forbidden("you may not delete this message for everyone"));
    }
    if !own {
        // A moderator removing someone else's message: audited like the admin API's removal.
        return crate::admin::remove_message(state, &Caller::User(caller.clone()), &message.id, None).await;
    }
    let deleted = store::messages::delete_for_everyone(state.db.pool(), &message.id).await?;
    announce(state, &deleted, Payload::MessageDeleted).await;
    if let Some(media_id) = &message.content.attachment.media_id {
        crate::media::release(state, &message.tenant_id, media_id).await;
    }
    Ok(())
}

/// Toggles the caller's `emoji` on a message.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, message_id = %raw_id))]
pub async fn react(state: &AppState, caller: &UserCaller, raw_id: &str, emoji: &str) -> AppResult<Message> {
    let emoji = emoji.trim();
    if emoji.is_empty() || emoji.chars().count() > 32 {
        return Err(Invalid::new("emoji", "must be 1 to 32 characters").into());
    }
    let (message, _) = visible_message(state, caller, raw_id).await?;
    if message.is_deleted() {
        return Err(AppError::Conflict("this message was deleted".into()));
    }
    let added = store::messages::toggle_reaction(&state.db, &message.id, &caller.user.id, emoji).await?;
    let reaction = ReactionEvent {
        conversation_id: message.conversation_id.clone(),
        message_id: message.id.clone(),
        seq: message.seq,
        user_id: caller.user.id.clone(),
        emoji: emoji.to_owned(),
        added,
    };
    notify_viewers(state, &message, Payload::Reaction(reaction)).await;
    Ok(message)
}

/// Most conversations one forward may reach.
pub const MAX_FORWARD_TARGETS: usize = 20;

/// Copies a message into other conversations of the caller, each copy naming its original.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, message_id = %raw_id))]
pub async fn forward(state: &AppState, caller: &UserCaller, raw_id: &str, targets: &[String]) -> AppResult<Vec<Message>> {
    if targets.is_empty() || targets.len() > MAX_FORWARD_TARGETS {
        return Err(Invalid::new("conversation_ids", format!("name 1 to {MAX_FORWARD_TARGETS} conversations")).into());
    }
    let (original, _) = visible_message(state, caller, raw_id).await?;
    if original.is_deleted() {
        return Err(AppError::Conflict("this message was deleted".into()));
    }
    let mut memberships = Vec::with_capacity(targets.len());
    for target in targets {
        memberships.push(access::member(state, caller, target).await?);
    }
    // A copy keeps the original's words and file, names its original, and is the caller's
    // own: a system message is forwarded as text.
    let kind = match original.content.kind {
        MessageType::System => MessageType::Text,
        kind => kind,
    };
    let copy = Content {
        kind,
        body: original.content.body.clone(),
        attachment: original.content.attachment.clone(),
        forwarded_from_id: Some(original.id.clone()),
        ..Content::default()
    };
    // Every copy is a write: all are counted before any is stored.
    throttle::take_each(state, caller, WriteKind::Message, memberships.len(), "conversation_ids").await?;
    let mut copies = Vec::with_capacity(memberships.len());
    for membership in &memberships {
        copies.push(deliver(state, caller, membership, copy.clone()).await?.0);
    }
    Ok(copies)
}
