//! The outbox relay: claims batches of outbox rows, sends the current state of the messages
//! they name to the search index, waits until the index has applied it, and only then
//! removes the rows. Failures are retried with a growing pause; sends never wait for it.
//!
//! Every server process runs one. A relay holds the conversations whose rows it sends (see
//! `search_outbox::claim`), so the changes of one conversation are sent by one relay at a
//! time, each state read after the previous one was applied: an older read never lands
//! after a newer one.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::{SearchError, SearchIndex};
use crate::store::search_outbox::{self, OutboxRow};
use crate::store::{now_ms, Db};

/// Rows claimed at a time.
const BATCH: i64 = 1_000;
/// How long a claim keeps other relays away from a batch. The relay renews it before each
/// call to the index, and one call waits at most for two tasks of `TASK_TIMEOUT` (30 s).
const LEASE_MS: i64 = 120_000;
/// Messages sent to the index in one call (one Meilisearch task), and read at a time when
/// walking a conversation whose readers changed or rebuilding.
const SEND_AT_ONCE: usize = 1_000;
const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the relay of this process has done: counters of the app's metrics registry.
#[derive(Debug, Clone)]
pub struct RelayStats {
    /// Batches the index refused or could not be reached for.
    pub failures: prometheus::IntCounter,
    /// Outbox rows applied and removed.
    pub delivered: prometheus::IntCounter,
}

