//! API keys: only a hash is stored; the prefix finds the row. Rows come out as
//! `domain::ApiKey`.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode;
use super::{now_ms, Db, StoreError, StoreResult};
use crate::domain::{ApiKey, KeyKind, Named, Role};

impl<'r> sqlx::FromRow<'r, AnyRow> for ApiKey {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(ApiKey {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            name: row.try_get("name")?,
            kind: decode::named(row, "kind")?,
            authority: decode::named(row, "authority")?,
            prefix: row.try_get("prefix")?,
            key_hash: row.try_get("key_hash")?,
            last_used_at: decode::optional_time(row, "last_used_at")?,
            revoked_at: decode::optional_time(row, "revoked_at")?,
            created_at: decode::time(row, "created_at")?,
        })
    }
}

const COLUMNS: &str = "id, tenant_id, name, kind, authority, prefix, key_hash, last_used_at, revoked_at, created_at";

/// A key to store: its hash and prefix, never the key.
pub struct NewApiKey<'a> {
    pub id: &'a str,
    pub tenant_id: &'a str,
    pub name: &'a str,
    pub kind: KeyKind,
    pub authority: Role,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_by: Option<&'a str>,
}

pub async fn insert<'c, E>(exec: E, key: NewApiKey<'_>) -> StoreResult<ApiKey>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_as::<_, ApiKey>(&format!(
        "INSERT INTO api_keys (id, tenant_id, name, kind, authority, prefix, key_hash, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(key.id)
    .bind(key.tenant_id)
    .bind(key.name)
    .bind(key.kind.as_str())
    .bind(key.authority.as_str())
    .bind(key.prefix)
    .bind(key.key_hash)
    .bind(key.created_by)
    .bind(now_ms())
    .fetch_one(exec)
    .await
    .map_err(StoreError::classify)
}

/// The live (not revoked) key with this prefix, whatever its tenant.
pub async fn live_by_prefix(db: &Db, prefix: &str) -> StoreResult<Option<ApiKey>> {
    Ok(sqlx::query_as::<_, ApiKey>(&format!("SELECT {COLUMNS} FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL"))
        .bind(prefix)
        .fetch_optional(db.reads())
        .await?)
}

/// True while key `id` of this tenant exists and has not been revoked.
pub async fn is_live(db: &Db, tenant_id: &str, id: &str) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM api_keys WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL")
        .bind(id)
        .bind(tenant_id)
        .fetch_optional(db.reads())
        .await?;
    Ok(found.is_some())
}

pub async fn list(db: &Db, tenant_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<ApiKey>, i64)> {
    let rows = sqlx::query_as::<_, ApiKey>(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(tenant_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reads())
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL")
        .bind(tenant_id)
        .fetch_one(db.reads())
        .await?;
    Ok((rows, total))
}

/// The live key `id` of this tenant.
pub async fn live_by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<ApiKey>> {
    Ok(sqlx::query_as::<_, ApiKey>(&format!("SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.reads())
        .await?)
}

/// Revokes a key of this tenant; false when there is no such live key.
pub async fn revoke<'c, E>(exec: E, tenant_id: &str, id: &str) -> StoreResult<bool>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(tenant_id)
        .bind(id)
        .bind(now_ms())
        .execute(exec)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records use, at most about once a minute per key so hot keys do not write on every call.
pub async fn touch(db: &Db, id: &str) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(id)
        .bind(now)
        .bind(now - 60_000)
        .execute(db.pool())
        .await?;
    Ok(())
}
