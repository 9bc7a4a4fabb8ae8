//! Group commit of sends on PostgreSQL. Every send takes its conversation's row lock and
//! holds it until its commit is durable, and every commit waits for its own WAL flush. Here
//! a few workers take sends from one queue; a worker takes every send that waits when it
//! is free, so the sends that arrive while earlier ones are being committed are stored by
//! one statement and made durable by one commit, and each still gets its own answer. Sends
//! queued together (a socket's frames that arrived together) are never split between
//! batches, so they are numbered in the order given.
//!
//! The batch statement numbers each conversation's new messages after its `last_seq` in
//! arrival order, locking the conversations in id order so that two batches never wait on
//! each other in a cycle. It leaves out a send whose `client_msg_id` is already stored and
//! a send to a deleted conversation; those, and every send of a batch the database refused
//! (a `client_msg_id` racing within the batch, a deadlock with another process), are sent
//! again one by one with `send_one`, which answers each exactly as a lone send would. Only
//! a failure that may have happened after the commit (the connection lost) is answered as
//! is, never retried: the client retries with its `client_msg_id`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use serde_json::json;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot, Mutex};

use super::messages::{send_one, NewMessage, Sent, COLUMNS};
use super::{Backend, StoreError, StoreResult};
use crate::domain::message::Message;
use crate::domain::Named;

/// Batches committed at once: a batch waiting on a row lock does not stop the others.
const WORKERS: usize = 4;
/// The most sends one statement stores.
const MAX_BATCH: usize = 128;
/// Groups of sends waiting for a worker before a new one waits for room.
const QUEUE: usize = 4096;

struct Job {
    message: NewMessage,
    answer: oneshot::Sender<StoreResult<Sent>>,
}

/// The queue of sends and its workers; they stop when the last handle is dropped.
pub struct SendBatches {
    jobs: mpsc::Sender<Vec<Job>>,
}

/// The answer to a queued send, to await apart from queueing it.
pub type Answer = oneshot::Receiver<StoreResult<Sent>>;

impl SendBatches {
    pub fn start(pool: AnyPool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..WORKERS {
            tokio::spawn(work(pool.clone(), queue.clone()));
        }
        SendBatches { jobs }
    }

    /// Queues `messages` together: one batch stores them all, numbered in this order.
    pub async fn queue(&self, messages: Vec<NewMessage>) -> StoreResult<Vec<Answer>> {
        let (jobs, answers) = messages
            .into_iter()
            .map(|message| {
                let (answer, answered) = oneshot::channel();
                (Job { message, answer }, answered)
            })
            .unzip();
        self.jobs.send(jobs).await.map_err(|_| closed())?;
        Ok(answers)
    }
}

/// What the store answers a queued send.
pub async fn answer(answered: Answer) -> StoreResult<Sent> {
    answered.await.map_err(|_| closed())?
}

/// The failure of a send the queue or its worker dropped: the pool is closing.
pub(super) fn closed() -> StoreError {
    StoreError::Unavailable(sqlx::Error::PoolClosed)
}

async fn work(pool: AnyPool, queue: Arc<Mutex<mpsc::Receiver<Vec<Job>>>>) {
    loop {
        let batch = {
            let mut queue = queue.lock().await;
            let Some(mut batch) = queue.recv().await else { return };
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(jobs) => batch.extend(jobs),
                    Err(_) => break,
                }
            }
            batch
        };
        commit(&pool, batch).await;
    }
}

/// Stores a batch and answers each of its sends.
async fn commit(pool: &AnyPool, batch: Vec<Job>) {
    if batch.len() == 1 {
        return one_by_one(pool, batch).await;
    }
    match insert(pool, &batch).await {
        Ok(mut stored) => {
            let mut left = Vec::new();
            for job in batch {
                match stored.remove(&job.message.id) {
                    Some(message) => drop(job.answer.send(Ok(Sent::New(message)))),
                    None => left.push(job),
                }
            }
            one_by_one(pool, left).await;
        }
        // The statement failed as a whole, before any commit: nothing of it was stored.
        Err(StoreError::Conflict(_)) | Err(StoreError::Database(sqlx::Error::Database(_))) => one_by_one(pool, batch).await,
        Err(error) => {
            tracing::warn!(%error, sends = batch.len(), "a batch of sends failed");
            for job in batch {
                let _ = job.answer.send(Err(copy_of(&error)));
            }
        }
    }
}

async fn one_by_one(pool: &AnyPool, jobs: Vec<Job>) {
    for job in jobs {
        let _ = job.answer.send(send_one(pool, Backend::Postgres, &job.message).await);
    }
}

