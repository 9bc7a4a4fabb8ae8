//! Users of a tenant: integrated users (by `external_id`) and password accounts alike.

use super::{flag, now_ms, Db, StoreError, StoreResult};
use crate::domain::{Permissions, Role};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub tenant_id: String,
    pub external_id: Option<String>,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
    pub timezone: Option<String>,
    pub role: String,
    pub can_send_message: i64,
    pub can_receive_message: i64,
    pub can_delete_message: i64,
    pub can_edit_message: i64,
    pub can_archive_conversation: i64,
    pub password_hash: Option<String>,
    pub status: String,
    pub last_seen_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UserRow {
    pub fn role(&self) -> StoreResult<Role> {
        self.role.parse().map_err(|e| StoreError::Corrupt(format!("user {}: {e}", self.id)))
    }

    pub fn permissions(&self) -> Permissions {
        Permissions {
            can_send_message: flag(self.can_send_message),
            can_receive_message: flag(self.can_receive_message),
            can_delete_message: flag(self.can_delete_message),
            can_edit_message: flag(self.can_edit_message),
            can_archive_conversation: flag(self.can_archive_conversation),
        }
    }

    pub fn set_permissions(&mut self, p: Permissions) {
        self.can_send_message = p.can_send_message.into();
        self.can_receive_message = p.can_receive_message.into();
        self.can_delete_message = p.can_delete_message.into();
        self.can_edit_message = p.can_edit_message.into();
        self.can_archive_conversation = p.can_archive_conversation.into();
    }

    /// A blank row for a new user; the caller fills in what it knows.
    pub fn new(tenant_id: &str, username: &str, role: Role) -> Self {
        let now = now_ms();
        let mut row = UserRow {
            id: super::new_id(),
            tenant_id: tenant_id.to_owned(),
            external_id: None,
            username: username.to_owned(),
            display_name: None,
            email: None,
            phone: None,
            avatar_url: None,
            timezone: None,
            role: role.as_str().to_owned(),
            can_send_message: 1,
            can_receive_message: 1,
            can_delete_message: 1,
            can_edit_message: 1,
            can_archive_conversation: 1,
            password_hash: None,
            status: "active".into(),
            last_seen_at: None,
            created_at: now,
            updated_at: now,
        };
        row.set_permissions(Permissions::defaults_for(role));
        row
    }
}

pub(crate) const COLUMNS: &str = "id, tenant_id, external_id, username, display_name, email, phone, avatar_url, \
    timezone, role, can_send_message, can_receive_message, can_delete_message, can_edit_message, \
    can_archive_conversation, password_hash, status, last_seen_at, created_at, updated_at";

fn lower(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|v| v.to_lowercase())
}

/// Binds the columns insert and save share, as `$3` to `$18`, in the order of their SQL.
fn bind_fields<'q>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, UserRow, sqlx::any::AnyArguments<'q>>,
    row: &'q UserRow,
) -> sqlx::query::QueryAs<'q, sqlx::Any, UserRow, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&row.external_id)
        .bind(&row.username)
        .bind(row.username.to_lowercase())
        .bind(&row.display_name)
        .bind(&row.email)
        .bind(lower(&row.email))
        .bind(&row.phone)
        .bind(&row.avatar_url)
        .bind(&row.timezone)
        .bind(&row.role)
        .bind(row.can_send_message)
        .bind(row.can_receive_message)
        .bind(row.can_delete_message)
        .bind(row.can_edit_message)
        .bind(row.can_archive_conversation)
        .bind(&row.status)
}

/// Inserts `row`. With `on_external_conflict` an existing user of the same external id is
/// left alone and `None` comes back, which makes create-or-update race-safe.
pub async fn insert<'c, E>(exec: E, row: &UserRow, on_external_conflict: bool) -> StoreResult<Option<UserRow>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let conflict = if on_external_conflict { "ON CONFLICT (tenant_id, external_id) DO NOTHING" } else { "" };
    let sql = format!(
        "INSERT INTO users (id, tenant_id, external_id, username, username_key, display_name, email, email_key,
            phone, avatar_url, timezone, role, can_send_message, can_receive_message, can_delete_message,
            can_edit_message, can_archive_conversation, status, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
         {conflict} RETURNING {COLUMNS}"
    );
    let query = sqlx::query_as::<_, UserRow>(&sql).bind(&row.id).bind(&row.tenant_id);
    bind_fields(query, row).bind(&row.password_hash).bind(row.created_at).fetch_optional(exec).await.map_err(StoreError::classify)
}

/// Writes every mutable column of `row` back.
pub async fn save(db: &Db, row: &UserRow) -> StoreResult<UserRow> {
    let sql = format!(
        "UPDATE users SET external_id = $3, username = $4, username_key = $5, display_name = $6, email = $7,
            email_key = $8, phone = $9, avatar_url = $10, timezone = $11, role = $12, can_send_message = $13,
            can_receive_message = $14, can_delete_message = $15, can_edit_message = $16,
            can_archive_conversation = $17, status = $18, updated_at = $19
         WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING {COLUMNS}"
    );
    let query = sqlx::query_as::<_, UserRow>(&sql).bind(&row.tenant_id).bind(&row.id);
    bind_fields(query, row).bind(now_ms()).fetch_one(db.pool()).await.map_err(StoreError::classify)
}

pub async fn set_password_hash(db: &Db, tenant_id: &str, id: &str, hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(hash)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The live user of this tenant whose `column` equals `value`; `column` is one of this
/// module's own constants, never input.
async fn find_by(db: &Db, tenant_id: &str, column: &'static str, value: &str) -> StoreResult<Option<UserRow>> {
    Ok(sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND {column} = $2 AND deleted_at IS NULL"))
        .bind(tenant_id)
        .bind(value)
        .fetch_optional(db.pool())
        .await?)
}

/// A live user of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<UserRow>> {
    find_by(db, tenant_id, "id", id).await
}

pub async fn by_external_id(db: &Db, tenant_id: &str, external_id: &str) -> StoreResult<Option<UserRow>> {
    find_by(db, tenant_id, "external_id", external_id).await
}

/// By the case-folded email.
pub async fn by_email(db: &Db, tenant_id: &str, email_key: &str) -> StoreResult<Option<UserRow>> {
    find_by(db, tenant_id, "email_key", email_key).await
}

/// Erases a user's personal data but keeps the row, so others' history still names a
/// "Deleted user". Returns false when there was no such live user.
pub async fn erase(db: &Db, tenant_id: &str, id: &str) -> StoreResult<bool> {
    let now = now_ms();
    let placeholder = format!("deleted-{}", id.to_lowercase());
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "UPDATE users SET external_id = NULL, username = $3, username_key = $3, display_name = 'Deleted user',
            email = NULL, email_key = NULL, phone = NULL, avatar_url = NULL, timezone = NULL,
            password_hash = NULL, status = 'deleted', deleted_at = $4, updated_at = $4
         WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&placeholder)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::sessions::revoke_all_of_user(&mut *tx, id, None).await?;
    tx.commit().await?;
    Ok(true)
}

/// Records that the user was connected just now.
pub async fn touch_last_seen(db: &Db, tenant_id: &str, id: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}
