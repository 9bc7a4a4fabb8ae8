//! Shops: a name and an address owned by one user, whom buyers message in shop threads.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::decode::time;
use super::sql::{page_of, Sql};
use super::{new_id, now_ms, Db, StoreResult};
use crate::domain::shop::Shop;

impl FromRow<'_, AnyRow> for Shop {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Shop {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            owner_id: row.try_get("owner_id")?,
            name: row.try_get("name")?,
            url: row.try_get("url")?,
            created_at: time(row, "created_at")?,
            updated_at: time(row, "updated_at")?,
        })
    }
}

const COLUMNS: &str = "id, tenant_id, owner_id, name, url, created_at, updated_at";

pub async fn create(db: &Db, tenant_id: &str, owner_id: &str, name: &str, url: Option<&str>) -> StoreResult<Shop> {
    Ok(sqlx::query_as::<_, Shop>(&format!("INSERT INTO shops ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"))
        .bind(new_id())
        .bind(tenant_id)
        .bind(owner_id)
        .bind(name)
        .bind(url)
        .bind(now_ms())
        .fetch_one(db.pool())
        .await?)
}

/// A shop of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Shop>> {
    Ok(sqlx::query_as::<_, Shop>(&format!("SELECT {COLUMNS} FROM shops WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.reads())
        .await?)
}

/// Every listed shop, in one query.
pub async fn by_ids(db: &Db, ids: &[String]) -> StoreResult<Vec<Shop>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM shops WHERE id IN ("));
    sql.bind_list(ids).push(")");
    Ok(sql.query_as::<Shop>().fetch_all(db.reads()).await?)
}

pub async fn update(db: &Db, id: &str, name: &str, url: Option<&str>) -> StoreResult<Shop> {
    Ok(sqlx::query_as::<_, Shop>(&format!("UPDATE shops SET name = $2, url = $3, updated_at = $4 WHERE id = $1 RETURNING {COLUMNS}"))
        .bind(id)
        .bind(name)
        .bind(url)
        .bind(now_ms())
        .fetch_one(db.pool())
        .await?)
}

/// A page of the tenant's shops, newest first, optionally of one owner, and their count.
pub async fn list(db: &Db, tenant_id: &str, owner_id: Option<&str>, limit: i64, offset: i64) -> StoreResult<(Vec<Shop>, i64)> {
    let mut from = Sql::new(" FROM shops WHERE tenant_id = ");
    from.bind(tenant_id);
    if let Some(owner) = owner_id {
        from.push(" AND owner_id = ").bind(owner);
    }
    page_of(db, COLUMNS, &from, "created_at DESC, id DESC", limit, offset).await
}