/// Runs until the database pool closes. `idle` is the pause when the outbox is empty.
pub async fn run(db: Db, index: Arc<dyn SearchIndex>, stats: RelayStats, idle: Duration) {
    let mut backoff = MIN_BACKOFF;
    let mut prepared = !index.fed_by_outbox();
    let holder = ulid::Ulid::new().to_string();
    while !db.pool().is_closed() {
        if !prepared {
            // Settings first: documents sent before them would be indexed without the
            // filterable attributes searches rely on.
            match index.prepare().await {
                Ok(()) => prepared = true,
                Err(error) => {
                    stats.failures.inc();
                    tracing::warn!(%error, "search index not ready; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
        }
        match step(&db, index.as_ref(), &holder, backoff).await {
            Ok(0) => {
                backoff = MIN_BACKOFF;
                tokio::time::sleep(idle).await;
            }
            Ok(n) => {
                backoff = MIN_BACKOFF;
                stats.delivered.inc_by(n as u64);
            }
            Err(error) => {
                if db.pool().is_closed() {
                    break;
                }
                stats.failures.inc();
                tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "search relay batch failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// One batch: how many rows it removed.
async fn step(db: &Db, index: &dyn SearchIndex, holder: &str, backoff: Duration) -> Result<usize, SearchError> {
    let claimed = search_outbox::claim(db, holder, BATCH, LEASE_MS).await.map_err(fail)?;
    let lease = Lease { db, holder, conversations: &claimed.conversations };
    let done = send_claimed(db, index, &claimed.rows, &lease, backoff).await;
    // Given up in every case, so another relay may take these conversations at once.
    search_outbox::unclaim(db, holder, &claimed.conversations).await.map_err(fail)?;
    done
}

async fn send_claimed(
    db: &Db,
    index: &dyn SearchIndex,
    rows: &[OutboxRow],
    lease: &Lease<'_>,
    backoff: Duration,
) -> Result<usize, SearchError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    if index.fed_by_outbox() {
        if let Err(error) = deliver(db, index, rows, lease).await {
            let retry_at = now_ms() + backoff.as_millis() as i64;
            search_outbox::release(db, &ids, retry_at).await.map_err(fail)?;
            return Err(error);
        }
    }
    search_outbox::complete(db, &ids).await.map_err(fail)?;
    Ok(ids.len())
}

fn fail(e: crate::store::StoreError) -> SearchError {
    SearchError(e.to_string())
}

/// The conversations a relay holds while it sends; checked before every call to the index,
/// so a relay whose claim ran out (it stalled) never sends a state read before the new
/// holder's.
pub(crate) struct Lease<'a> {
    db: &'a Db,
    holder: &'a str,
    conversations: &'a [String],
}

impl Lease<'_> {
    async fn renew(&self) -> Result<(), SearchError> {
        match search_outbox::renew(self.db, self.holder, self.conversations, LEASE_MS).await.map_err(fail)? {
            true => Ok(()),
            false => Err(SearchError("the relay's claim on a conversation ran out; another relay sends it".into())),
        }
    }
}

/// Sends the current state of everything the rows name: their messages, and every message
/// of their conversations whose readers changed, gathered across conversations into
/// batches of `SEND_AT_ONCE`, since each call to the index costs a task there.
async fn deliver(db: &Db, index: &dyn SearchIndex, rows: &[OutboxRow], lease: &Lease<'_>) -> Result<(), SearchError> {
    let mut pending: BTreeSet<String> = rows.iter().filter_map(|r| r.message_id.clone()).collect();
    let conversations: BTreeSet<String> = rows.iter().filter_map(|r| r.conversation_id.clone()).collect();
    for conversation in conversations {
        if !search_outbox::conversation_exists(db, &conversation).await.map_err(fail)? {
            lease.renew().await?;
            index.remove_conversation(&conversation).await?;
            continue;
        }
        let mut after = String::new();
        loop {
            let page = search_outbox::conversation_messages(db, &conversation, &after, SEND_AT_ONCE as i64).await.map_err(fail)?;
            let Some(last) = page.last() else { break };
            after = last.clone();
            pending.extend(page);
            while pending.len() >= SEND_AT_ONCE {
                let batch: Vec<String> = std::iter::from_fn(|| pending.pop_first()).take(SEND_AT_ONCE).collect();
                sync_messages(db, index, &batch, Some(lease)).await?;
            }
        }
    }
    let rest: Vec<String> = pending.into_iter().collect();
    for batch in rest.chunks(SEND_AT_ONCE) {
        sync_messages(db, index, batch, Some(lease)).await?;
    }
    Ok(())
}

/// Indexes those of `ids` that belong in the index and removes the others; under `lease`,
/// only while the relay still holds their conversations.
pub(crate) async fn sync_messages(db: &Db, index: &dyn SearchIndex, ids: &[String], lease: Option<&Lease<'_>>) -> Result<(), SearchError> {
    if let Some(lease) = lease {
        lease.renew().await?;
    }
    let documents = search_outbox::documents(db, ids).await.map_err(fail)?;
    let kept: BTreeSet<&str> = documents.iter().map(|d| d.id.as_str()).collect();
    let removed: Vec<String> = ids.iter().filter(|id| !kept.contains(id.as_str())).cloned().collect();
    index.apply(&documents, &removed).await
}

/// Empties the index and indexes every message of the database again; returns how many
/// messages were read (none for the database's own index, which needs no rebuild). Changes
/// made meanwhile reach the index through the outbox as usual: each page is sent holding
/// its conversations, as a relay does, so a page read before a change never lands after it.
pub async fn rebuild(db: &Db, index: &dyn SearchIndex) -> Result<u64, SearchError> {
    if !index.fed_by_outbox() {
        return Ok(0);
    }
    index.prepare().await?;
    index.clear().await?;
    let holder = format!("rebuild-{}", ulid::Ulid::new());
    let mut after = String::new();
    let mut read = 0u64;
    loop {
        let page = search_outbox::all_messages(db, &after, SEND_AT_ONCE as i64).await.map_err(fail)?;
        let Some((last, _)) = page.last() else { return Ok(read) };
        after = last.clone();
        read += page.len() as u64;
        let mut conversations: Vec<String> = page.iter().map(|(_, c)| c.clone()).collect();
        conversations.sort();
        conversations.dedup();
        hold_all(db, &holder, &conversations).await?;
        let lease = Lease { db, holder: &holder, conversations: &conversations };
        let ids: Vec<String> = page.into_iter().map(|(id, _)| id).collect();
        let sent = sync_messages(db, index, &ids, Some(&lease)).await;
        search_outbox::unclaim(db, &holder, &conversations).await.map_err(fail)?;
        sent?;
    }
}

/// Waits until `holder` holds every one of `conversations`: while relays send some of them,
/// it lets go of the others and tries again, so two waiters never hold each other up.
async fn hold_all(db: &Db, holder: &str, conversations: &[String]) -> Result<(), SearchError> {
    loop {
        let held = search_outbox::hold(db, holder, conversations, LEASE_MS).await.map_err(fail)?;
        if held.len() == conversations.len() {
            return Ok(());
        }
        search_outbox::unclaim(db, holder, &held).await.map_err(fail)?;
        tokio::time::sleep(MIN_BACKOFF).await;
    }
}
