//! The search outbox (see the migration `search_outbox`): claiming rows for a relay,
//! removing them once applied, and reading the current state of what they name as search
//! documents.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::sql::Sql;
use super::{now_ms, Backend, Db, StoreResult};

/// One claimed change: a message, or a whole conversation whose readers changed.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: Option<String>,
    pub conversation_id: Option<String>,
}

impl FromRow<'_, AnyRow> for OutboxRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(OutboxRow { id: row.try_get("id")?, message_id: row.try_get("message_id")?, conversation_id: row.try_get("conversation_id")? })
    }
}

/// A message as the search index holds it: its words, where it lives and who may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    pub sender_id: Option<String>,
    pub body: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    /// Current members who may read it: not left, not cleared past it, not hidden it.
    pub readers: Vec<String>,
}

/// Claims up to `limit` free rows, oldest first, for `lease_ms`: another relay skips them
/// until the lease runs out (a relay that dies mid-batch so leaves them to the others).
/// PostgreSQL skips rows another relay is claiming at the same moment; SQLite has one writer.
pub async fn claim(db: &Db, limit: i64, lease_ms: i64) -> StoreResult<Vec<OutboxRow>> {
    let now = now_ms();
    let lock = match db.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE search_outbox SET claimed_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM search_outbox WHERE claimed_until < $2 ORDER BY id LIMIT $3{lock})
         RETURNING id, message_id, conversation_id"
    );
    let mut rows = sqlx::query_as::<_, OutboxRow>(&sql).bind(now + lease_ms).bind(now).bind(limit).fetch_all(db.pool()).await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Removes rows the search backend has applied.
pub async fn complete(db: &Db, ids: &[i64]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM search_outbox WHERE id IN (");
    sql.bind_list(ids).push(") RETURNING id");
    sql.query_scalar::<i64>().fetch_all(db.pool()).await?;
    Ok(())
}

/// Hands claimed rows back at once (after a failure), so a retry need not wait for the lease.
pub async fn release(db: &Db, ids: &[i64], retry_at_ms: i64) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("UPDATE search_outbox SET claimed_until = ");
    sql.bind(retry_at_ms).push(" WHERE id IN (").bind_list(ids).push(") RETURNING id");
    sql.query_scalar::<i64>().fetch_all(db.pool()).await?;
    Ok(())
}

/// How many rows wait, and the creation time of the oldest (epoch milliseconds).
pub async fn depth(db: &Db) -> StoreResult<(i64, Option<i64>)> {
    let row = sqlx::query("SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM search_outbox").fetch_one(db.pool()).await?;
    Ok((row.try_get("depth")?, row.try_get("oldest")?))
}

/// The documents of those of `ids` that belong in the index (live, with words, in a live
/// conversation); the others are to be removed from it.
pub async fn documents(db: &Db, ids: &[String]) -> StoreResult<Vec<SearchDocument>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT m.id, m.tenant_id, m.conversation_id, m.sender_id, m.body, m.created_at FROM messages m
         JOIN conversations c ON c.id = m.conversation_id
         WHERE m.deleted_at IS NULL AND c.deleted_at IS NULL AND m.body <> '' AND m.id IN (",
    );
    sql.bind_list(ids).push(")");
    let rows = sql.query_as::<DocumentRow>().fetch_all(db.pool()).await?;
    let mut readers = Sql::new(
        "SELECT m.id, p.user_id FROM messages m
         JOIN participants p ON p.conversation_id = m.conversation_id AND p.left_at IS NULL AND m.seq > p.cleared_before_seq
         WHERE NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = p.user_id) AND m.id IN (",
    );
    readers.bind_list(ids).push(") ORDER BY p.user_id");
    let mut by_message: HashMap<String, Vec<String>> = HashMap::new();
    for (message_id, user_id) in readers.query_as::<(String, String)>().fetch_all(db.pool()).await? {
        by_message.entry(message_id).or_default().push(user_id);
    }
    Ok(rows
        .into_iter()
        .map(|r| SearchDocument {
            readers: by_message.remove(&r.id).unwrap_or_default(),
            id: r.id,
            tenant_id: r.tenant_id,
            conversation_id: r.conversation_id,
            sender_id: r.sender_id,
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

struct DocumentRow {
    id: String,
    tenant_id: String,
    conversation_id: String,
    sender_id: Option<String>,
    body: String,
    created_at: i64,
}

impl FromRow<'_, AnyRow> for DocumentRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(DocumentRow {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            conversation_id: row.try_get("conversation_id")?,
            sender_id: row.try_get("sender_id")?,
            body: row.try_get("body")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// Whether the conversation still exists (deleted or not); its documents go when it does not.
pub async fn conversation_exists(db: &Db, conversation_id: &str) -> StoreResult<bool> {
    Ok(sqlx::query_scalar::<_, String>("SELECT id FROM conversations WHERE id = $1")
        .bind(conversation_id)
        .fetch_optional(db.pool())
        .await?
        .is_some())
}

/// Up to `limit` ids of the conversation's messages after `after` (by id), for walking a
/// conversation in pages.
pub async fn conversation_messages(db: &Db, conversation_id: &str, after: &str, limit: i64) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>("SELECT id FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3")
        .bind(conversation_id)
        .bind(after)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Up to `limit` ids of every message after `after` (by id), for rebuilding the index.
pub async fn all_messages(db: &Db, after: &str, limit: i64) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar::<_, String>("SELECT id FROM messages WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Those of `ids` that `user_id` may read now (a current member, not cleared past it, not
/// hidden it, not deleted): a search index fed through the outbox can lag behind a change
/// of readers by a moment, the database cannot.
pub async fn readable_by(db: &Db, user_id: &str, ids: &[String]) -> StoreResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT m.id FROM messages m
         JOIN participants p ON p.conversation_id = m.conversation_id AND p.left_at IS NULL AND m.seq > p.cleared_before_seq
         WHERE m.deleted_at IS NULL AND p.user_id = ",
    );
    sql.bind(user_id)
        .push(" AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = p.user_id) AND m.id IN (")
        .bind_list(ids)
        .push(")");
    Ok(sql.query_scalar::<String>().fetch_all(db.pool()).await?)
}
