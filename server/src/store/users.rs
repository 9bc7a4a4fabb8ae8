//! Users of a tenant: integrated users (by `external_id`) and password accounts alike. Rows
//! come out as `domain::User`.

use std::sync::LazyLock;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode::{self, millis, stored_flag};
use super::sql::{Arg, Sql};
use super::{now_ms, Db, StoreError, StoreResult};
use crate::domain::user::standing;
use crate::domain::{Named, Permissions, Role, User, UserPatch, UserStatus};

impl<'r> sqlx::FromRow<'r, AnyRow> for User {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        // An expired suspension reads as active: it lifts itself without a write.
        let (status, suspended_until) =
            standing(decode::named(row, "status")?, decode::optional_time(row, "suspended_until")?, chrono::Utc::now());
        Ok(User {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            external_id: row.try_get("external_id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            avatar_url: row.try_get("avatar_url")?,
            timezone: row.try_get("timezone")?,
            role: decode::named(row, "role")?,
            permissions: Permissions {
                can_send_message: decode::flag(row, "can_send_message")?,
                can_receive_message: decode::flag(row, "can_receive_message")?,
                can_delete_message: decode::flag(row, "can_delete_message")?,
                can_edit_message: decode::flag(row, "can_edit_message")?,
                can_archive_conversation: decode::flag(row, "can_archive_conversation")?,
            },
            password_hash: row.try_get("password_hash")?,
            status,
            suspended_until,
            last_seen_at: decode::optional_time(row, "last_seen_at")?,
            created_at: decode::time(row, "created_at")?,
            updated_at: decode::time(row, "updated_at")?,
        })
    }
}

pub(crate) const COLUMNS: &str = "id, tenant_id, external_id, username, display_name, email, phone, avatar_url, \
    timezone, role, can_send_message, can_receive_message, can_delete_message, can_edit_message, \
    can_archive_conversation, password_hash, status, suspended_until, last_seen_at, created_at, updated_at";

fn lower(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|v| v.to_lowercase())
}

type UserQuery<'q> = sqlx::query::QueryAs<'q, sqlx::Any, User, sqlx::any::AnyArguments<'q>>;

/// Binds the columns of an insert after the ids, as `$3` to `$18`, in the order of its SQL.
fn bind_fields<'q>(query: UserQuery<'q>, user: &'q User) -> UserQuery<'q> {
    let p = user.permissions;
    query
        .bind(&user.external_id)
        .bind(&user.username)
        .bind(user.username.to_lowercase())
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(lower(&user.email))
        .bind(&user.phone)
        .bind(&user.avatar_url)
        .bind(&user.timezone)
        .bind(user.role.as_str())
        .bind(stored_flag(p.can_send_message))
        .bind(stored_flag(p.can_receive_message))
        .bind(stored_flag(p.can_delete_message))
        .bind(stored_flag(p.can_edit_message))
        .bind(stored_flag(p.can_archive_conversation))
        .bind(user.status.as_str())
}

/// Inserts `user`. With `on_external_conflict` an existing user of the same external id is
/// left alone and `None` comes back, which makes create-or-update race-safe.
pub async fn insert<'c, E>(exec: E, user: &User, on_external_conflict: bool) -> StoreResult<Option<User>>
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
    let query = sqlx::query_as::<_, User>(&sql).bind(&user.id).bind(&user.tenant_id);
    bind_fields(query, user)
        .bind(&user.password_hash)
        .bind(millis(user.created_at))
        .fetch_optional(exec)
        .await
        .map_err(StoreError::classify)
}

/// Writes only the columns `patch` names (see `UserPatch`), in one statement. With
/// `expected_role` the row changes only while the user still holds that role, so a decision
/// made on the role read before cannot land on a user whose role changed meanwhile; `None`
/// comes back then, and when there is no such live user.
pub async fn patch<'c, E>(exec: E, tenant_id: &str, id: &str, expected_role: Option<Role>, patch: &UserPatch) -> StoreResult<Option<User>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let mut sql = Sql::new("UPDATE users SET updated_at = ");
    sql.bind(now_ms());
    if let Some(username) = &patch.username {
        sql.push(", username = ").bind(username).push(", username_key = ").bind(username.to_lowercase());
    }
    if let Some(email) = &patch.email {
        sql.push(", email = ").bind(email.clone()).push(", email_key = ").bind(lower(email));
    }
    let texts =
        [("display_name", &patch.display_name), ("phone", &patch.phone), ("avatar_url", &patch.avatar_url), ("timezone", &patch.timezone)];
    for (column, value) in texts {
        if let Some(value) = value {
            sql.push(&format!(", {column} = ")).bind(value.clone());
        }
    }
    if let Some(role) = patch.role {
        sql.push(", role = ").bind(role.as_str());
    }
    let p = patch.permissions;
    let flags = [
        ("can_send_message", p.can_send_message),
        ("can_receive_message", p.can_receive_message),
        ("can_delete_message", p.can_delete_message),
        ("can_edit_message", p.can_edit_message),
        ("can_archive_conversation", p.can_archive_conversation),
    ];
    for (column, value) in flags {
        if let Some(on) = value {
            sql.push(&format!(", {column} = ")).bind(stored_flag(on));
        }
    }
    if let Some(status) = patch.status {
        sql.push(", status = ").bind(status.as_str());
        sql.push(", suspended_until = ").bind(Arg::from(patch.suspended_until.flatten().map(millis)));
    }
    sql.push(" WHERE tenant_id = ").bind(tenant_id).push(" AND id = ").bind(id).push(" AND deleted_at IS NULL");
    if let Some(role) = expected_role {
        sql.push(" AND role = ").bind(role.as_str());
    }
    sql.push(&format!(" RETURNING {COLUMNS}"));
    sql.query_as::<User>().fetch_optional(exec).await.map_err(StoreError::classify)
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
async fn find_by(db: &Db, tenant_id: &str, column: &'static str, value: &str) -> StoreResult<Option<User>> {
    Ok(sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND {column} = $2 AND deleted_at IS NULL"))
        .bind(tenant_id)
        .bind(value)
        .fetch_optional(db.reads())
        .await?)
}

