//! Conversations themselves: opening, creating, changing and deleting them. Their
//! participants are in `participants`, a user's list of them in `listing`.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::decode::{named, time};
use super::participants::insert_participant;
use super::{new_id, now_ms, Db, StoreError, StoreResult};
use crate::domain::conversation::{Conversation, ConversationKind, MemberRole};
use crate::domain::Named;

pub(crate) const COLUMNS: &str =
    "id, tenant_id, kind, name, description, created_by, shop_id, last_seq, last_message_id, created_at, updated_at";

impl FromRow<'_, AnyRow> for Conversation {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Conversation {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            kind: named(row, "kind")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            created_by: row.try_get("created_by")?,
            shop_id: row.try_get("shop_id")?,
            last_seq: row.try_get("last_seq")?,
            last_message_id: row.try_get("last_message_id")?,
            created_at: time(row, "created_at")?,
            updated_at: time(row, "updated_at")?,
        })
    }
}

/// The one conversation of two users under `key`, created when missing: a direct pair
/// (`kind` Direct, key from `direct_key`) or a buyer's shop thread (`kind` Shop, key
/// from `shop_key`). Racing callers all get the same row: the unique index on the key
/// decides, and only the winner sees `true`.
pub async fn get_or_create_pair(
    db: &Db,
    tenant_id: &str,
    kind: ConversationKind,
    shop_id: Option<&str>,
    caller: &str,
    other: &str,
    key: &str,
) -> StoreResult<(Conversation, bool)> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query_as::<_, Conversation>(&format!(
        "INSERT INTO conversations (id, tenant_id, kind, direct_key, shop_id, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (tenant_id, direct_key) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(new_id())
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(key)
    .bind(shop_id)
    .bind(caller)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::classify)?;
    if let Some(row) = inserted {
        insert_participant(&mut *tx, tenant_id, &row.id, caller, MemberRole::Member, now).await?;
        insert_participant(&mut *tx, tenant_id, &row.id, other, MemberRole::Member, now).await?;
        tx.commit().await?;
        return Ok((row, true));
    }
    tx.rollback().await?;
    let row = by_key(db, tenant_id, key).await?.ok_or_else(|| StoreError::Corrupt(format!("conversation {key} vanished")))?;
    // Opening it again shows it again to a caller who had deleted it for themselves.
    sqlx::query("UPDATE participants SET hidden = 0 WHERE conversation_id = $1 AND user_id = $2")
        .bind(&row.id)
        .bind(caller)
        .execute(db.pool())
        .await?;
    Ok((row, false))
}

/// The live conversation of this tenant whose `column` equals `value`; `column` is one of
/// this module's own constants, never input.
async fn live_by(db: &Db, tenant_id: &str, column: &'static str, value: &str) -> StoreResult<Option<Conversation>> {
    Ok(sqlx::query_as::<_, Conversation>(&format!(
        "SELECT {COLUMNS} FROM conversations WHERE tenant_id = $1 AND {column} = $2 AND deleted_at IS NULL"
    ))
    .bind(tenant_id)
    .bind(value)
    .fetch_optional(db.reads())
    .await?)
}

/// The live two-user conversation under `key` (see `get_or_create_pair`).
pub async fn by_key(db: &Db, tenant_id: &str, key: &str) -> StoreResult<Option<Conversation>> {
    live_by(db, tenant_id, "direct_key", key).await
}

/// Creates a conversation of any non-direct kind with its first participants; the first
/// of `members` gets `first_role`, the rest are members.
pub async fn create(
    db: &Db,
    tenant_id: &str,
    kind: ConversationKind,
    name: Option<&str>,
    description: Option<&str>,
    creator: &str,
    members: &[(String, MemberRole)],
) -> StoreResult<Conversation> {
    let mut tx = db.pool().begin().await?;
    let row = create_in(&mut tx, tenant_id, kind, name, description, creator, members).await?;
    tx.commit().await?;
    Ok(row)
}

/// `create` inside a transaction the caller owns, so other rows can join it atomically.
pub async fn create_in(
    conn: &mut sqlx::AnyConnection,
    tenant_id: &str,
    kind: ConversationKind,
    name: Option<&str>,
    description: Option<&str>,
    creator: &str,
    members: &[(String, MemberRole)],
) -> StoreResult<Conversation> {
    let now = now_ms();
    let row = sqlx::query_as::<_, Conversation>(&format!(
        "INSERT INTO conversations (id, tenant_id, kind, name, description, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(new_id())
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(name)
    .bind(description)
    .bind(creator)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for (user_id, role) in members {
        insert_participant(&mut *conn, tenant_id, &row.id, user_id, *role, now).await?;
    }
    Ok(row)
}

/// A live conversation of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Conversation>> {
    live_by(db, tenant_id, "id", id).await
}

pub async fn update_details(db: &Db, id: &str, name: Option<&str>, description: Option<&str>) -> StoreResult<Conversation> {
    Ok(sqlx::query_as::<_, Conversation>(&format!(
        "UPDATE conversations SET name = $2, description = $3 WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name)
    .bind(description)
    .fetch_one(db.pool())
    .await?)
}

/// Deletes for everyone. A direct pair may then start a new conversation.
pub async fn delete_for_everyone(db: &Db, id: &str) -> StoreResult<()> {
    sqlx::query("UPDATE conversations SET deleted_at = $2, direct_key = NULL WHERE id = $1")
        .bind(id)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}
