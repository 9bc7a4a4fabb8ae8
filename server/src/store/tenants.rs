//! Tenants: one integrating website or workspace each. Rows come out as `domain::Tenant`,
//! with their settings parsed here: settings that do not parse make the row corrupt.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode;
use super::{now_ms, Db, StoreError, StoreResult};
use crate::domain::{Tenant, TenantSettings};

impl<'r> sqlx::FromRow<'r, AnyRow> for Tenant {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let settings: String = row.try_get("settings")?;
        let settings = TenantSettings::from_json(&settings)
            .map_err(|error| sqlx::Error::ColumnDecode { index: "settings".to_owned(), source: Box::new(error) })?;
        Ok(Tenant {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            slug: row.try_get("slug")?,
            settings,
            created_at: decode::time(row, "created_at")?,
            updated_at: decode::time(row, "updated_at")?,
        })
    }
}

const COLUMNS: &str = "id, name, slug, settings, created_at, updated_at";

pub async fn insert<'c, E>(exec: E, id: &str, name: &str, slug: &str, settings: &TenantSettings) -> StoreResult<Tenant>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let now = now_ms();
    sqlx::query_as::<_, Tenant>(&format!("INSERT INTO tenants ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"))
        .bind(id)
        .bind(name)
        .bind(slug)
        .bind(settings.to_json())
        .bind(now)
        .fetch_one(exec)
        .await
        .map_err(StoreError::classify)
}

pub async fn by_id(db: &Db, id: &str) -> StoreResult<Option<Tenant>> {
    Ok(sqlx::query_as::<_, Tenant>(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1")).bind(id).fetch_optional(db.reads()).await?)
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<Tenant>> {
    Ok(sqlx::query_as::<_, Tenant>(&format!("SELECT {COLUMNS} FROM tenants WHERE slug = $1")).bind(slug).fetch_optional(db.reads()).await?)
}

pub async fn update<'c, E>(exec: E, id: &str, name: &str, settings: &TenantSettings) -> StoreResult<Tenant>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_as::<_, Tenant>(&format!("UPDATE tenants SET name = $2, settings = $3, updated_at = $4 WHERE id = $1 RETURNING {COLUMNS}"))
        .bind(id)
        .bind(name)
        .bind(settings.to_json())
        .bind(now_ms())
        .fetch_one(exec)
        .await
        .map_err(StoreError::classify)
}

/// How many tenants exist; none means a first start.
pub async fn count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tenants").fetch_one(db.reads()).await?)
}
