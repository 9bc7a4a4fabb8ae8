//! Who sees a message: its conversation's current members, except those who deleted it
//! "for me" (`hidden_messages`) or cleared the conversation past it. Every read of single
//! messages and every event about one goes through these, so a hidden message never comes
//! back to the user who hid it.

use super::messages::COLUMNS;
use super::sql::{qualified, Sql};
use super::{Db, StoreResult};
use crate::domain::message::Message;

/// Whether `user_id` deleted message `message_id` for themselves.
pub async fn is_hidden(db: &Db, message_id: &str, user_id: &str) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM hidden_messages WHERE message_id = $1 AND user_id = $2")
        .bind(message_id)
        .bind(user_id)
        .fetch_optional(db.reads())
        .await?;
    Ok(found.is_some())
}

/// The current members of the message's conversation who still see it.
pub async fn viewers(db: &Db, message: &Message) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT p.user_id FROM participants p WHERE p.conversation_id = $1 AND p.left_at IS NULL AND p.cleared_before_seq < $2
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = $3 AND h.user_id = p.user_id)
         ORDER BY p.user_id",
    )
    .bind(&message.conversation_id)
    .bind(message.seq)
    .bind(&message.id)
    .fetch_all(db.reads())
    .await?)
}

/// The newest message of a conversation that `viewer` sees, for a listing whose last
/// message the viewer hid.
pub async fn latest_visible(db: &Db, conversation_id: &str, viewer: &str) -> StoreResult<Option<Message>> {
    let columns = qualified(COLUMNS, "m");
    Ok(sqlx::query_as::<_, Message>(&format!(
        "SELECT {columns} FROM messages m JOIN participants p ON p.conversation_id = m.conversation_id AND p.user_id = $2
         WHERE m.conversation_id = $1 AND m.seq > p.cleared_before_seq
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = $2)
         ORDER BY m.seq DESC LIMIT 1"
    ))
    .bind(conversation_id)
    .bind(viewer)
    .fetch_optional(db.reads())
    .await?)
}

/// Of `message_ids`, those `viewer` hid.
pub async fn hidden_among(db: &Db, message_ids: &[String], viewer: &str) -> StoreResult<Vec<String>> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT message_id FROM hidden_messages WHERE user_id = ");
    sql.bind(viewer).push(" AND message_id IN (").bind_list(message_ids).push(")");
    Ok(sql.query_scalar::<String>().fetch_all(db.reads()).await?)
}
