//! Conversations and their participants.

use super::sql::{qualified, Sql};
use super::{new_id, now_ms, Db, StoreError, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub created_by: Option<String>,
    /// The shop of a shop thread.
    pub shop_id: Option<String>,
    pub last_seq: i64,
    pub last_message_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, tenant_id, kind, name, description, created_by, shop_id, last_seq, last_message_id, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantRow {
    pub conversation_id: String,
    pub user_id: String,
    pub role: String,
    pub last_read_seq: i64,
    pub cleared_before_seq: i64,
    pub muted: i64,
    pub archived: i64,
    pub left_at: Option<i64>,
    pub joined_at: i64,
}

const PARTICIPANT_COLUMNS: &str = "conversation_id, user_id, role, last_read_seq, cleared_before_seq, muted, archived, left_at, joined_at";

impl ParticipantRow {
    pub fn is_member(&self) -> bool {
        self.left_at.is_none()
    }
}

/// A participant with the user fields a conversation shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub conversation_id: String,
    pub user_id: String,
    pub role: String,
    pub username: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub last_read_seq: i64,
    pub joined_at: i64,
}

/// One row of a user's conversation list: the conversation and the caller's side of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedRow {
    #[sqlx(flatten)]
    pub conversation: ConversationRow,
    pub role: String,
    pub last_read_seq: i64,
    pub muted: i64,
    pub archived: i64,
    pub unread_count: i64,
}

async fn insert_participant<'c, E>(exec: E, tenant_id: &str, conversation_id: &str, user_id: &str, role: &str, now: i64) -> StoreResult<()>
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
    .bind(role)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

