//! Participants: who is in a conversation, in what role, and their own state in it (read
//! position, "delete for me" point, mute and archive).

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::conversations::COLUMNS;
use super::decode::{flag, named, optional_time, stored_flag, time};
use super::sql::{qualified, Sql};
use super::{now_ms, Db, StoreResult};
use crate::domain::conversation::{Conversation, Flag, Member, MemberRole, Participant, Recipient};
use crate::domain::Named;

const PARTICIPANT_COLUMNS: &str = "conversation_id, user_id, role, last_read_seq, cleared_before_seq, muted, archived, left_at, joined_at";

impl FromRow<'_, AnyRow> for Participant {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Participant {
            conversation_id: row.try_get("conversation_id")?,
            user_id: row.try_get("user_id")?,
            role: named(row, "role")?,
            last_read_seq: row.try_get("last_read_seq")?,
            cleared_before_seq: row.try_get("cleared_before_seq")?,
            muted: flag(row, "muted")?,
            archived: flag(row, "archived")?,
            left_at: optional_time(row, "left_at")?,
            joined_at: time(row, "joined_at")?,
        })
    }
}

impl FromRow<'_, AnyRow> for Member {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Member {
            conversation_id: row.try_get("conversation_id")?,
            user_id: row.try_get("user_id")?,
            role: named(row, "role")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            avatar_url: row.try_get("avatar_url")?,
            last_read_seq: row.try_get("last_read_seq")?,
            joined_at: time(row, "joined_at")?,
        })
    }
}

/// A recipient's columns, of `o` (their membership) and `u` (their user), for a send by the
/// user bound at `sender`.
fn recipient_columns(sender: &str) -> String {
    format!(
        "o.user_id AS recipient_id, u.can_receive_message AS recipient_can_receive,
         CASE WHEN u.deleted_at IS NULL THEN 0 ELSE 1 END AS recipient_deleted,
         CASE WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = o.user_id AND b.blocked_id = {sender}) THEN 1 ELSE 0 END
           AS recipient_blocked_sender"
    )
}

/// The recipient a row of `recipient_columns` names, if any (an outer join may name none).
fn recipient(row: &AnyRow) -> sqlx::Result<Option<Recipient>> {
    let Some(user_id) = row.try_get::<Option<String>, _>("recipient_id")? else { return Ok(None) };
    Ok(Some(Recipient {
        user_id,
        can_receive_message: flag(row, "recipient_can_receive")?,
        deleted: flag(row, "recipient_deleted")?,
        blocked_sender: flag(row, "recipient_blocked_sender")?,
    }))
}

pub(super) async fn insert_participant<'c, E>(
    exec: E,
    tenant_id: &str,
    conversation_id: &str,
    user_id: &str,
    role: MemberRole,
    now: i64,
) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    // Rejoining after leaving keeps the read position but starts a fresh membership.
    sqlx::query(
        "INSERT INTO participants (conversation_id, user_id, tenant_id, role, joined_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET left_at = NULL, hidden = 0, role = $4, joined_at = $5",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(tenant_id)
    .bind(role.as_str())
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

pub async fn participant(db: &Db, conversation_id: &str, user_id: &str) -> StoreResult<Option<Participant>> {
    Ok(sqlx::query_as::<_, Participant>(&format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE conversation_id = $1 AND user_id = $2"
    ))
    .bind(conversation_id)
    .bind(user_id)
    .fetch_optional(db.reads())
    .await?)
}

/// `user_id`'s side of a live conversation of this tenant, with the conversation, in one
/// query (every send and read starts here); `None` when either is missing.
pub async fn membership(
    db: &Db,
    tenant_id: &str,
    conversation_id: &str,
    user_id: &str,
) -> StoreResult<Option<(Conversation, Participant)>> {
    let row = sqlx::query(&format!(
        "SELECT {}, {} FROM participants p JOIN conversations c ON c.id = p.conversation_id
         WHERE p.conversation_id = $2 AND p.user_id = $3 AND c.tenant_id = $1 AND c.deleted_at IS NULL",
        qualified(COLUMNS, "c"),
        qualified(PARTICIPANT_COLUMNS, "p"),
    ))
    .bind(tenant_id)
    .bind(conversation_id)
    .bind(user_id)
    .fetch_optional(db.reads())
    .await?;
    Ok(row.map(|row| Ok::<_, sqlx::Error>((Conversation::from_row(&row)?, Participant::from_row(&row)?))).transpose()?)
}

