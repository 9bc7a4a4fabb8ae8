//! Webhook events captured by the database (see the migration `webhook_events`): claimed by
//! a worker with a lease, then turned into deliveries and removed in one transaction, so an
//! event becomes its deliveries exactly once even when two workers race for it or one dies
//! mid-way. Rows come out as `domain::webhook::CapturedEvent`.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::sql::Sql;
use super::{decode, now_ms, webhook_deliveries, Db, StoreResult};
use crate::domain::webhook::{CapturedEvent, EventType};
use crate::domain::Timestamp;

impl<'r> sqlx::FromRow<'r, AnyRow> for CapturedEvent {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(CapturedEvent {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            kind: decode::named(row, "event_type")?,
            subject_id: row.try_get("subject_id")?,
            user_id: row.try_get("user_id")?,
            created_at: decode::time(row, "created_at")?,
        })
    }
}

/// Claims for worker `holder`, for `lease_ms`, up to `limit` events no live worker holds,
/// oldest first. PostgreSQL also skips rows another worker is claiming at that moment.
pub async fn claim(db: &Db, holder: &str, limit: i64, lease_ms: i64) -> StoreResult<Vec<CapturedEvent>> {
    let now = now_ms();
    let mut sql = Sql::new("UPDATE webhook_events SET claimed_by = ");
    sql.bind(holder).push(", claimed_until = ").bind(now + lease_ms);
    sql.push(" WHERE id IN (SELECT id FROM webhook_events WHERE claimed_until < ").bind(now);
    sql.push(" ORDER BY id LIMIT ").bind(limit).push(db.skip_locked());
    sql.push(") RETURNING id, tenant_id, event_type, subject_id, user_id, created_at");
    let mut events = sql.query_as::<CapturedEvent>().fetch_all(db.pool()).await?;
    events.sort_by_key(|e| e.id);
    Ok(events)
}

/// One claimed event made ready: its body, and the endpoints to deliver it to (none when
/// nobody wants it any more or what it was about is gone).
#[derive(Debug, Clone)]
pub struct FannedOut {
    pub event_id: i64,
    pub tenant_id: String,
    pub kind: EventType,
    pub body: String,
    /// `(delivery id, endpoint id)` pairs.
    pub targets: Vec<(String, String)>,
    pub retry_until: Timestamp,
}

/// Removes the events `holder` still holds among `ready` and writes their deliveries, in
/// one transaction; returns how many deliveries were written. An event whose lease ran out
/// meanwhile is left to the worker that took it over.
pub async fn fan_out(db: &Db, holder: &str, ready: &[FannedOut]) -> StoreResult<usize> {
    if ready.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = ready.iter().map(|r| r.event_id).collect();
    let mut tx = db.pool().begin().await?;
    let mut sql = Sql::new("DELETE FROM webhook_events WHERE claimed_by = ");
    sql.bind(holder).push(" AND id IN (").bind_list(&ids).push(") RETURNING id");
    let kept: Vec<i64> = sql.query_scalar::<i64>().fetch_all(&mut *tx).await?;
    let mut written = 0;
    for event in ready.iter().filter(|r| kept.contains(&r.event_id)) {
        webhook_deliveries::enqueue(&mut *tx, &event.tenant_id, &event.targets, event.kind, &event.body, event.retry_until).await?;
        written += event.targets.len();
    }
    tx.commit().await?;
    Ok(written)
}

/// How many captured events wait to be fanned out.
pub async fn pending_count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events").fetch_one(db.reads()).await?)
}
