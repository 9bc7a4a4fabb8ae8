//! Login sessions, their rotating refresh tokens, and one-time WebSocket tickets.

use super::decode::millis;
use super::{now_ms, Db, StoreResult};
use crate::domain::Timestamp;

/// Opens a session and its first refresh token; returns nothing the caller lacks.
pub async fn open(db: &Db, tenant_id: &str, user_id: &str, session_id: &str, token_id: &str, expires_at: Timestamp) -> StoreResult<()> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query("INSERT INTO sessions (id, tenant_id, user_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(session_id)
        .bind(tenant_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO refresh_tokens (id, session_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
        .bind(token_id)
        .bind(session_id)
        .bind(millis(expires_at))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What happened when a refresh token was presented.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live; it is now used and `new_token_id` replaces it.
    Rotated { user_id: String, tenant_id: String },
    /// The token had been used before: the whole session (the token's family) was revoked.
    Reused { session_id: String },
    /// Unknown, expired, or its session is revoked.
    Invalid,
}

/// Uses refresh token `token_id` once. A second use of the same token means it leaked, so
/// the whole family (session) is revoked.
pub async fn rotate(db: &Db, token_id: &str, new_token_id: &str, new_expires_at: Timestamp) -> StoreResult<Rotation> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    // Claiming the token is a single conditional UPDATE, so two racing refreshes cannot both win.
    let claimed: Option<(String,)> =
        sqlx::query_as("UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING session_id")
            .bind(token_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((session_id,)) = claimed else {
        let known: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT session_id, used_at FROM refresh_tokens WHERE id = $1").bind(token_id).fetch_optional(&mut *tx).await?;
        return Ok(match known {
            Some((session_id, Some(_))) => {
                revoke_session(&mut *tx, &session_id).await?;
                tx.commit().await?;
                Rotation::Reused { session_id }
            }
            _ => Rotation::Invalid,
        });
    };
    let session: Option<(String, String)> = sqlx::query_as("SELECT user_id, tenant_id FROM sessions WHERE id = $1 AND revoked_at IS NULL")
        .bind(&session_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((user_id, tenant_id)) = session else {
        return Ok(Rotation::Invalid);
    };
    sqlx::query("INSERT INTO refresh_tokens (id, session_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
        .bind(new_token_id)
        .bind(&session_id)
        .bind(millis(new_expires_at))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Rotation::Rotated { user_id, tenant_id })
}

/// The session a refresh token belongs to, if the token is known.
pub async fn session_of_token(db: &Db, token_id: &str) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT session_id FROM refresh_tokens WHERE id = $1").bind(token_id).fetch_optional(db.reads()).await?)
}

pub async fn revoke_session<'c, E>(exec: E, session_id: &str) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(session_id)
        .bind(now_ms())
        .execute(exec)
        .await?;
    Ok(())
}

/// Revokes every session of a user except `keep`; returns the ids of those it revoked.
pub async fn revoke_all_of_user<'c, E>(exec: E, user_id: &str, keep: Option<&str>) -> StoreResult<Vec<String>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_scalar("UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .bind(now_ms())
        .fetch_all(exec)
        .await?)
}

/// True while the session has not been revoked.
pub async fn is_live(db: &Db, session_id: &str) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL")
        .bind(session_id)
        .fetch_optional(db.reads())
        .await?;
    Ok(found.is_some())
}

/// Stores a one-time WebSocket ticket, spendable until `expires_at`.
pub async fn issue_ws_ticket(db: &Db, id: &str, tenant_id: &str, user_id: &str, expires_at: Timestamp) -> StoreResult<()> {
    sqlx::query("INSERT INTO ws_tickets (id, tenant_id, user_id, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(tenant_id)
        .bind(user_id)
        .bind(millis(expires_at))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Spends a WebSocket ticket: true exactly once, while it has not expired.
pub async fn spend_ws_ticket(db: &Db, id: &str) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query("UPDATE ws_tickets SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(id)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
