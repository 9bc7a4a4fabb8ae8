//! Messages: the gap-free per-conversation sequence, idempotent sends, history, reactions.

use std::sync::LazyLock;

use sqlx::any::AnyRow;
use sqlx::{AnyPool, FromRow, Row};

use super::decode::{millis, named, optional_time, time};
use super::sql::{page_of, qualified, Sql};
use super::{new_id, now_ms, send_batches, Backend, Db, StoreError, StoreResult};
use crate::domain::message::{Attachment, Content, Message, ReactionCount, Window};
use crate::domain::{Named, Timestamp};

impl FromRow<'_, AnyRow> for Message {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let attachment = Attachment {
            file_url: row.try_get("file_url")?,
            file_name: row.try_get("file_name")?,
            file_size: row.try_get("file_size")?,
            file_type: row.try_get("file_type")?,
            media_id: row.try_get("media_id")?,
        };
        let content = Content {
            kind: named(row, "type")?,
            body: row.try_get("body")?,
            attachment,
            reply_to_id: row.try_get("reply_to_id")?,
            forwarded_from_id: row.try_get("forwarded_from_id")?,
            client_msg_id: row.try_get("client_msg_id")?,
        };
        Ok(Message {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            conversation_id: row.try_get("conversation_id")?,
            seq: row.try_get("seq")?,
            sender_id: row.try_get("sender_id")?,
            content,
            edited_at: optional_time(row, "edited_at")?,
            deleted_at: optional_time(row, "deleted_at")?,
            created_at: time(row, "created_at")?,
        })
    }
}

pub(crate) const COLUMNS: &str = "id, tenant_id, conversation_id, seq, sender_id, type, body, file_url, file_name, \
    file_size, file_type, media_id, reply_to_id, forwarded_from_id, client_msg_id, edited_at, deleted_at, created_at";

/// The outcome of a send.
#[derive(Debug)]
pub enum Sent {
    /// Stored now, with the next seq.
    New(Message),
    /// The sender's `client_msg_id` was already used here: the first message, unchanged.
    Duplicate(Message),
    /// The conversation does not exist (any more).
    NoConversation,
}

async fn by_client_id<'c, E>(exec: E, conversation_id: &str, sender_id: &str, client_msg_id: &str) -> StoreResult<Option<Message>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_as::<_, Message>(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND client_msg_id = $3"
    ))
    .bind(conversation_id)
    .bind(sender_id)
    .bind(client_msg_id)
    .fetch_optional(exec)
    .await?)
}

/// The values of a new message in `COLUMNS` order, selected from the conversation's row `c`:
/// `$1` id, `$2` tenant, `$3` conversation, `$4` sender, `$5`..`$14` the message's fields,
/// `$15` the time, and `seq` its seq.
fn send_values(seq: &str) -> String {
    format!("$1, $2, c.id, {seq}, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, NULL, $15")
}

/// The send statement on SQLite (see `send`), written once.
static SEND_SQLITE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO messages ({COLUMNS}) SELECT {} FROM conversations c
         WHERE c.id = $3 AND c.deleted_at IS NULL
         RETURNING {COLUMNS}",
        send_values("c.last_seq + 1")
    )
});

/// The send statement on PostgreSQL (see `send`), written once.
static SEND_POSTGRES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH c AS (
             UPDATE conversations SET last_seq = last_seq + 1, updated_at = $15, last_message_id = $1
             WHERE id = $3 AND deleted_at IS NULL RETURNING id, last_seq),
         shown AS (
             UPDATE participants SET hidden = 0, archived = CASE WHEN user_id = $4 THEN archived ELSE 0 END
             WHERE conversation_id IN (SELECT id FROM c) AND left_at IS NULL AND (hidden = 1 OR archived = 1))
         INSERT INTO messages ({COLUMNS}) SELECT {} FROM c
         RETURNING {COLUMNS}",
        send_values("c.last_seq")
    )
});

/// The one statement of a send on `backend`, with the parameters `send_values` lists: what
/// `send` runs, and what a benchmark runs beside it to learn what the database alone can do.
pub fn send_statement(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => &SEND_SQLITE,
        Backend::Postgres => &SEND_POSTGRES,
    }
}

