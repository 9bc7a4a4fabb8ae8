//! Messages as the API and the event stream show them.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::domain::conversation::MessageType;
use crate::domain::message::{Attachment, Content};
use crate::domain::Named;
use crate::events::{MessageView, ReactionView};
use crate::search::Found;

/// The kind of message a client may send.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum SendTypeDto {
    /// Plain text (the default).
    Text,
    /// A file; needs `file_url` or `media_id`.
    File,
    /// An image; needs `file_url` or `media_id`.
    Image,
}

impl From<SendTypeDto> for MessageType {
    fn from(t: SendTypeDto) -> Self {
        match t {
            SendTypeDto::Text => MessageType::Text,
            SendTypeDto::File => MessageType::File,
            SendTypeDto::Image => MessageType::Image,
        }
    }
}

/// One emoji's reactions on a message.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
pub struct ReactionDto {
    /// The emoji.
    pub emoji: String,
    /// How many users reacted with it.
    pub count: i64,
    /// Whether the caller is one of them.
    pub me: bool,
}

impl From<ReactionView> for ReactionDto {
    fn from(r: ReactionView) -> Self {
        ReactionDto { emoji: r.emoji, count: r.count, me: r.me }
    }
}

/// The file attached to a message, flattened into it.
#[derive(Object, Debug, Clone)]
pub struct AttachmentDto {
    /// URL of an attached file given by its sender; `null` for uploaded media, whose
    /// short-lived URLs come from `GET /v1/chat/media/{media_id}`.
    pub file_url: Option<String>,
    /// Original name of the attached file.
    pub file_name: Option<String>,
    /// Size of the attached file in bytes.
    pub file_size: Option<i64>,
    /// MIME type of the attached file.
    pub file_type: Option<String>,
    /// Id of uploaded media, when the file went through Confab's media store; the other
    /// file fields then come from the upload.
    pub media_id: Option<String>,
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        AttachmentDto { file_url: a.file_url, file_name: a.file_name, file_size: a.file_size, file_type: a.file_type, media_id: a.media_id }
    }
}

/// A message.
#[derive(Object, Debug, Clone)]
pub struct MessageDto {
    /// The message's id.
    pub id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// Position in the conversation: 1, 2, 3, ... with no gaps.
    pub seq: i64,
    /// The author; `null` for system messages.
    pub sender_id: Option<String>,
    /// `text`, `file`, `image` or `system`.
    #[oai(rename = "type")]
    pub kind: String,
    /// The text; empty once deleted for everyone.
    pub body: String,
    #[oai(flatten)]
    pub attachment: AttachmentDto,
    /// The message this one answers.
    pub reply_to_id: Option<String>,
    /// The message this one is a forwarded copy of.
    pub forwarded_from_id: Option<String>,
    /// Reactions, one entry per emoji.
    pub reactions: Vec<ReactionDto>,
    /// The sender's idempotency key, when it sent one.
    pub client_msg_id: Option<String>,
    /// When it was last edited.
    pub edited_at: Option<DateTime<Utc>>,
    /// Whether it was deleted for everyone.
    pub deleted: bool,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// In search results only: the part of the text that matched, split into pieces, each
    /// marked whether it is a matched word. Render the pieces as text, never as markup.
    #[oai(skip_serializing_if_is_none)]
    pub highlight: Option<Vec<HighlightDto>>,
}

/// A piece of a search snippet.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
pub struct HighlightDto {
    /// The piece's text.
    pub text: String,
    /// Whether it matched the query.
    pub matched: bool,
}

impl From<MessageView> for MessageDto {
    fn from(m: MessageView) -> Self {
        MessageDto {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender_id: m.sender_id,
            kind: m.kind.as_str().to_owned(),
            body: m.body,
            attachment: m.attachment.into(),
            reply_to_id: m.reply_to_id,
            forwarded_from_id: m.forwarded_from_id,
            reactions: m.reactions.into_iter().map(ReactionDto::from).collect(),
            client_msg_id: m.client_msg_id,
            edited_at: m.edited_at,
            deleted: m.deleted,
            created_at: m.created_at,
            highlight: None,
        }
    }
}

/// Message DTOs of views, in order.
pub fn many(views: Vec<MessageView>) -> Vec<MessageDto> {
    views.into_iter().map(MessageDto::from).collect()
}

/// Message DTOs of search hits, in order, each with its highlighted snippet.
pub fn found(hits: Vec<Found<MessageView>>) -> Vec<MessageDto> {
    hits.into_iter()
        .map(|hit| MessageDto {
            highlight: hit.snippet.map(|parts| parts.into_iter().map(|(text, matched)| HighlightDto { text, matched }).collect()),
            ..MessageDto::from(hit.message)
        })
        .collect()
}

