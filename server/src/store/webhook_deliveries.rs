//! The durable queue of webhook deliveries (see the migration `webhooks`): written when an
//! event happens, claimed by a worker with a lease while it sends, and updated with what
//! each attempt got. Rows come out as `domain::webhook::Delivery`.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode;
use super::sql::Sql;
use super::{now_ms, Db, StoreResult};
use crate::domain::webhook::{Delivery, DeliveryStatus, EventType};
use crate::domain::{Named, Timestamp};

impl<'r> sqlx::FromRow<'r, AnyRow> for Delivery {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(Delivery {
            id: row.try_get("id")?,
            endpoint_id: row.try_get("endpoint_id")?,
            event_type: decode::named(row, "event_type")?,
            body: row.try_get("body")?,
            status: decode::named(row, "status")?,
            attempts: row.try_get("attempts")?,
            next_attempt_at: decode::time(row, "next_attempt_at")?,
            retry_until: decode::time(row, "retry_until")?,
            last_attempt_at: decode::optional_time(row, "last_attempt_at")?,
            last_status_code: row.try_get("last_status_code")?,
            last_response: row.try_get("last_response")?,
            last_error: row.try_get("last_error")?,
            created_at: decode::time(row, "created_at")?,
        })
    }
}

const COLUMNS: &str = "id, endpoint_id, event_type, body, status, attempts, next_attempt_at, retry_until, last_attempt_at, \
    last_status_code, last_response, last_error, created_at";

/// Queues one delivery of `body` per `(delivery id, endpoint id)`, due now, retried until
/// `retry_until`.
pub async fn enqueue<'c, E>(
    exec: E,
    tenant_id: &str,
    targets: &[(String, String)],
    event: EventType,
    body: &str,
    retry_until: Timestamp,
) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    if targets.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let mut sql = Sql::new(
        "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, body, status, next_attempt_at, retry_until, created_at) VALUES ",
    );
    for (i, (id, endpoint_id)) in targets.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" }).bind(id).push(", ").bind(tenant_id).push(", ").bind(endpoint_id);
        sql.push(", ").bind(event.as_str()).push(", ").bind(body).push(", ").bind(DeliveryStatus::Pending.as_str());
        sql.push(", ").bind(now).push(", ").bind(decode::millis(retry_until)).push(", ").bind(now).push(")");
    }
    sql.push(" RETURNING id");
    sql.query_scalar::<String>().fetch_all(exec).await?;
    Ok(())
}

/// Claims for worker `holder`, for `lease_ms`, up to `limit` pending deliveries that are due
/// and held by no live worker, counting the attempt each is about to get. PostgreSQL also
/// skips rows another worker is claiming at the same moment, so no delivery is sent by two
/// workers at once; SQLite has one writer.
pub async fn claim(db: &Db, holder: &str, limit: i64, lease_ms: i64) -> StoreResult<Vec<Delivery>> {
    let now = now_ms();
    let mut sql = Sql::new("UPDATE webhook_deliveries SET attempts = attempts + 1, claimed_by = ");
    sql.bind(holder).push(", claimed_until = ").bind(now + lease_ms);
    sql.push(" WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = ").bind(DeliveryStatus::Pending.as_str());
    sql.push(" AND next_attempt_at <= ").bind(now).push(" AND claimed_until < ").bind(now);
    sql.push(" ORDER BY next_attempt_at LIMIT ").bind(limit).push(db.skip_locked()).push(&format!(") RETURNING {COLUMNS}"));
    Ok(sql.query_as::<Delivery>().fetch_all(db.pool()).await?)
}

/// What one attempt got, and where the delivery goes next.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub status: DeliveryStatus,
    /// The next attempt, for a delivery still pending.
    pub next_attempt_at: Option<Timestamp>,
    pub status_code: Option<i64>,
    pub response: Option<String>,
    pub error: Option<String>,
}

/// Records an attempt of `holder` and lets go of the delivery; false when the holder had
/// lost it meanwhile (its lease ran out), and the record is dropped.
pub async fn record(db: &Db, id: &str, holder: &str, attempted: &Attempted) -> StoreResult<bool> {
    let now = now_ms();
    let next = attempted.next_attempt_at.map(decode::millis).unwrap_or(now);
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, last_attempt_at = $5, last_status_code = $6,
         last_response = $7, last_error = $8, claimed_by = NULL, claimed_until = 0
         WHERE id = $1 AND claimed_by = $2",
    )
    .bind(id)
    .bind(holder)
    .bind(attempted.status.as_str())
    .bind(next)
    .bind(now)
    .bind(attempted.status_code)
    .bind(attempted.response.as_deref())
    .bind(attempted.error.as_deref())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One page of an endpoint's deliveries, newest first, and how many there are.
pub async fn list(db: &Db, tenant_id: &str, endpoint_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<Delivery>, i64)> {
    let rows = sqlx::query_as::<_, Delivery>(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(tenant_id)
    .bind(endpoint_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reads())
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2")
        .bind(tenant_id)
        .bind(endpoint_id)
        .fetch_one(db.reads())
        .await?;
    Ok((rows, total))
}

/// The delivery `id` to endpoint `endpoint_id` of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, endpoint_id: &str, id: &str) -> StoreResult<Option<Delivery>> {
    Ok(sqlx::query_as::<_, Delivery>(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3"
    ))
    .bind(tenant_id)
    .bind(endpoint_id)
    .bind(id)
    .fetch_optional(db.reads())
    .await?)
}

/// Queues the delivery again, due now and retried until `retry_until`, keeping its id and
/// its count of attempts; `None` while a worker is sending it (or when there is none).
pub async fn requeue<'c, E>(exec: E, tenant_id: &str, endpoint_id: &str, id: &str, retry_until: Timestamp) -> StoreResult<Option<Delivery>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let now = now_ms();
    Ok(sqlx::query_as::<_, Delivery>(&format!(
        "UPDATE webhook_deliveries SET status = $4, next_attempt_at = $5, retry_until = $6
         WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3 AND claimed_until < $5 RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(endpoint_id)
    .bind(id)
    .bind(DeliveryStatus::Pending.as_str())
    .bind(now)
    .bind(decode::millis(retry_until))
    .fetch_optional(exec)
    .await?)
}

/// How many deliveries wait to be sent (pending, due or not): the queue depth.
pub async fn pending_count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = $1")
        .bind(DeliveryStatus::Pending.as_str())
        .fetch_one(db.reads())
        .await?)
}
