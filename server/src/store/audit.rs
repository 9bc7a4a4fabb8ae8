//! The audit log: who did which privileged action, when.

use super::{new_id, now_ms, Db, StoreResult};

/// Appends one entry; `actor` says who acted (see `Caller::actor`), `target` names what
/// was acted on, when anything.
pub async fn insert(db: &Db, tenant_id: &str, actor: &str, action: &str, target: Option<&str>) -> StoreResult<()> {
    sqlx::query("INSERT INTO audit_log (id, tenant_id, actor, action, target, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(tenant_id)
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}
