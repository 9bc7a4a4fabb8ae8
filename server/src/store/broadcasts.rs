//! Broadcasts: one message from a host into its direct conversation with every follower who
//! may receive it, in five set-based statements and one transaction whatever the number of
//! followers.
//!
//! Placeholders mean the same in every statement: `$1` the tenant, `$2` the time, `$3` the
//! broadcast's id prefix (see `ulid_prefix`), `$4` the host.

use std::collections::HashMap;

use sqlx::any::AnyArguments;
use sqlx::Arguments;

use super::messages::COLUMNS as MESSAGE_COLUMNS;
use super::sql::{ulid_prefix, ulid_series};
use super::{now_ms, Db, StoreResult};
use crate::domain::message::Message;

/// The followers of the host who may receive from them: live, allowed to receive messages,
/// and not blocking the host. One column, `follower_id`.
const RECIPIENTS: &str = "SELECT f.follower_id FROM follows f JOIN users u ON u.id = f.follower_id
    WHERE f.tenant_id = $1 AND f.followee_id = $4 AND u.deleted_at IS NULL AND u.can_receive_message = 1
      AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = f.follower_id AND b.blocked_id = $4)";

/// `domain::conversation::direct_key` of a recipient `r` and the host, in SQL.
const PAIR_KEY: &str = "CASE WHEN r.follower_id < $4 THEN r.follower_id || ':' || $4 ELSE $4 || ':' || r.follower_id END";

/// The conversations the broadcast reaches, once statements 1 and 2 have marked them: their
/// activity time is the broadcast's, and their `last_message_id` is already the id of the
/// message statement 5 will store, which begins with the broadcast's prefix. Nobody else
/// sees them before the commit.
const MARKED: &str = "tenant_id = $1 AND updated_at = $2 AND SUBSTR(last_message_id, 1, 20) = $3";

/// The follower of a marked conversation: the half of its direct key that is not the host.
const FOLLOWER: &str = "REPLACE(REPLACE(direct_key, $4, ''), ':', '')";

/// One copy of a broadcast and the follower it went to.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub message: Message,
    pub recipient_id: String,
}

/// The values every statement binds as `$1` to `$4`.
struct Shared<'a> {
    tenant_id: &'a str,
    now: i64,
    prefix: &'a str,
    host_id: &'a str,
}