/// A message about to be stored: its id and time are fixed before it reaches the database.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    pub sender_id: Option<String>,
    pub content: Content,
    pub created_at: i64,
}

/// Stores a message with the next seq of its conversation; `NoConversation` when the
/// conversation is gone.
///
/// On PostgreSQL the send goes through the group commit (`send_batches`): sends that arrive
/// while earlier ones are being committed are stored together by one statement. Alone, or
/// on SQLite, it is `send_one`'s single statement.
pub async fn send(db: &Db, tenant_id: &str, conversation_id: &str, sender_id: Option<&str>, content: &Content) -> StoreResult<Sent> {
    let mut queued = queue_sends(db, tenant_id, sender_id, vec![(conversation_id.to_owned(), content.clone())]).await;
    queued.pop().expect("one answer a send").answer().await
}

/// A send handed to the store, its answer awaited apart.
pub struct Queued(Queue);

enum Queue {
    Waiting(send_batches::Answer),
    // Boxed: a stored message is large, and queued sends are held in bulk.
    Done(Box<StoreResult<Sent>>),
}

impl Queued {
    /// What `send` would have answered.
    pub async fn answer(self) -> StoreResult<Sent> {
        match self.0 {
            Queue::Waiting(answered) => send_batches::answer(answered).await,
            Queue::Done(sent) => *sent,
        }
    }
}

/// Several sends of one sender, `(conversation, content)`, stored in the order given with
/// their commits together: queued as one group for a group commit on PostgreSQL, stored by
/// the one writer one after another on SQLite. Each answer is the one `send` would give.
pub async fn queue_sends(db: &Db, tenant_id: &str, sender_id: Option<&str>, sends: Vec<(String, Content)>) -> Vec<Queued> {
    let messages: Vec<NewMessage> = sends
        .into_iter()
        .map(|(conversation_id, content)| NewMessage {
            id: new_id(),
            tenant_id: tenant_id.to_owned(),
            conversation_id,
            sender_id: sender_id.map(str::to_owned),
            content,
            created_at: now_ms(),
        })
        .collect();
    let Some(batches) = db.sends() else {
        let mut done = Vec::with_capacity(messages.len());
        for message in &messages {
            done.push(Queued(Queue::Done(Box::new(send_one(db.pool(), db.backend(), message).await))));
        }
        return done;
    };
    let count = messages.len();
    match batches.queue(messages).await {
        Ok(answers) => answers.into_iter().map(|answered| Queued(Queue::Waiting(answered))).collect(),
        Err(_) => (0..count).map(|_| Queued(Queue::Done(Box::new(Err(send_batches::closed()))))).collect(),
    }
}

/// Stores one message with the next seq of its conversation in one statement, so a send is
/// a single round trip and atomic on its own.
///
/// On SQLite the insert reads `last_seq`, and the `messages_advance_conversation` trigger
/// moves it forward (and shows the conversation again to members who had hidden or
/// archived it) inside the same statement. Writes are serialized: the pool has a single
/// connection, so no other writer can take the same number in between.
///
/// On PostgreSQL the statement first bumps `last_seq`, which takes the conversation's row
/// lock: concurrent senders queue there and each gets the next number.
///
/// Either way there is no gap and no duplicate, and a duplicate `client_msg_id` fails the
/// whole statement (its number comes back) and is answered with the first message.
pub(super) async fn send_one(pool: &AnyPool, backend: Backend, new: &NewMessage) -> StoreResult<Sent> {
    let content = &new.content;
    let file = &content.attachment;
    let inserted = sqlx::query_as::<_, Message>(send_statement(backend))
        .bind(&new.id)
        .bind(&new.tenant_id)
        .bind(&new.conversation_id)
        .bind(&new.sender_id)
        .bind(content.kind.as_str())
        .bind(&content.body)
        .bind(&file.file_url)
        .bind(&file.file_name)
        .bind(file.file_size)
        .bind(&file.file_type)
        .bind(&file.media_id)
        .bind(&content.reply_to_id)
        .bind(&content.forwarded_from_id)
        .bind(&content.client_msg_id)
        .bind(new.created_at)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::classify);
    match inserted {
        Ok(Some(message)) => Ok(Sent::New(message)),
        Ok(None) => Ok(Sent::NoConversation),
        Err(StoreError::Conflict(what)) => {
            // The sender's client_msg_id was used before (or by a retry racing this one).
            let (Some(sender), Some(client_id)) = (&new.sender_id, &content.client_msg_id) else {
                return Err(StoreError::Conflict(what));
            };
            match by_client_id(pool, &new.conversation_id, sender, client_id).await? {
                Some(first) => Ok(Sent::Duplicate(first)),
                None => Err(StoreError::Conflict(what)),
            }
        }
        Err(e) => Err(e),
    }
}

pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Message>> {
    Ok(sqlx::query_as::<_, Message>(&format!("SELECT {COLUMNS} FROM messages WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.reads())
        .await?)
}

pub async fn by_ids(db: &Db, ids: &[String]) -> StoreResult<Vec<Message>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM messages WHERE id IN ("));
    sql.bind_list(ids).push(")");
    Ok(sql.query_as::<Message>().fetch_all(db.reads()).await?)
}

/// History as `viewer` sees it: after their "delete for me" point and without messages they
/// hid. Returns the rows and how many match in all.
pub async fn history(
    db: &Db,
    conversation_id: &str,
    viewer: &str,
    cleared_before: i64,
    window: Window,
) -> StoreResult<(Vec<Message>, i64)> {
    let columns = qualified(COLUMNS, "m");
    let mut sql = Sql::new(&format!("SELECT {columns} FROM messages m WHERE m.conversation_id = "));
    sql.bind(conversation_id)
        .push(" AND m.seq > ")
        .bind(cleared_before)
        .push(" AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = ")
        .bind(viewer)
        .push(")");
    // The seqs the total counts: (after, before), the open ends as `None`.
    let (after, before) = match window {
        Window::Page { limit, offset } => {
            sql.push(" ORDER BY m.seq DESC LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
            (cleared_before, None)
        }
        Window::Before { seq, limit } => {
            sql.push(" AND m.seq < ").bind(seq).push(" ORDER BY m.seq DESC LIMIT ").bind(limit);
            (cleared_before, Some(seq))
        }
        Window::After { seq, limit } => {
            sql.push(" AND m.seq > ").bind(seq).push(" ORDER BY m.seq ASC LIMIT ").bind(limit);
            (cleared_before.max(seq), None)
        }
    };
    let rows = sql.query_as::<Message>().fetch_all(db.reads()).await?;
    let total = visible_count(db, conversation_id, viewer, after, before).await?;
    Ok((rows, total))
}

/// How many messages of the conversation with a seq above `after` (and below `before`)
/// `viewer` has not hidden. Seqs run 1, 2, 3, ... to `last_seq` with no gaps and messages
/// are never removed (a deletion leaves a tombstone), so the range holds exactly as many
/// messages as it spans; the viewer's hidden ones in it are found through their own index
/// (`hidden_messages_by_user`). A conversation of millions of messages costs no more.
async fn visible_count(db: &Db, conversation_id: &str, viewer: &str, after: i64, before: Option<i64>) -> StoreResult<i64> {
    let mut sql = Sql::new(
        "SELECT c.last_seq, (SELECT COUNT(*) FROM hidden_messages h JOIN messages m ON m.id = h.message_id
                              WHERE h.user_id = ",
    );
    sql.bind(viewer).push(" AND m.conversation_id = c.id AND m.seq > ").bind(after);
    if let Some(before) = before {
        sql.push(" AND m.seq < ").bind(before);
    }
    sql.push(") AS hidden FROM conversations c WHERE c.id = ").bind(conversation_id);
    let Some((last_seq, hidden)) = sql.query_as::<(i64, i64)>().fetch_optional(db.reads()).await? else {
        return Ok(0);
    };
    let last = before.map_or(last_seq, |before| last_seq.min(before - 1));
    Ok((last - after).max(0) - hidden)
}

/// Messages of the listed conversations created after `since`, oldest first, that `viewer`
/// can see.
pub async fn since(db: &Db, tenant_id: &str, viewer: &str, since: Timestamp, limit: i64, offset: i64) -> StoreResult<(Vec<Message>, i64)> {
    let mut from = Sql::new(
        " FROM messages m JOIN participants p ON p.conversation_id = m.conversation_id
          JOIN conversations c ON c.id = m.conversation_id
          WHERE c.deleted_at IS NULL AND p.left_at IS NULL AND m.seq > p.cleared_before_seq AND m.tenant_id = ",
    );
    from.bind(tenant_id).push(" AND p.user_id = ").bind(viewer).push(" AND m.created_at > ").bind(millis(since));
    // Nor what the viewer deleted for themselves.
    from.push(" AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = p.user_id)");
    page_of(db, &qualified(COLUMNS, "m"), &from, "m.created_at ASC, m.id ASC", limit, offset).await
}

pub async fn edit(db: &Db, id: &str, body: &str) -> StoreResult<Message> {
    Ok(sqlx::query_as::<_, Message>(&format!("UPDATE messages SET body = $2, edited_at = $3 WHERE id = $1 RETURNING {COLUMNS}"))
        .bind(id)
        .bind(body)
        .bind(now_ms())
        .fetch_one(db.pool())
        .await?)
}

/// Deletes for everyone: the row stays as a tombstone so seqs stay gap-free, its content goes.
pub async fn delete_for_everyone<'c, E>(exec: E, id: &str) -> StoreResult<Message>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_as::<_, Message>(&format!(
        "UPDATE messages SET body = '', file_url = NULL, file_name = NULL, file_size = NULL, file_type = NULL,
            media_id = NULL, deleted_at = $2 WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(now_ms())
    .fetch_one(exec)
    .await?)
}

pub async fn hide_for(db: &Db, id: &str, user_id: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO hidden_messages (message_id, user_id) VALUES ($1, $2) ON CONFLICT (message_id, user_id) DO NOTHING")
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Adds the user's reaction, or takes it back when it was there; true when added.
pub async fn toggle_reaction(db: &Db, message_id: &str, user_id: &str, emoji: &str) -> StoreResult<bool> {
    let removed = sqlx::query("DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
        .bind(message_id)
        .bind(user_id)
        .bind(emoji)
        .execute(db.pool())
        .await?;
    if removed.rows_affected() > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (message_id, user_id, emoji) DO NOTHING",
    )
    .bind(message_id)
    .bind(user_id)
    .bind(emoji)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(true)
}

impl FromRow<'_, AnyRow> for ReactionCount {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(ReactionCount {
            message_id: row.try_get("message_id")?,
            emoji: row.try_get("emoji")?,
            count: row.try_get("count")?,
            mine: row.try_get::<i64, _>("mine")? > 0,
        })
    }
}

/// Reaction counts per message and emoji, with whether `viewer` is among them.
pub async fn reactions(db: &Db, message_ids: &[String], viewer: &str) -> StoreResult<Vec<ReactionCount>> {
    let mut sql = Sql::new("SELECT message_id, emoji, COUNT(*) AS count, SUM(CASE WHEN user_id = ");
    sql.bind(viewer)
        .push(" THEN 1 ELSE 0 END) AS mine, MIN(created_at) AS first_at FROM reactions WHERE message_id IN (")
        .bind_list(message_ids)
        .push(") GROUP BY message_id, emoji ORDER BY first_at, emoji");
    Ok(sql.query_as::<ReactionCount>().fetch_all(db.reads()).await?)
}

/// The messages of a conversation within `around` seqs of `seq` on either side, oldest
/// first: a reported message in its context.
pub async fn around(db: &Db, conversation_id: &str, seq: i64, around: i64) -> StoreResult<Vec<Message>> {
    Ok(sqlx::query_as::<_, Message>(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq ASC"
    ))
    .bind(conversation_id)
    .bind(seq - around)
    .bind(seq + around)
    .fetch_all(db.reads())
    .await?)
}
