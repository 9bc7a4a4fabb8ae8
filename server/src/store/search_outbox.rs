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

/// The conversation an outbox row belongs to: its own, its message's, or (for a message
/// that no longer exists) the message id itself, which no other row can contend for.
const ROW_CONVERSATION: &str = "COALESCE(o.conversation_id, m.conversation_id, o.message_id)";

/// What one relay claimed: the rows, and the conversations it holds while it sends them.
#[derive(Debug, Clone, Default)]
pub struct Claimed {
    pub rows: Vec<OutboxRow>,
    pub conversations: Vec<String>,
}

/// Claims, for relay `holder`, up to `limit` free rows, oldest first, for `lease_ms`. The
/// rows come only from conversations the holder holds (see the migration
/// `search_relay_claims`): it takes the conversations of the oldest free rows that no other
/// live relay holds, then the free rows of those. A relay that dies mid-batch so leaves its
/// rows and conversations to the others once the lease runs out. PostgreSQL also skips rows
/// another relay is claiming at the same moment; SQLite has one writer.
pub async fn claim(db: &Db, holder: &str, limit: i64, lease_ms: i64) -> StoreResult<Claimed> {
    let now = now_ms();
    let until = now + lease_ms;
    let oldest: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT {ROW_CONVERSATION} FROM search_outbox o LEFT JOIN messages m ON m.id = o.message_id
         WHERE o.claimed_until < $1 ORDER BY o.id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut wanted = oldest;
    // Sorted, so relays that want the same conversations lock them in the same order.
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(Claimed::default());
    }
    let conversations = hold(db, holder, &wanted, lease_ms).await?;
    if conversations.is_empty() {
        return Ok(Claimed::default());
    }
    let lock = match db.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE OF o SKIP LOCKED",
    };
    let mut rows = Sql::new("UPDATE search_outbox SET claimed_until = ");
    rows.bind(until).push(&format!(
        ", attempts = attempts + 1 WHERE id IN (SELECT o.id FROM search_outbox o LEFT JOIN messages m ON m.id = o.message_id
         WHERE {ROW_CONVERSATION} IN ("
    ));
    rows.bind_list(&conversations).push(") AND o.claimed_until < ").bind(now).push(" ORDER BY o.id LIMIT ").bind(limit);
    rows.push(lock).push(") RETURNING id, message_id, conversation_id");
    let mut rows = rows.query_as::<OutboxRow>().fetch_all(db.pool()).await?;
    rows.sort_by_key(|r| r.id);
    Ok(Claimed { rows, conversations })
}

/// Takes for `holder`, for `lease_ms`, those of `conversations` (sorted, no duplicates) that
/// no other live relay holds; returns them, sorted.
pub async fn hold(db: &Db, holder: &str, conversations: &[String], lease_ms: i64) -> StoreResult<Vec<String>> {
    if conversations.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let mut take = Sql::new("INSERT INTO search_relay_claims (conversation_id, holder, claimed_until) VALUES ");
    for (i, conversation) in conversations.iter().enumerate() {
        take.push(if i == 0 { "(" } else { ", (" }).bind(conversation).push(", ").bind(holder).push(", ").bind(now + lease_ms).push(")");
    }
    take.push(
        " ON CONFLICT (conversation_id) DO UPDATE SET holder = excluded.holder, claimed_until = excluded.claimed_until
          WHERE search_relay_claims.holder = excluded.holder OR search_relay_claims.claimed_until < ",
    )
    .bind(now)
    .push(" RETURNING conversation_id");
    let mut held = take.query_scalar::<String>().fetch_all(db.pool()).await?;
    held.sort();
    Ok(held)
}

/// Extends `holder`'s claim on `conversations` by `lease_ms`; false when it lost any of
/// them (its lease ran out and another relay took over), so it must not send.
pub async fn renew(db: &Db, holder: &str, conversations: &[String], lease_ms: i64) -> StoreResult<bool> {
    if conversations.is_empty() {
        return Ok(true);
    }
    let mut sql = Sql::new("UPDATE search_relay_claims SET claimed_until = ");
    sql.bind(now_ms() + lease_ms).push(" WHERE holder = ").bind(holder).push(" AND conversation_id IN (");
    sql.bind_list(conversations).push(") RETURNING conversation_id");
    Ok(sql.query_scalar::<String>().fetch_all(db.pool()).await?.len() == conversations.len())
}

/// Gives up `holder`'s claim on `conversations`, and forgets claims that ran out long ago.
pub async fn unclaim(db: &Db, holder: &str, conversations: &[String]) -> StoreResult<()> {
    if conversations.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM search_relay_claims WHERE (holder = ");
    sql.bind(holder).push(" AND conversation_id IN (").bind_list(conversations).push(")) OR claimed_until < ");
    sql.bind(now_ms() - STALE_CLAIM_MS).push(" RETURNING conversation_id");
    sql.query_scalar::<String>().fetch_all(db.pool()).await?;
    Ok(())
}

/// How long after running out a dead relay's claim is deleted (it is free from the moment it
/// runs out; this only keeps the table small).
const STALE_CLAIM_MS: i64 = 60 * 60 * 1000;

/// Turns the writing of outbox rows on or off for every process of the deployment (see the
/// migration `search_outbox_switch`).
pub async fn set_enabled(db: &Db, enabled: bool) -> StoreResult<()> {
    let value = match (db.backend(), enabled) {
        (Backend::Sqlite, true) => "1",
        (Backend::Sqlite, false) => "0",
        (Backend::Postgres, true) => "TRUE",
        (Backend::Postgres, false) => "FALSE",
    };
    sqlx::query(&format!("UPDATE search_outbox_switch SET enabled = {value} WHERE id = 1")).execute(db.pool()).await?;
    Ok(())
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
    let row = sqlx::query("SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM search_outbox").fetch_one(db.reads()).await?;
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
    let rows = sql.query_as::<DocumentRow>().fetch_all(db.reads()).await?;
    let mut readers = Sql::new(
        "SELECT m.id, p.user_id FROM messages m
         JOIN participants p ON p.conversation_id = m.conversation_id AND p.left_at IS NULL AND m.seq > p.cleared_before_seq
         WHERE NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = p.user_id) AND m.id IN (",
    );
    readers.bind_list(ids).push(") ORDER BY p.user_id");
    let mut by_message: HashMap<String, Vec<String>> = HashMap::new();
    for (message_id, user_id) in readers.query_as::<(String, String)>().fetch_all(db.reads()).await? {
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
        .fetch_optional(db.reads())
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
        .fetch_all(db.reads())
        .await?)
}

/// Up to `limit` ids of every message after `after` (by id), each with its conversation,
/// for rebuilding the index.
pub async fn all_messages(db: &Db, after: &str, limit: i64) -> StoreResult<Vec<(String, String)>> {
    Ok(sqlx::query_as::<_, (String, String)>("SELECT id, conversation_id FROM messages WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(db.reads())
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
    Ok(sql.query_scalar::<String>().fetch_all(db.reads()).await?)
}