/// Current members of every listed conversation, in one query.
pub async fn members_of(db: &Db, conversation_ids: &[String]) -> StoreResult<Vec<Member>> {
    let mut sql = Sql::new(
        "SELECT p.conversation_id, p.user_id, p.role, u.username, u.display_name, u.avatar_url, p.last_read_seq, p.joined_at
         FROM participants p JOIN users u ON u.id = p.user_id
         WHERE p.left_at IS NULL AND p.conversation_id IN (",
    );
    sql.bind_list(conversation_ids).push(") ORDER BY p.conversation_id, p.joined_at, p.user_id");
    Ok(sql.query_as::<Member>().fetch_all(db.reads()).await?)
}

pub async fn add_members(db: &Db, tenant_id: &str, conversation_id: &str, user_ids: &[String]) -> StoreResult<()> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    for user_id in user_ids {
        insert_participant(&mut *tx, tenant_id, conversation_id, user_id, MemberRole::Member, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends a membership; false when the user was not a member.
pub async fn remove_member(db: &Db, conversation_id: &str, user_id: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE participants SET left_at = $3 WHERE conversation_id = $1 AND user_id = $2 AND left_at IS NULL")
        .bind(conversation_id)
        .bind(user_id)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_member_role(db: &Db, conversation_id: &str, user_id: &str, role: MemberRole) -> StoreResult<()> {
    sqlx::query("UPDATE participants SET role = $3 WHERE conversation_id = $1 AND user_id = $2")
        .bind(conversation_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes for one participant: hides history up to `seq` and the conversation itself until
/// a new message arrives.
pub async fn clear_for(db: &Db, conversation_id: &str, user_id: &str, seq: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE participants SET cleared_before_seq = $3, hidden = 1,
            last_read_seq = CASE WHEN last_read_seq < $3 THEN $3 ELSE last_read_seq END
         WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(seq)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Moves the read position forward only; returns the position in force afterwards.
pub async fn mark_read(db: &Db, conversation_id: &str, user_id: &str, up_to: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "UPDATE participants SET last_read_seq = CASE WHEN last_read_seq < $3 THEN $3 ELSE last_read_seq END
         WHERE conversation_id = $1 AND user_id = $2 RETURNING last_read_seq",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(up_to)
    .fetch_one(db.pool())
    .await?)
}

pub async fn set_flag(db: &Db, conversation_id: &str, user_id: &str, flag: Flag, on: bool) -> StoreResult<()> {
    let column = match flag {
        Flag::Muted => "muted",
        Flag::Archived => "archived",
    };
    sqlx::query(&format!("UPDATE participants SET {column} = $3 WHERE conversation_id = $1 AND user_id = $2"))
        .bind(conversation_id)
        .bind(user_id)
        .bind(stored_flag(on))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ids of the conversations a user is a current member of.
pub async fn ids_for_user(db: &Db, tenant_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT conversation_id FROM participants WHERE tenant_id = $1 AND user_id = $2 AND left_at IS NULL")
        .bind(tenant_id)
        .bind(user_id)
        .fetch_all(db.reads())
        .await?)
}

/// Everyone who shares a current conversation with `user_id`: the audience of their
/// presence. Proportional to the user's own conversations, not to the tenant.
pub async fn contacts_of(db: &Db, tenant_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT o.user_id FROM participants p
         JOIN participants o ON o.conversation_id = p.conversation_id AND o.left_at IS NULL
         JOIN conversations c ON c.id = p.conversation_id AND c.deleted_at IS NULL
         WHERE p.tenant_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND o.user_id <> $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_all(db.reads())
    .await?)
}

/// The other current members of a conversation, in one query.
pub async fn recipients(db: &Db, conversation_id: &str, sender_id: &str) -> StoreResult<Vec<Recipient>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM participants o JOIN users u ON u.id = o.user_id
         WHERE o.conversation_id = $1 AND o.user_id <> $2 AND o.left_at IS NULL",
        recipient_columns("$2")
    ))
    .bind(conversation_id)
    .bind(sender_id)
    .fetch_all(db.reads())
    .await?;
    Ok(rows.iter().filter_map(|row| recipient(row).transpose()).collect::<sqlx::Result<_>>()?)
}

/// `membership` and `recipients` in one query, for a send: the conversation, the user's
/// membership and the other current members, one row per other member.
pub async fn membership_with_recipients(
    db: &Db,
    tenant_id: &str,
    conversation_id: &str,
    user_id: &str,
) -> StoreResult<Option<(Conversation, Participant, Vec<Recipient>)>> {
    let rows = sqlx::query(&format!(
        "SELECT {}, {}, {} FROM participants p JOIN conversations c ON c.id = p.conversation_id
           LEFT JOIN participants o ON o.conversation_id = p.conversation_id AND o.user_id <> p.user_id AND o.left_at IS NULL
           LEFT JOIN users u ON u.id = o.user_id
         WHERE p.conversation_id = $2 AND p.user_id = $3 AND c.tenant_id = $1 AND c.deleted_at IS NULL",
        qualified(COLUMNS, "c"),
        qualified(PARTICIPANT_COLUMNS, "p"),
        recipient_columns("$3"),
    ))
    .bind(tenant_id)
    .bind(conversation_id)
    .bind(user_id)
    .fetch_all(db.reads())
    .await?;
    let Some(first) = rows.first() else { return Ok(None) };
    let others = rows.iter().filter_map(|row| recipient(row).transpose()).collect::<sqlx::Result<_>>()?;
    Ok(Some((Conversation::from_row(first)?, Participant::from_row(first)?, others)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{conversations, StoreError};

    /// A database holding one conversation of an unknown kind, with one participant of an
    /// unknown role and one whose mute flag is neither 0 nor 1.
    async fn corrupt_db() -> Db {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        db.migrate().await.unwrap();
        // The rows below have no tenant or users behind them.
        sqlx::query("PRAGMA foreign_keys = OFF").execute(db.pool()).await.unwrap();
        sqlx::query("INSERT INTO conversations (id, tenant_id, kind, created_at, updated_at) VALUES ('c', 't', 'channel', 0, 0)")
            .execute(db.pool())
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO participants (conversation_id, user_id, tenant_id, role, muted, joined_at)
             VALUES ('c', 'u', 't', 'moderator', 0, 0), ('c', 'v', 't', 'member', 2, 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        db
    }

    #[tokio::test]
    async fn unknown_stored_values_are_corrupt_rows_never_defaults() {
        let db = corrupt_db().await;
        assert!(matches!(conversations::by_id(&db, "t", "c").await, Err(StoreError::Corrupt(_))));
        assert!(matches!(participant(&db, "c", "u").await, Err(StoreError::Corrupt(_))));
        assert!(matches!(participant(&db, "c", "v").await, Err(StoreError::Corrupt(_))));
    }
}
