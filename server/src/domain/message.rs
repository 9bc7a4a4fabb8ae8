//! Messages: what a sender writes, what the store keeps, and which part of a history to read.

use serde::Serialize;

use super::conversation::MessageType;
use super::Timestamp;

/// A file attached to a message: a URL of the sender's own, or media uploaded to Confab.
/// Its serialized form is the flat set of `file_*` and `media_id` fields every message
/// carries, on REST and on the WebSocket alike.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// URL of the file.
    pub file_url: Option<String>,
    /// Original name of the file.
    pub file_name: Option<String>,
    /// Size of the file in bytes.
    pub file_size: Option<i64>,
    /// MIME type of the file.
    pub file_type: Option<String>,
    /// Id of uploaded media, when the file went through Confab's media store.
    pub media_id: Option<String>,
}

impl Attachment {
    /// True when there is a file to show: a URL or uploaded media.
    pub fn is_present(&self) -> bool {
        self.file_url.is_some() || self.media_id.is_some()
    }
}

/// What the sender of a message writes: everything of it but where and when it was stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub kind: MessageType,
    /// The text; for files and images an optional caption.
    pub body: String,
    pub attachment: Attachment,
    /// The message of the same conversation this one answers.
    pub reply_to_id: Option<String>,
    /// The message this one is a forwarded copy of.
    pub forwarded_from_id: Option<String>,
    /// The sender's idempotency key.
    pub client_msg_id: Option<String>,
}

/// A stored message.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    /// Position in the conversation: 1, 2, 3, ... with no gaps.
    pub seq: i64,
    /// `None` for system messages.
    pub sender_id: Option<String>,
    pub content: Content,
    pub edited_at: Option<Timestamp>,
    /// Set once deleted for everyone; the content is gone by then.
    pub deleted_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl Message {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    pub fn is_from(&self, user_id: &str) -> bool {
        self.sender_id.as_deref() == Some(user_id)
    }
}

/// One emoji's reactions on one message, as one viewer sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    pub message_id: String,
    pub emoji: String,
    pub count: i64,
    /// Whether the viewer is among them.
    pub mine: bool,
}

/// Which part of a conversation's history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Newest first, `limit` after skipping `offset`.
    Page { limit: i64, offset: i64 },
    /// The `limit` messages just before `seq`, newest first.
    Before { seq: i64, limit: i64 },
    /// The `limit` messages just after `seq`, oldest first.
    After { seq: i64, limit: i64 },
}
