//! A user's conversation list: the filters, the order and the unread counts.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::conversations::COLUMNS;
use super::decode::{flag, named, stored_flag};
use super::sql::{contains_pattern, qualified, Sql};
use super::{Db, StoreResult};
use crate::domain::conversation::{Conversation, ListFilter, ListedConversation};
use crate::domain::Named;

impl FromRow<'_, AnyRow> for ListedConversation {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(ListedConversation {
            conversation: Conversation::from_row(row)?,
            role: named(row, "role")?,
            last_read_seq: row.try_get("last_read_seq")?,
            muted: flag(row, "muted")?,
            archived: flag(row, "archived")?,
            unread_count: row.try_get("unread_count")?,
        })
    }
}

/// The member's side of the filter: `p` is the reader's membership.
fn member_where(sql: &mut Sql, tenant_id: &str, user_id: &str, filter: &ListFilter) {
    sql.push(" WHERE p.tenant_id = ").bind(tenant_id).push(" AND p.user_id = ").bind(user_id).push(" AND p.left_at IS NULL");
    // A conversation hidden by "delete for me" leaves the list but stays readable by id.
    match &filter.conversation_id {
        Some(id) => {
            sql.push(" AND p.conversation_id = ").bind(id);
        }
        None => {
            sql.push(" AND p.hidden = 0");
        }
    }
    if let Some(archived) = filter.archived {
        sql.push(" AND p.archived = ").bind(stored_flag(archived));
    }
}

/// Whether the filter tests the conversation itself, beyond its being live.
fn tests_conversation(filter: &ListFilter) -> bool {
    filter.kind.is_some() || filter.shop_id.is_some() || filter.search_peer.is_some()
}

/// The conversation's side of the filter: `c` is the conversation of membership `p`.
fn conversation_where(sql: &mut Sql, filter: &ListFilter) {
    if let Some(kind) = filter.kind {
        sql.push(" AND c.kind = ").bind(kind.as_str());
    }
    if let Some(shop_id) = &filter.shop_id {
        sql.push(" AND c.shop_id = ").bind(shop_id);
    }
    if let Some(peer) = &filter.search_peer {
        let pattern = contains_pattern(peer);
        sql.push(
            " AND c.kind = 'direct' AND EXISTS (SELECT 1 FROM participants o JOIN users u ON u.id = o.user_id
              WHERE o.conversation_id = c.id AND o.user_id <> p.user_id AND (LOWER(u.username) LIKE ",
        )
        .bind(pattern.clone())
        .push(" ESCAPE '\\' OR LOWER(COALESCE(u.display_name, '')) LIKE ")
        .bind(pattern)
        .push(" ESCAPE '\\'))");
    }
}

/// Leaves out memberships of deleted conversations by looking for them among the deleted
/// ones only: PostgreSQL reads the partial index `conversations_deleted` (migration
/// `reader_lookups`), SQLite probes the primary key per membership. Joining the
/// conversations instead makes PostgreSQL hash-join a reader's thousands of memberships
/// with a scan of every conversation of the tenant.
const LIVE: &str = " AND NOT EXISTS (SELECT 1 FROM conversations d WHERE d.id = p.conversation_id AND d.deleted_at IS NOT NULL)";

/// A page of a user's conversations by last activity, with unread counts, in two queries.
pub async fn list_for_user(
    db: &Db,
    tenant_id: &str,
    user_id: &str,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<ListedConversation>, i64)> {
    let columns = qualified(COLUMNS, "c");
    let mut sql = Sql::new(&format!(
        "SELECT {columns}, p.role, p.last_read_seq, p.muted, p.archived, p.unread_count
           FROM participants p JOIN conversations c ON c.id = p.conversation_id"
    ));
    member_where(&mut sql, tenant_id, user_id, filter);
    sql.push(" AND c.deleted_at IS NULL");
    conversation_where(&mut sql, filter);
    let order = if filter.oldest_first { "ASC" } else { "DESC" };
    // `activity_at` is the member's copy of `c.updated_at` (migration `activity_order`), so
    // the page comes off the index `participants_by_activity` in order, one conversation
    // looked up per row of the page.
    sql.push(&format!(" ORDER BY p.activity_at {order}, p.conversation_id {order} LIMIT ")).bind(limit).push(" OFFSET ").bind(offset);

    // The total counts memberships and looks at conversations only where the filter must.
    let mut count = Sql::new("SELECT COUNT(*) FROM participants p");
    member_where(&mut count, tenant_id, user_id, filter);
    count.push(LIVE);
    if tests_conversation(filter) {
        count.push(" AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = p.conversation_id");
        conversation_where(&mut count, filter);
        count.push(")");
    }
    // Independent reads, each on a connection of its own: the page waits for the slower.
    Ok(tokio::try_join!(sql.query_as::<ListedConversation>().fetch_all(db.reads()), count.query_scalar::<i64>().fetch_one(db.reads()))?)
}

/// Unread counts of every listed conversation of a user that has any, read from the
/// members' kept counters alone.
pub async fn unread_for_user(db: &Db, tenant_id: &str, user_id: &str) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as::<_, (String, i64)>(&format!(
        "SELECT p.conversation_id, p.unread_count FROM participants p
         WHERE p.tenant_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND p.hidden = 0 AND p.unread_count > 0{LIVE}
         ORDER BY p.activity_at DESC, p.conversation_id DESC"
    ))
    .bind(tenant_id)
    .bind(user_id)
    .fetch_all(db.reads())
    .await?)
}

/// Members whose copy of their conversation's activity differs from it (the view
/// `activity_drift`): `(conversation, user, copy, activity)`. Empty unless a change slipped
/// past the triggers; the tests check it.
pub async fn activity_drift(db: &Db) -> StoreResult<Vec<(String, String, i64, i64)>> {
    Ok(sqlx::query_as::<_, (String, String, i64, i64)>("SELECT conversation_id, user_id, activity_at, updated_at FROM activity_drift")
        .fetch_all(db.reads())
        .await?)
}

/// Members whose kept unread count differs from a recount (the view `unread_recounts` of
/// the migration `unread_counters`): `(conversation, user, kept, counted)`. Empty unless a
/// change slipped past the triggers; the tests check it.
pub async fn unread_drift(db: &Db) -> StoreResult<Vec<(String, String, i64, i64)>> {
    Ok(sqlx::query_as::<_, (String, String, i64, i64)>(
        "SELECT p.conversation_id, p.user_id, p.unread_count, r.counted
           FROM participants p JOIN unread_recounts r ON r.conversation_id = p.conversation_id AND r.user_id = p.user_id
          WHERE p.unread_count <> r.counted ORDER BY p.conversation_id, p.user_id",
    )
    .fetch_all(db.reads())
    .await?)
}
