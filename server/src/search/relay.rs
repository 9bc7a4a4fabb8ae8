//! The outbox relay: claims batches of outbox rows, sends the current state of the messages
//! they name to the search index, waits until the index has applied it, and only then
//! removes the rows. Failures are retried with a growing pause; sends never wait for it.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{SearchError, SearchIndex};
use crate::store::search_outbox::{self, OutboxRow};
use crate::store::{now_ms, Db};

/// Rows claimed at a time.
const BATCH: i64 = 500;
/// How long a claim keeps other relays away from a batch.
const LEASE_MS: i64 = 60_000;
/// Messages of a conversation read at a time when its readers changed.
const CONVERSATION_PAGE: i64 = 500;
const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the relay of this process has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct RelayStats {
    /// Batches the index refused or could not be reached for.
    pub failures: AtomicU64,
    /// Outbox rows applied and removed.
    pub delivered: AtomicU64,
}

/// Runs until the database pool closes. `idle` is the pause when the outbox is empty.
pub async fn run(db: Db, index: Arc<dyn SearchIndex>, stats: Arc<RelayStats>, idle: Duration) {
    let mut backoff = MIN_BACKOFF;
    let mut prepared = !index.fed_by_outbox();
    while !db.pool().is_closed() {
        if !prepared {
            // Settings first: documents sent before them would be indexed without the
            // filterable attributes searches rely on.
            match index.prepare().await {
                Ok(()) => prepared = true,
                Err(error) => {
                    stats.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%error, "search index not ready; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
        }
        match step(&db, index.as_ref(), backoff).await {
            Ok(0) => {
                backoff = MIN_BACKOFF;
                tokio::time::sleep(idle).await;
            }
            Ok(n) => {
                backoff = MIN_BACKOFF;
                stats.delivered.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(error) => {
                if db.pool().is_closed() {
                    break;
                }
                stats.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "search relay batch failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// One batch: how many rows it removed.
async fn step(db: &Db, index: &dyn SearchIndex, backoff: Duration) -> Result<usize, SearchError> {
    let fail = |e: crate::store::StoreError| SearchError(e.to_string());
    let rows = search_outbox::claim(db, BATCH, LEASE_MS).await.map_err(fail)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    if index.fed_by_outbox() {
        if let Err(error) = deliver(db, index, &rows).await {
            let retry_at = now_ms() + backoff.as_millis() as i64;
            search_outbox::release(db, &ids, retry_at).await.map_err(fail)?;
            return Err(error);
        }
    }
    search_outbox::complete(db, &ids).await.map_err(fail)?;
    Ok(ids.len())
}

/// Sends the current state of everything the rows name.
async fn deliver(db: &Db, index: &dyn SearchIndex, rows: &[OutboxRow]) -> Result<(), SearchError> {
    let messages: BTreeSet<String> = rows.iter().filter_map(|r| r.message_id.clone()).collect();
    let conversations: BTreeSet<String> = rows.iter().filter_map(|r| r.conversation_id.clone()).collect();
    let messages: Vec<String> = messages.into_iter().collect();
    for chunk in messages.chunks(CONVERSATION_PAGE as usize) {
        sync_messages(db, index, chunk).await?;
    }
    for conversation in conversations {
        sync_conversation(db, index, &conversation).await?;
    }
    Ok(())
}

/// Indexes those of `ids` that belong in the index and removes the others.
pub(crate) async fn sync_messages(db: &Db, index: &dyn SearchIndex, ids: &[String]) -> Result<(), SearchError> {
    let documents = search_outbox::documents(db, ids).await.map_err(|e| SearchError(e.to_string()))?;
    let kept: BTreeSet<&str> = documents.iter().map(|d| d.id.as_str()).collect();
    let removed: Vec<String> = ids.iter().filter(|id| !kept.contains(id.as_str())).cloned().collect();
    index.apply(&documents, &removed).await
}

/// Re-indexes every message of a conversation (its readers changed, or it was deleted).
async fn sync_conversation(db: &Db, index: &dyn SearchIndex, conversation_id: &str) -> Result<(), SearchError> {
    let fail = |e: crate::store::StoreError| SearchError(e.to_string());
    if !search_outbox::conversation_exists(db, conversation_id).await.map_err(fail)? {
        return index.remove_conversation(conversation_id).await;
    }
    let mut after = String::new();
    loop {
        let page = search_outbox::conversation_messages(db, conversation_id, &after, CONVERSATION_PAGE).await.map_err(fail)?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.clone();
        sync_messages(db, index, &page).await?;
    }
}

/// Empties the index and indexes every message of the database again; returns how many
/// messages were read (none for the database's own index, which needs no rebuild). Changes
/// made meanwhile reach the index through the outbox as usual.
pub async fn rebuild(db: &Db, index: &dyn SearchIndex) -> Result<u64, SearchError> {
    let fail = |e: crate::store::StoreError| SearchError(e.to_string());
    if !index.fed_by_outbox() {
        return Ok(0);
    }
    index.prepare().await?;
    index.clear().await?;
    let mut after = String::new();
    let mut read = 0u64;
    loop {
        let page = search_outbox::all_messages(db, &after, CONVERSATION_PAGE).await.map_err(fail)?;
        let Some(last) = page.last() else { return Ok(read) };
        after = last.clone();
        read += page.len() as u64;
        sync_messages(db, index, &page).await?;
    }
}
