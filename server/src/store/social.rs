//! Blocks and follows between users.

use super::{Db, StoreResult};

/// True when `blocker_id` has blocked `blocked_id`.
pub async fn is_blocked(db: &Db, blocker_id: &str, blocked_id: &str) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker_id)
        .bind(blocked_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}