impl<'a> Shared<'a> {
    /// `$1` to `$4`, then `extra` as `$5` and on.
    fn args(&self, extra: &[&'a str]) -> Result<AnyArguments<'a>, sqlx::Error> {
        let mut args = AnyArguments::default();
        args.add(self.tenant_id).map_err(sqlx::Error::Encode)?;
        args.add(self.now).map_err(sqlx::Error::Encode)?;
        args.add(self.prefix).map_err(sqlx::Error::Encode)?;
        args.add(self.host_id).map_err(sqlx::Error::Encode)?;
        for value in extra {
            args.add(*value).map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }
}

/// What one broadcast did: its id and the copies it delivered.
#[derive(Debug, Clone)]
pub struct Sent {
    pub id: String,
    pub deliveries: Vec<Delivery>,
}

/// Ids of the messages statement 1 numbers from 1, statement 2 from here on, so that one
/// prefix serves both without a clash.
const SECOND_SERIES: i64 = 1 << 29;

/// Sends `body` from `host_id` to every follower who may receive it, creating the direct
/// conversations that are missing.
pub async fn send(db: &Db, tenant_id: &str, host_id: &str, body: &str) -> StoreResult<Sent> {
    let prefix = ulid_prefix();
    // The broadcast's id is a ULID of its own prefix that no message of it takes.
    let id = format!("{prefix}000000");
    let shared = Shared { tenant_id, now: now_ms(), prefix: &prefix, host_id };
    let mut tx = db.pool().begin().await?;

    // 1. A direct conversation for each recipient who has none, born marked: its first seq
    // taken and its last message the one statement 5 will store.
    let sql = format!(
        "INSERT INTO conversations (id, tenant_id, kind, direct_key, created_by, last_seq, last_message_id, created_at, updated_at)
         SELECT {id}, $1, 'direct', missing.k, $4, 1, {message_id}, $2, $2
         FROM (SELECT pairs.k, ROW_NUMBER() OVER (ORDER BY pairs.k) AS n
               FROM (SELECT {PAIR_KEY} AS k FROM ({RECIPIENTS}) r) pairs
               WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.tenant_id = $1 AND c.direct_key = pairs.k)) missing
         WHERE true
         ON CONFLICT (tenant_id, direct_key) DO NOTHING
         RETURNING id, {FOLLOWER}",
        id = ulid_series("$5", "missing.n"),
        message_id = ulid_series("$3", "missing.n"),
    );
    let conversation_prefix = ulid_prefix();
    let created = sqlx::query_as_with::<_, (String, String), _>(&sql, shared.args(&[&conversation_prefix])?).fetch_all(&mut *tx).await?;

    // 2. In every other recipient's conversation: the next seq, and the id of the message to
    // come as its last message, which marks it. This locks them, so concurrent senders
    // queue behind the broadcast as behind any send. On PostgreSQL they are locked in id
    // order first, as a batch of sends locks its conversations (`send_batches`), so the two
    // never wait on each other in a cycle.
    let sql = format!(
        "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $2, last_message_id = {id}
         FROM (SELECT l.id, ROW_NUMBER() OVER (ORDER BY l.id) AS n
               FROM (SELECT c.id FROM conversations c
                     WHERE c.tenant_id = $1 AND c.deleted_at IS NULL
                       AND (c.last_message_id IS NULL OR SUBSTR(c.last_message_id, 1, 20) <> $3)
                       AND c.direct_key IN (SELECT {PAIR_KEY} FROM ({RECIPIENTS}) r)
                     ORDER BY c.id{lock}) l) t
         WHERE conversations.id = t.id
         RETURNING conversations.id, {FOLLOWER}",
        id = ulid_series("$3", &format!("(t.n + {SECOND_SERIES})")),
        lock = db.for_update(),
    );
    let existing = sqlx::query_as_with::<_, (String, String), _>(&sql, shared.args(&[])?).fetch_all(&mut *tx).await?;
    if created.is_empty() && existing.is_empty() {
        tx.rollback().await?;
        return Ok(Sent { id, deliveries: Vec::new() });
    }

    // 3. Both participants of the conversations made in step 1, known by their ids' prefix.
    if !created.is_empty() {
        let sql = format!(
            "INSERT INTO participants (conversation_id, user_id, tenant_id, role, joined_at)
             SELECT id, {FOLLOWER}, $1, 'member', $2 FROM conversations WHERE {MARKED} AND SUBSTR(id, 1, 20) = $5
             UNION ALL
             SELECT id, $4, $1, 'member', $2 FROM conversations WHERE {MARKED} AND SUBSTR(id, 1, 20) = $5"
        );
        sqlx::query_with(&sql, shared.args(&[&conversation_prefix])?).execute(&mut *tx).await?;
    }

    // 4. As with any new message: shown again to whoever hid the conversation, and
    // unarchived for the recipient.
    if !existing.is_empty() {
        let sql = format!(
            "UPDATE participants SET hidden = 0, archived = CASE WHEN user_id = $4 THEN archived ELSE 0 END
             WHERE conversation_id IN (SELECT id FROM conversations WHERE {MARKED})
               AND left_at IS NULL AND (hidden = 1 OR archived = 1)"
        );
        sqlx::query_with(&sql, shared.args(&[])?).execute(&mut *tx).await?;
    }

    // 5. The messages, with the ids and seqs statements 1 and 2 gave them.
    let sql = format!(
        "INSERT INTO messages (id, tenant_id, conversation_id, seq, sender_id, type, body, created_at)
         SELECT last_message_id, $1, id, last_seq, $4, 'text', $5, $2 FROM conversations WHERE {MARKED}
         RETURNING {MESSAGE_COLUMNS}"
    );
    let messages = sqlx::query_as_with::<_, Message, _>(&sql, shared.args(&[body])?).fetch_all(&mut *tx).await?;
    tx.commit().await?;

    let recipients: HashMap<String, String> = created.into_iter().chain(existing).collect();
    let deliveries = messages
        .into_iter()
        .filter_map(|message| {
            let recipient_id = recipients.get(&message.conversation_id)?.clone();
            Some(Delivery { message, recipient_id })
        })
        .collect();
    Ok(Sent { id, deliveries })
}