/// The live user a token names, only while the login session (when named) is not signed
/// out and the API key that minted the token (when named) is not revoked: what a request's
/// authentication needs, in one round trip.
pub async fn token_holder(
    db: &Db,
    tenant_id: &str,
    id: &str,
    session_id: Option<&str>,
    minted_by: Option<&str>,
) -> StoreResult<Option<User>> {
    let statement = &TOKEN_HOLDER[usize::from(session_id.is_some()) + 2 * usize::from(minted_by.is_some())];
    // The named ones only, in the statement's order: `$3`, then the next.
    let query = session_id
        .into_iter()
        .chain(minted_by)
        .fold(sqlx::query_as::<_, User>(statement).bind(tenant_id).bind(id), |q, named| q.bind(named));
    Ok(query.fetch_optional(db.reads()).await?)
}

/// `token_holder`'s statement for each case, indexed by (session named) + 2 × (key named):
/// a text of its own for each, whose plan PostgreSQL keeps. With the checks made optional
/// by `$n IS NULL` in one text, it planned the statement again on every request (to drop
/// the checks left NULL), which took longer than running it.
static TOKEN_HOLDER: LazyLock<[String; 4]> = LazyLock::new(|| {
    let user = format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL");
    let session = "AND EXISTS (SELECT 1 FROM sessions WHERE id = $3 AND revoked_at IS NULL)";
    let key = |n: u8| format!("AND EXISTS (SELECT 1 FROM api_keys WHERE id = ${n} AND tenant_id = $1 AND revoked_at IS NULL)");
    [user.clone(), format!("{user} {session}"), format!("{user} {}", key(3)), format!("{user} {session} {}", key(4))]
});

/// A live user of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<User>> {
    find_by(db, tenant_id, "id", id).await
}

pub async fn by_external_id(db: &Db, tenant_id: &str, external_id: &str) -> StoreResult<Option<User>> {
    find_by(db, tenant_id, "external_id", external_id).await
}

/// By the case-folded email.
pub async fn by_email(db: &Db, tenant_id: &str, email_key: &str) -> StoreResult<Option<User>> {
    find_by(db, tenant_id, "email_key", email_key).await
}

/// Erases a user's personal data but keeps the row, so others' history still names a
/// "Deleted user", on `tx` (the caller's transaction, which commits). Returns false when
/// there was no such live user.
pub async fn erase(tx: &mut sqlx::AnyConnection, tenant_id: &str, id: &str) -> StoreResult<bool> {
    let now = now_ms();
    let placeholder = format!("deleted-{}", id.to_lowercase());
    let done = sqlx::query(
        "UPDATE users SET external_id = NULL, username = $3, username_key = $3, display_name = 'Deleted user',
            email = NULL, email_key = NULL, phone = NULL, avatar_url = NULL, timezone = NULL,
            password_hash = NULL, status = $5, suspended_until = NULL, deleted_at = $4, updated_at = $4
         WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&placeholder)
    .bind(now)
    .bind(crate::domain::UserStatus::Deleted.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::sessions::revoke_all_of_user(&mut *tx, id, None).await?;
    Ok(true)
}

/// Records that the user was connected just now, which also counts as activity on the
/// admin dashboard.
pub async fn touch_last_seen(db: &Db, tenant_id: &str, id: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET last_seen_at = $3, last_active_at = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The ids of the tenant's active users holding one of `roles`: the audience of events for
/// its staff, such as the moderation queue's.
pub async fn active_ids_with_roles(db: &Db, tenant_id: &str, roles: &[Role]) -> StoreResult<Vec<String>> {
    let names: Vec<String> = roles.iter().map(|role| role.as_str().to_owned()).collect();
    let mut sql = Sql::new("SELECT id FROM users WHERE tenant_id = ");
    sql.bind(tenant_id)
        .push(" AND status = ")
        .bind(UserStatus::Active.as_str())
        .push(" AND role IN (")
        .bind_list(&names)
        .push(") ORDER BY id");
    Ok(sql.query_scalar::<String>().fetch_all(db.reads()).await?)
}
