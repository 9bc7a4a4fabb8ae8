//! Messages: what a sender writes, what the store keeps, and which part of a history to read.

use serde::Serialize;

use super::conversation::MessageType;
use super::text::check_line;
use super::web_url::FileOrigins;
use super::{Invalid, Timestamp};

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

/// `value`, when given, is one line of at most `max` characters.
fn bounded_line(field: &'static str, value: Option<&str>, max: usize) -> Result<(), Invalid> {
    let Some(value) = value else { return Ok(()) };
    if value.chars().count() > max {
        return Err(Invalid::new(field, format!("must be at most {max} characters")));
    }
    check_line(field, value)
}

impl Content {
    /// Checks everything a sender wrote but the body (which `check_body` holds to the
    /// tenant's limit): the same rules whether it came over REST or a socket frame. Returns
    /// the content with its `file_url` normalized.
    pub fn checked(mut self, files: &FileOrigins) -> Result<Self, Invalid> {
        bounded_line("client_msg_id", self.client_msg_id.as_deref(), 64)?;
        bounded_line("reply_to_id", self.reply_to_id.as_deref(), 64)?;
        let file = &mut self.attachment;
        bounded_line("media_id", file.media_id.as_deref(), 64)?;
        bounded_line("file_name", file.file_name.as_deref(), 255)?;
        bounded_line("file_type", file.file_type.as_deref(), 255)?;
        if file.file_size.is_some_and(|size| size < 0) {
            return Err(Invalid::new("file_size", "must not be negative"));
        }
        if let Some(url) = &file.file_url {
            file.file_url = Some(files.check(url)?);
        }
        Ok(self)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_fields_are_bounded_lines_and_files_known_origins() {
        let files = FileOrigins { own: None, allowed: vec!["https://cdn.test".into()] };
        let with = |f: fn(&mut Content)| {
            let mut content = Content { body: "hi".into(), ..Content::default() };
            f(&mut content);
            content.checked(&files).map_err(|e| e.field)
        };
        assert!(with(|_| {}).is_ok());
        assert_eq!(with(|c| c.client_msg_id = Some("x".repeat(65))).unwrap_err(), "client_msg_id");
        assert_eq!(with(|c| c.client_msg_id = Some("a\u{0}".into())).unwrap_err(), "client_msg_id");
        assert_eq!(with(|c| c.attachment.file_name = Some("a\nb".into())).unwrap_err(), "file_name");
        assert_eq!(with(|c| c.attachment.file_url = Some("javascript:alert(1)".into())).unwrap_err(), "file_url");
        assert_eq!(with(|c| c.attachment.file_url = Some("https://other.test/a".into())).unwrap_err(), "file_url");
        assert!(with(|c| c.attachment.file_url = Some("https://cdn.test/a".into())).is_ok());
    }
}