/// Send a message.
#[derive(Object, Debug)]
pub struct SendMessageRequest {
    /// The text (for files and images, an optional caption). At most the tenant's
    /// `max_message_length` characters, else 413.
    #[oai(validator(max_length = 100000))]
    pub body: String,
    /// `text` (default), `file` or `image`.
    #[oai(rename = "type")]
    pub kind: Option<SendTypeDto>,
    /// Uploaded media to attach: media the sender uploaded and confirmed (anything else is
    /// 422), sent as `file` or `image`; the file fields then come from the upload and any
    /// given here are ignored.
    #[oai(validator(max_length = 64))]
    pub media_id: Option<String>,
    /// URL of the file (required for `file` unless `media_id` is given).
    #[oai(validator(max_length = 2048))]
    pub file_url: Option<String>,
    /// Original file name.
    #[oai(validator(max_length = 255))]
    pub file_name: Option<String>,
    /// File size in bytes.
    pub file_size: Option<i64>,
    /// MIME type.
    #[oai(validator(max_length = 255))]
    pub file_type: Option<String>,
    /// A message of the same conversation this one answers.
    #[oai(validator(max_length = 64))]
    pub reply_to_id: Option<String>,
    /// The sender's idempotency key: sending again with the same key returns the first
    /// message (200) instead of storing a duplicate.
    #[oai(validator(max_length = 64))]
    pub client_msg_id: Option<String>,
}

impl SendMessageRequest {
    /// What the sender wrote; an empty `client_msg_id` counts as none.
    pub fn into_content(self) -> Content {
        Content {
            kind: self.kind.map(MessageType::from).unwrap_or_default(),
            body: self.body,
            attachment: Attachment {
                file_url: self.file_url,
                file_name: self.file_name,
                file_size: self.file_size,
                file_type: self.file_type,
                media_id: self.media_id,
            },
            reply_to_id: self.reply_to_id,
            forwarded_from_id: None,
            client_msg_id: self.client_msg_id.filter(|c| !c.is_empty()),
        }
    }
}

/// Edit a message.
#[derive(Object, Debug)]
pub struct EditMessageRequest {
    /// The new text.
    #[oai(validator(max_length = 100000))]
    pub body: String,
}

/// Toggle a reaction.
#[derive(Object, Debug)]
pub struct ReactionRequest {
    /// The emoji, such as "👍".
    #[oai(validator(max_length = 64))]
    pub emoji: String,
}

/// Forward a message.
#[derive(Object, Debug)]
pub struct ForwardRequest {
    /// The message to forward.
    #[oai(validator(max_length = 64))]
    pub message_id: String,
    /// Conversations of the caller to forward it to (1 to 20).
    pub conversation_ids: Vec<String>,
}

/// Where a client's copy of one conversation ends.
#[derive(Object, Debug)]
pub struct SyncCursor {
    /// The conversation.
    #[oai(validator(max_length = 64))]
    pub conversation_id: String,
    /// The last seq the client has (0 for none).
    pub last_seq: i64,
}

/// Catch up on several conversations.
#[derive(Object, Debug)]
pub struct SyncRequest {
    /// The client's position per conversation (at most 100).
    pub conversations: Vec<SyncCursor>,
    /// Most messages per conversation (default 100, at most 500).
    pub limit: Option<i64>,
}

/// What a client missed in one conversation.
#[derive(Object, Debug)]
pub struct SyncedConversation {
    /// The conversation.
    pub conversation_id: String,
    /// Messages after the client's `last_seq`, oldest first.
    pub messages: Vec<MessageDto>,
    /// Whether more messages follow the last one returned.
    pub has_more: bool,
}

/// The result of a sync.
#[derive(Object, Debug)]
pub struct SyncResponse {
    /// One entry per requested conversation.
    pub conversations: Vec<SyncedConversation>,
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;
    use crate::domain::message::Message;

    #[test]
    fn the_attachment_fields_sit_flat_in_the_message_even_when_empty() {
        let message = Message {
            id: "m".into(),
            tenant_id: "t".into(),
            conversation_id: "c".into(),
            seq: 1,
            sender_id: None,
            content: Content { body: "hi".into(), ..Content::default() },
            edited_at: None,
            deleted_at: None,
            created_at: chrono::DateTime::from_timestamp_millis(0).unwrap(),
        };
        let json = MessageDto::from(MessageView::new(message, Vec::new())).to_json().unwrap();
        for field in ["file_url", "file_name", "file_size", "file_type", "media_id"] {
            assert_eq!(json.get(field), Some(&serde_json::Value::Null), "{field}");
        }
        assert!(json.get("attachment").is_none());
    }
}
