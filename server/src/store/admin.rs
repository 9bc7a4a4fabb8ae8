//! Tenant-wide reads for moderation: every conversation whoever is in it, any
//! conversation's messages, and users with how much they take part.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::decode::optional_time;
use super::sql::{contains_pattern, page_of, qualified, Sql};
use super::{now_ms, Db, StoreResult};
use crate::domain::conversation::{Conversation, Member, MemberRecord, TenantConversationFilter as ConversationFilter};
use crate::domain::message::Message;
use crate::domain::{CountedUser, Named, User, UserFilter, UserStatus};

fn pattern(q: &str) -> String {
    contains_pattern(q.trim())
}

/// One page of the tenant's live conversations of every kind, latest activity first.
pub async fn conversations(
    db: &Db,
    tenant_id: &str,
    filter: &ConversationFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Conversation>, i64)> {
    let mut from = Sql::new(" FROM conversations c WHERE c.tenant_id = ");
    from.bind(tenant_id).push(" AND c.deleted_at IS NULL");
    if let Some(kind) = filter.kind {
        from.push(" AND c.kind = ").bind(kind.as_str());
    }
    if let Some(user_id) = &filter.user_id {
        from.push(" AND EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id AND p.user_id = ").bind(user_id).push(")");
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let like = pattern(q);
        from.push(" AND (LOWER(COALESCE(c.name, '')) LIKE ")
            .bind(like.clone())
            .push(
                " ESCAPE '\\' OR EXISTS (SELECT 1 FROM participants p JOIN users u ON u.id = p.user_id
                  WHERE p.conversation_id = c.id AND (LOWER(u.username) LIKE ",
            )
            .bind(like.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(u.display_name, '')) LIKE ")
            .bind(like)
            .push(" ESCAPE '\\')))");
    }
    page_of(db, &qualified(super::conversations::COLUMNS, "c"), &from, "c.updated_at DESC, c.id DESC", limit, offset).await
}

/// One page of a conversation's messages, newest first, deleted ones as their tombstones.
pub async fn messages(db: &Db, tenant_id: &str, conversation_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<Message>, i64)> {
    let mut from = Sql::new(" FROM messages WHERE tenant_id = ");
    from.bind(tenant_id).push(" AND conversation_id = ").bind(conversation_id);
    page_of(db, super::messages::COLUMNS, &from, "seq DESC", limit, offset).await
}

impl FromRow<'_, AnyRow> for MemberRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(MemberRecord { member: Member::from_row(row)?, left_at: optional_time(row, "left_at")? })
    }
}

/// Everyone who is or was in conversation `conversation_id`, in the order they joined.
pub async fn participants(db: &Db, conversation_id: &str) -> StoreResult<Vec<MemberRecord>> {
    Ok(sqlx::query_as::<_, MemberRecord>(
        "SELECT p.conversation_id, p.user_id, p.role, u.username, u.display_name, u.avatar_url, p.last_read_seq, p.joined_at, p.left_at
         FROM participants p JOIN users u ON u.id = p.user_id
         WHERE p.conversation_id = $1 ORDER BY p.joined_at, p.user_id",
    )
    .bind(conversation_id)
    .fetch_all(db.reads())
    .await?)
}

impl FromRow<'_, AnyRow> for CountedUser {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(CountedUser {
            user: User::from_row(row)?,
            conversations: row.try_get("conversation_count")?,
            messages: row.try_get("message_count")?,
        })
    }
}

/// Participation counts of one user: current conversations, messages sent.
const COUNTS: &str = "(SELECT COUNT(*) FROM participants p WHERE p.user_id = u.id AND p.left_at IS NULL) AS conversation_count,
    (SELECT COUNT(*) FROM messages m WHERE m.sender_id = u.id) AS message_count";

/// The counts of user `user_id`: current conversations and messages sent.
pub async fn counts(db: &Db, user_id: &str) -> StoreResult<(i64, i64)> {
    Ok(sqlx::query_as::<_, (i64, i64)>(&format!("SELECT {COUNTS} FROM users u WHERE u.id = $1"))
        .bind(user_id)
        .fetch_one(db.reads())
        .await?)
}

/// One page of the tenant's live users, newest first, with their counts.
pub async fn users(db: &Db, tenant_id: &str, filter: &UserFilter, limit: i64, offset: i64) -> StoreResult<(Vec<CountedUser>, i64)> {
    let mut from = Sql::new(" FROM users u WHERE u.tenant_id = ");
    from.bind(tenant_id).push(" AND u.deleted_at IS NULL");
    if let Some(role) = filter.role {
        from.push(" AND u.role = ").bind(role.as_str());
    }
    // As the account stands now: a suspension past its end counts as active (see
    // `domain::user::standing`).
    let now = now_ms();
    match filter.status {
        Some(UserStatus::Active) => {
            from.push(" AND (u.status = 'active' OR (u.status = 'suspended' AND u.suspended_until <= ").bind(now).push("))");
        }
        Some(UserStatus::Suspended) => {
            from.push(" AND u.status = 'suspended' AND (u.suspended_until IS NULL OR u.suspended_until > ").bind(now).push(")");
        }
        Some(other) => {
            from.push(" AND u.status = ").bind(other.as_str());
        }
        None => {}
    }
    if !filter.ids.is_empty() {
        from.push(" AND u.id IN (").bind_list(&filter.ids).push(")");
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let like = pattern(q);
        from.push(" AND (u.username_key LIKE ")
            .bind(like.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(u.display_name, '')) LIKE ")
            .bind(like.clone())
            .push(" ESCAPE '\\' OR COALESCE(u.email_key, '') LIKE ")
            .bind(like)
            .push(" ESCAPE '\\')");
    }
    let columns = format!("{}, {COUNTS}", qualified(super::users::COLUMNS, "u"));
    page_of(db, &columns, &from, "u.created_at DESC, u.id DESC", limit, offset).await
}
