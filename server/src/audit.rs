//! The audit log: who did which privileged action, when. Recording never fails a request;
//! a failure to record is logged instead.

use crate::auth::Caller;
use crate::store::{self, Db};

pub async fn record(db: &Db, caller: &Caller, action: &str, target: Option<&str>) {
    let result = sqlx::query("INSERT INTO audit_log (id, tenant_id, actor, action, target, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(store::new_id())
        .bind(caller.tenant_id())
        .bind(caller.actor())
        .bind(action)
        .bind(target)
        .bind(store::now_ms())
        .execute(db.pool())
        .await;
    if let Err(error) = result {
        tracing::warn!(%error, action, "could not record audit entry");
    }
}
