//! Tenants: one integrating website or workspace each.

use super::{now_ms, Db, StoreError, StoreResult};
use crate::domain::TenantSettings;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub settings: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TenantRow {
    /// The typed settings; a row written by this code always parses.
    pub fn settings(&self) -> StoreResult<TenantSettings> {
        TenantSettings::from_json(&self.settings).map_err(|e| StoreError::Corrupt(format!("tenant {} settings: {e}", self.id)))
    }
}

const COLUMNS: &str = "id, name, slug, settings, created_at, updated_at";

pub async fn insert<'c, E>(exec: E, id: &str, name: &str, slug: &str, settings: &TenantSettings) -> StoreResult<TenantRow>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let now = now_ms();
    sqlx::query_as::<_, TenantRow>(&format!("INSERT INTO tenants ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"))
        .bind(id)
        .bind(name)
        .bind(slug)
        .bind(settings.to_json())
        .bind(now)
        .fetch_one(exec)
        .await
        .map_err(StoreError::classify)
}

pub async fn by_id(db: &Db, id: &str) -> StoreResult<Option<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?)
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<TenantRow>> {
    Ok(sqlx::query_as::<_, TenantRow>(&format!("SELECT {COLUMNS} FROM tenants WHERE slug = $1"))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn update(db: &Db, id: &str, name: &str, settings: &TenantSettings) -> StoreResult<TenantRow> {
    sqlx::query_as::<_, TenantRow>(&format!(
        "UPDATE tenants SET name = $2, settings = $3, updated_at = $4 WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name)
    .bind(settings.to_json())
    .bind(now_ms())
    .fetch_one(db.pool())
    .await
    .map_err(StoreError::classify)
}