/// The one conversation of two users under `key`, created when missing: a direct pair
/// (`kind` "direct", key from `direct_key`) or a buyer's shop thread (`kind` "shop", key
/// from `shop_key`). Racing callers all get the same row: the unique index on the key
/// decides, and only the winner sees `true`.
pub async fn get_or_create_pair(
    db: &Db,
    tenant_id: &str,
    kind: &str,
    shop_id: Option<&str>,
    caller: &str,
    other: &str,
    key: &str,
) -> StoreResult<(ConversationRow, bool)> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query_as::<_, ConversationRow>(&format!(
        "INSERT INTO conversations (id, tenant_id, kind, direct_key, shop_id, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (tenant_id, direct_key) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(new_id())
    .bind(tenant_id)
    .bind(kind)
    .bind(key)
    .bind(shop_id)
    .bind(caller)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::classify)?;
    if let Some(row) = inserted {
        insert_participant(&mut *tx, tenant_id, &row.id, caller, "member", now).await?;
        insert_participant(&mut *tx, tenant_id, &row.id, other, "member", now).await?;
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
async fn live_by(db: &Db, tenant_id: &str, column: &'static str, value: &str) -> StoreResult<Option<ConversationRow>> {
    Ok(sqlx::query_as::<_, ConversationRow>(&format!(
        "SELECT {COLUMNS} FROM conversations WHERE tenant_id = $1 AND {column} = $2 AND deleted_at IS NULL"
    ))
    .bind(tenant_id)
    .bind(value)
    .fetch_optional(db.pool())
    .await?)
}

/// The live two-user conversation under `key` (see `get_or_create_pair`).
pub async fn by_key(db: &Db, tenant_id: &str, key: &str) -> StoreResult<Option<ConversationRow>> {
    live_by(db, tenant_id, "direct_key", key).await
}

/// Creates a conversation of any non-direct kind with its first participants; the first
/// of `members` gets `first_role`, the rest are members.
pub async fn create(
    db: &Db,
    tenant_id: &str,
    kind: &str,
    name: Option<&str>,
    description: Option<&str>,
    creator: &str,
    members: &[(String, &str)],
) -> StoreResult<ConversationRow> {
    let mut tx = db.pool().begin().await?;
    let row = create_in(&mut tx, tenant_id, kind, name, description, creator, members).await?;
    tx.commit().await?;
    Ok(row)
}

/// `create` inside a transaction the caller owns, so other rows can join it atomically.
pub async fn create_in(
    conn: &mut sqlx::AnyConnection,
    tenant_id: &str,
    kind: &str,
    name: Option<&str>,
    description: Option<&str>,
    creator: &str,
    members: &[(String, &str)],
) -> StoreResult<ConversationRow> {
    let now = now_ms();
    let row = sqlx::query_as::<_, ConversationRow>(&format!(
        "INSERT INTO conversations (id, tenant_id, kind, name, description, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(new_id())
    .bind(tenant_id)
    .bind(kind)
    .bind(name)
    .bind(description)
    .bind(creator)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for (user_id, role) in members {
        insert_participant(&mut *conn, tenant_id, &row.id, user_id, role, now).await?;
    }
    Ok(row)
}

/// A live conversation of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<ConversationRow>> {
    live_by(db, tenant_id, "id", id).await
}

pub async fn participant(db: &Db, conversation_id: &str, user_id: &str) -> StoreResult<Option<ParticipantRow>> {
    Ok(sqlx::query_as::<_, ParticipantRow>(&format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE conversation_id = $1 AND user_id = $2"
    ))
    .bind(conversation_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?)
}

/// A live conversation of this tenant together with `user_id`'s participant row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    #[sqlx(flatten)]
    pub conversation: ConversationRow,
    #[sqlx(flatten)]
    pub participant: ParticipantRow,
}

/// `user_id`'s side of a live conversation of this tenant, with the conversation, in one
/// query (every send and read starts here); `None` when either is missing.
pub async fn membership(db: &Db, tenant_id: &str, conversation_id: &str, user_id: &str) -> StoreResult<Option<MembershipRow>> {
    Ok(sqlx::query_as::<_, MembershipRow>(&format!(
        "SELECT {}, {} FROM participants p JOIN conversations c ON c.id = p.conversation_id
         WHERE p.conversation_id = $2 AND p.user_id = $3 AND c.tenant_id = $1 AND c.deleted_at IS NULL",
        qualified(COLUMNS, "c"),
        qualified(PARTICIPANT_COLUMNS, "p"),
    ))
    .bind(tenant_id)
    .bind(conversation_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?)
}

/// Current members of every listed conversation, in one query.
pub async fn members_of(db: &Db, conversation_ids: &[String]) -> StoreResult<Vec<MemberRow>> {
    let mut sql = Sql::new(
        "SELECT p.conversation_id, p.user_id, p.role, u.username, u.display_name, u.avatar_url, p.last_read_seq, p.joined_at
         FROM participants p JOIN users u ON u.id = p.user_id
         WHERE p.left_at IS NULL AND p.conversation_id IN (",
    );
    sql.bind_list(conversation_ids).push(") ORDER BY p.conversation_id, p.joined_at, p.user_id");
    Ok(sql.query_as::<MemberRow>().fetch_all(db.pool()).await?)
}

pub async fn add_members(db: &Db, tenant_id: &str, conversation_id: &str, user_ids: &[String]) -> StoreResult<()> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    for user_id in user_ids {
        insert_participant(&mut *tx, tenant_id, conversation_id, user_id, "member", now).await?;
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

pub async fn set_member_role(db: &Db, conversation_id: &str, user_id: &str, role: &str) -> StoreResult<()> {
    sqlx::query("UPDATE participants SET role = $3 WHERE conversation_id = $1 AND user_id = $2")
        .bind(conversation_id)
        .bind(user_id)
        .bind(role)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn update_details(db: &Db, id: &str, name: Option<&str>, description: Option<&str>) -> StoreResult<ConversationRow> {
    Ok(sqlx::query_as::<_, ConversationRow>(&format!(
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

/// A per-participant switch.
#[derive(Debug, Clone, Copy)]
pub enum Flag {
    Muted,
    Archived,
}

pub async fn set_flag(db: &Db, conversation_id: &str, user_id: &str, flag: Flag, on: bool) -> StoreResult<()> {
    let column = match flag {
        Flag::Muted => "muted",
        Flag::Archived => "archived",
    };
    sqlx::query(&format!("UPDATE participants SET {column} = $3 WHERE conversation_id = $1 AND user_id = $2"))
        .bind(conversation_id)
        .bind(user_id)
        .bind(i64::from(on))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Which of a user's conversations to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: Option<String>,
    pub archived: Option<bool>,
    /// Direct conversations whose other participant's username or display name contains this.
    pub search_peer: Option<String>,
    pub oldest_first: bool,
    /// Just this conversation (to show one with the listing's fields).
    pub conversation_id: Option<String>,
    /// Only threads of this shop.
    pub shop_id: Option<String>,
}

/// Others' messages after the caller's read position and visible to them.
const UNREAD: &str = "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id
    AND m.seq > p.last_read_seq AND m.seq > p.cleared_before_seq AND m.deleted_at IS NULL
    AND (m.sender_id IS NULL OR m.sender_id <> p.user_id))";

fn list_where(sql: &mut Sql, tenant_id: &str, user_id: &str, filter: &ListFilter) {
    sql.push(" FROM participants p JOIN conversations c ON c.id = p.conversation_id WHERE p.tenant_id = ")
        .bind(tenant_id)
        .push(" AND p.user_id = ")
        .bind(user_id)
        .push(" AND p.left_at IS NULL AND c.deleted_at IS NULL");
    // A conversation hidden by "delete for me" leaves the list but stays readable by id.
    if filter.conversation_id.is_none() {
        sql.push(" AND p.hidden = 0");
    }
    if let Some(kind) = &filter.kind {
        sql.push(" AND c.kind = ").bind(kind);
    }
    if let Some(id) = &filter.conversation_id {
        sql.push(" AND c.id = ").bind(id);
    }
    if let Some(shop_id) = &filter.shop_id {
        sql.push(" AND c.shop_id = ").bind(shop_id);
    }
    if let Some(archived) = filter.archived {
        sql.push(" AND p.archived = ").bind(i64::from(archived));
    }
    if let Some(peer) = &filter.search_peer {
        let pattern = format!("%{}%", like_escape(&peer.to_lowercase()));
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

/// Escapes LIKE wildcards in user input.
pub fn like_escape(raw: &str) -> String {
    raw.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A page of a user's conversations by last activity, with unread counts, in two queries.
pub async fn list_for_user(
    db: &Db,
    tenant_id: &str,
    user_id: &str,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<ListedRow>, i64)> {
    let columns = qualified(COLUMNS, "c");
    let mut sql = Sql::new(&format!("SELECT {columns}, p.role, p.last_read_seq, p.muted, p.archived, {UNREAD} AS unread_count"));
    list_where(&mut sql, tenant_id, user_id, filter);
    let order = if filter.oldest_first { "ASC" } else { "DESC" };
    sql.push(&format!(" ORDER BY c.updated_at {order}, c.id {order} LIMIT ")).bind(limit).push(" OFFSET ").bind(offset);
    let rows = sql.query_as::<ListedRow>().fetch_all(db.pool()).await?;

    let mut count = Sql::new("SELECT COUNT(*)");
    list_where(&mut count, tenant_id, user_id, filter);
    let total = count.query_scalar::<i64>().fetch_one(db.pool()).await?;
    Ok((rows, total))
}

/// Unread counts of every listed conversation of a user that has any.
pub async fn unread_for_user(db: &Db, tenant_id: &str, user_id: &str) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as::<_, (String, i64)>(&format!(
        "SELECT id, unread FROM (SELECT c.id AS id, c.updated_at AS updated_at, {UNREAD} AS unread
           FROM participants p JOIN conversations c ON c.id = p.conversation_id
           WHERE p.tenant_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND p.hidden = 0 AND c.deleted_at IS NULL) t
         WHERE unread > 0 ORDER BY updated_at DESC, id DESC"
    ))
    .bind(tenant_id)
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Ids of the conversations a user is a current member of.
pub async fn ids_for_user(db: &Db, tenant_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT conversation_id FROM participants WHERE tenant_id = $1 AND user_id = $2 AND left_at IS NULL")
        .bind(tenant_id)
        .bind(user_id)
        .fetch_all(db.pool())
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
    .fetch_all(db.pool())
    .await?)
}

/// What a sender needs to know of each other member: whether they take messages at all,
/// and from the sender in particular.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: String,
    pub can_receive_message: i64,
    pub deleted: i64,
    pub blocked_sender: i64,
}

/// The other current members of a conversation, in one query.
pub async fn recipients(db: &Db, conversation_id: &str, sender_id: &str) -> StoreResult<Vec<Recipient>> {
    Ok(sqlx::query_as::<_, Recipient>(
        "SELECT p.user_id, u.can_receive_message,
            CASE WHEN u.deleted_at IS NULL THEN 0 ELSE 1 END AS deleted,
            CASE WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p.user_id AND b.blocked_id = $2) THEN 1 ELSE 0 END AS blocked_sender
         FROM participants p JOIN users u ON u.id = p.user_id
         WHERE p.conversation_id = $1 AND p.user_id <> $2 AND p.left_at IS NULL",
    )
    .bind(conversation_id)
    .bind(sender_id)
    .fetch_all(db.pool())
    .await?)
}
