//! Shops: a name and an address owned by one user, whom buyers message in shop threads.

use super::sql::{page_of, Sql};
use super::{new_id, now_ms, Db, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShopRow {
    pub id: String,
    pub tenant_id: String,
    pub owner_id: String,
    pub name: String,
    pub url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, tenant_id, owner_id, name, url, created_at, updated_at";

pub async fn create(db: &Db, tenant_id: &str, owner_id: &str, name: &str, url: Option<&str>) -> StoreResult<ShopRow> {
    Ok(sqlx::query_as::<_, ShopRow>(&format!("INSERT INTO shops ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"))
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
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<ShopRow>> {
    Ok(sqlx::query_as::<_, ShopRow>(&format!("SELECT {COLUMNS} FROM shops WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Every listed shop, in one query.
pub async fn by_ids(db: &Db, ids: &[String]) -> StoreResult<Vec<ShopRow>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM shops WHERE id IN ("));
    sql.bind_list(ids).push(")");
    Ok(sql.query_as::<ShopRow>().fetch_all(db.pool()).await?)
}

pub async fn update(db: &Db, id: &str, name: &str, url: Option<&str>) -> StoreResult<ShopRow> {
    Ok(sqlx::query_as::<_, ShopRow>(&format!("UPDATE shops SET name = $2, url = $3, updated_at = $4 WHERE id = $1 RETURNING {COLUMNS}"))
        .bind(id)
        .bind(name)
        .bind(url)
        .bind(now_ms())
        .fetch_one(db.pool())
        .await?)
}

/// A page of the tenant's shops, newest first, optionally of one owner, and their count.
pub async fn list(db: &Db, tenant_id: &str, owner_id: Option<&str>, limit: i64, offset: i64) -> StoreResult<(Vec<ShopRow>, i64)> {
    let mut from = Sql::new(" FROM shops WHERE tenant_id = ");
    from.bind(tenant_id);
    if let Some(owner) = owner_id {
        from.push(" AND owner_id = ").bind(owner);
    }
    page_of(db, COLUMNS, &from, "created_at DESC, id DESC", limit, offset).await
}