/// The same failure for each send of a batch (`sqlx::Error` cannot be cloned), keeping
/// what tells an unreachable database from other failures.
fn copy_of(error: &StoreError) -> StoreError {
    let copy = |error: &sqlx::Error| match error {
        sqlx::Error::Io(io) => sqlx::Error::Io(std::io::Error::new(io.kind(), io.to_string())),
        sqlx::Error::PoolTimedOut => sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        other => sqlx::Error::Protocol(other.to_string()),
    };
    match error {
        StoreError::Unavailable(error) => StoreError::Unavailable(copy(error)),
        StoreError::Database(error) => StoreError::Database(copy(error)),
        other => StoreError::Database(sqlx::Error::Protocol(other.to_string())),
    }
}

/// The batch statement (see the module's comment); `$1` is the sends as a JSON array.
static INSERT_BATCH: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH input AS (
             SELECT x.* FROM json_to_recordset(CAST($1 AS json)) AS x(
                 ord BIGINT, id TEXT, tenant_id TEXT, conversation_id TEXT, sender_id TEXT, type TEXT, body TEXT,
                 file_url TEXT, file_name TEXT, file_size BIGINT, file_type TEXT, media_id TEXT,
                 reply_to_id TEXT, forwarded_from_id TEXT, client_msg_id TEXT, created_at BIGINT)
             WHERE x.client_msg_id IS NULL OR NOT EXISTS (
                 SELECT 1 FROM messages m
                 WHERE m.conversation_id = x.conversation_id AND m.sender_id = x.sender_id AND m.client_msg_id = x.client_msg_id)),
         locked AS (
             SELECT c.id FROM conversations c
             WHERE c.id IN (SELECT conversation_id FROM input) AND c.deleted_at IS NULL
             ORDER BY c.id FOR UPDATE),
         numbered AS (
             SELECT i.*, ROW_NUMBER() OVER (PARTITION BY i.conversation_id ORDER BY i.ord) AS k,
                    COUNT(*) OVER (PARTITION BY i.conversation_id) AS n
             FROM input i JOIN locked l ON l.id = i.conversation_id),
         c AS (
             UPDATE conversations SET last_seq = last_seq + g.n, updated_at = g.created_at, last_message_id = g.id
             FROM (SELECT conversation_id, n, created_at, id FROM numbered WHERE k = n) g
             WHERE conversations.id = g.conversation_id
             RETURNING conversations.id, conversations.last_seq - g.n AS base),
         shown AS (
             UPDATE participants p SET hidden = 0, archived = CASE WHEN NOT EXISTS (
                     SELECT 1 FROM numbered s
                     WHERE s.conversation_id = p.conversation_id AND s.sender_id IS DISTINCT FROM p.user_id)
                 THEN p.archived ELSE 0 END
             WHERE p.conversation_id IN (SELECT id FROM c) AND p.left_at IS NULL AND (p.hidden = 1 OR p.archived = 1))
         INSERT INTO messages ({COLUMNS})
         SELECT s.id, s.tenant_id, s.conversation_id, c.base + s.k, s.sender_id, s.type, s.body, s.file_url, s.file_name,
                s.file_size, s.file_type, s.media_id, s.reply_to_id, s.forwarded_from_id, s.client_msg_id, NULL, NULL, s.created_at
         FROM numbered s JOIN c ON c.id = s.conversation_id
         ORDER BY s.conversation_id, s.k
         RETURNING {COLUMNS}"
    )
});

/// Stores what it can of the batch in one statement; the stored messages by id.
async fn insert(pool: &AnyPool, batch: &[Job]) -> StoreResult<HashMap<String, Message>> {
    let sends: Vec<serde_json::Value> = batch
        .iter()
        .enumerate()
        .map(|(ord, job)| {
            let (m, content) = (&job.message, &job.message.content);
            let file = &content.attachment;
            json!({
                "ord": ord, "id": m.id, "tenant_id": m.tenant_id, "conversation_id": m.conversation_id,
                "sender_id": m.sender_id, "type": content.kind.as_str(), "body": content.body,
                "file_url": file.file_url, "file_name": file.file_name, "file_size": file.file_size,
                "file_type": file.file_type, "media_id": file.media_id, "reply_to_id": content.reply_to_id,
                "forwarded_from_id": content.forwarded_from_id, "client_msg_id": content.client_msg_id,
                "created_at": m.created_at,
            })
        })
        .collect();
    let stored = sqlx::query_as::<_, Message>(&INSERT_BATCH)
        .bind(serde_json::Value::Array(sends).to_string())
        .fetch_all(pool)
        .await
        .map_err(StoreError::classify)?;
    Ok(stored.into_iter().map(|m| (m.id.clone(), m)).collect())
}
