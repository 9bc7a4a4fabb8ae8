//! API keys: only a hash is stored; the prefix finds the row.

use super::{now_ms, Db, StoreError, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub kind: String,
    pub prefix: String,
    pub key_hash: String,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, tenant_id, name, kind, prefix, key_hash, last_used_at, revoked_at, created_at";

pub struct NewApiKey<'a> {
    pub id: &'a str,
    pub tenant_id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_by: Option<&'a str>,
}

pub async fn insert<'c, E>(exec: E, key: NewApiKey<'_>) -> StoreResult<ApiKeyRow>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_as::<_, ApiKeyRow>(&format!(
        "INSERT INTO api_keys (id, tenant_id, name, kind, prefix, key_hash, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(key.id)
    .bind(key.tenant_id)
    .bind(key.name)
    .bind(key.kind)
    .bind(key.prefix)
    .bind(key.key_hash)
    .bind(key.created_by)
    .bind(now_ms())
    .fetch_one(exec)
    .await
    .map_err(StoreError::classify)
}

/// The live (not revoked) key with this prefix, whatever its tenant.
pub async fn live_by_prefix(db: &Db, prefix: &str) -> StoreResult<Option<ApiKeyRow>> {
    Ok(sqlx::query_as::<_, ApiKeyRow>(&format!("SELECT {COLUMNS} FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL"))
        .bind(prefix)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn list(db: &Db, tenant_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<ApiKeyRow>, i64)> {
    let rows = sqlx::query_as::<_, ApiKeyRow>(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(tenant_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL")
        .bind(tenant_id)
        .fetch_one(db.pool())
        .await?;
    Ok((rows, total))
}

/// Revokes a key of this tenant; false when there is no such live key.
pub async fn revoke(db: &Db, tenant_id: &str, id: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(tenant_id)
        .bind(id)
        .bind(now_ms())
        .execute(db.pool())
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
