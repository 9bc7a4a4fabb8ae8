//! The audit log: who did which privileged action, when, and what it changed. Entries are
//! written inside the transaction of the action itself, so one never lands without the
//! other.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode;
use super::sql::{page_of, Sql};
use super::{new_id, now_ms, Db, StoreResult};
use crate::domain::audit::{AuditEntry, AuditFilter};

impl<'r> sqlx::FromRow<'r, AnyRow> for AuditEntry {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(AuditEntry {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            before: row.try_get("before_value")?,
            after: row.try_get("after_value")?,
            client_addr: row.try_get("client_addr")?,
            created_at: decode::time(row, "created_at")?,
        })
    }
}

const COLUMNS: &str = "id, tenant_id, actor, action, target, before_value, after_value, client_addr, created_at";

/// One entry to append.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub tenant_id: &'a str,
    /// Who acted (see `Caller::actor`).
    pub actor: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    /// JSON text.
    pub before: Option<&'a str>,
    /// JSON text.
    pub after: Option<&'a str>,
    pub client_addr: Option<&'a str>,
}

/// Appends one entry, on `exec`: the transaction of the action it records.
pub async fn insert<'c, E>(exec: E, entry: NewEntry<'_>) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (id, tenant_id, actor, action, target, before_value, after_value, client_addr, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(entry.tenant_id)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.before)
    .bind(entry.after)
    .bind(entry.client_addr)
    .bind(now_ms())
    .execute(exec)
    .await?;
    Ok(())
}

/// One page of the tenant's entries, newest first, and how many match.
pub async fn list(db: &Db, tenant_id: &str, filter: &AuditFilter, limit: i64, offset: i64) -> StoreResult<(Vec<AuditEntry>, i64)> {
    let mut from = Sql::new(" FROM audit_log WHERE tenant_id = ");
    from.bind(tenant_id);
    for (column, value) in [("actor", &filter.actor), ("action", &filter.action), ("target", &filter.target)] {
        if let Some(value) = value {
            from.push(&format!(" AND {column} = ")).bind(value);
        }
    }
    page_of(db, COLUMNS, &from, "created_at DESC, id DESC", limit, offset).await
}
