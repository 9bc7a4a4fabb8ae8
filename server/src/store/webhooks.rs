//! Webhook endpoints (see the migration `webhooks`). Rows come out as
//! `domain::webhook::Endpoint`; a stored event list this server cannot read refuses the row.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode;
use super::sql::Sql;
use super::{now_ms, Db, StoreError, StoreResult};
use crate::domain::webhook::{Endpoint, EventSet};
use crate::domain::Timestamp;

impl<'r> sqlx::FromRow<'r, AnyRow> for Endpoint {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(Endpoint {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            url: row.try_get("url")?,
            description: row.try_get("description")?,
            events: events(row)?,
            enabled: decode::flag(row, "enabled")?,
            secret: row.try_get("secret")?,
            previous_secret: row.try_get("previous_secret")?,
            previous_secret_until: decode::optional_time(row, "previous_secret_until")?,
            created_at: decode::time(row, "created_at")?,
            updated_at: decode::time(row, "updated_at")?,
        })
    }
}

fn events(row: &AnyRow) -> sqlx::Result<EventSet> {
    let raw: String = row.try_get("events")?;
    EventSet::from_stored(&raw).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "events".into(),
        source: format!("unexpected value {raw:?} in column events").into(),
    })
}

const COLUMNS: &str =
    "id, tenant_id, url, description, events, enabled, secret, previous_secret, previous_secret_until, created_at, updated_at";

/// An endpoint to store.
pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub tenant_id: &'a str,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub events: &'a EventSet,
    pub secret: &'a str,
}

pub async fn insert<'c, E>(exec: E, new: NewEndpoint<'_>) -> StoreResult<Endpoint>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let now = now_ms();
    sqlx::query_as::<_, Endpoint>(&format!(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, enabled, secret, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(new.id)
    .bind(new.tenant_id)
    .bind(new.url)
    .bind(new.description)
    .bind(new.events.to_stored())
    .bind(new.secret)
    .bind(now)
    .fetch_one(exec)
    .await
    .map_err(StoreError::classify)
}

/// The endpoint `id` of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Endpoint>> {
    Ok(sqlx::query_as::<_, Endpoint>(&format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.reads())
        .await?)
}

/// The endpoints among `ids`, whatever their tenants: for the worker, which signs with their
/// secrets.
pub async fn by_ids_any_tenant(db: &Db, ids: &[String]) -> StoreResult<Vec<Endpoint>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id IN ("));
    sql.bind_list(ids).push(")");
    Ok(sql.query_as::<Endpoint>().fetch_all(db.reads()).await?)
}

/// One page of the tenant's endpoints, oldest first, and how many there are.
pub async fn list(db: &Db, tenant_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<Endpoint>, i64)> {
    let rows = sqlx::query_as::<_, Endpoint>(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"
    ))
    .bind(tenant_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reads())
    .await?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = $1").bind(tenant_id).fetch_one(db.reads()).await?;
    Ok((rows, total))
}

/// The tenant's enabled endpoints: those an event may go to.
pub async fn enabled(db: &Db, tenant_id: &str) -> StoreResult<Vec<Endpoint>> {
    Ok(sqlx::query_as::<_, Endpoint>(&format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND enabled = 1"))
        .bind(tenant_id)
        .fetch_all(db.reads())
        .await?)
}

/// What a change sets: every field, as the service decided it.
pub struct EndpointChange<'a> {
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub events: &'a EventSet,
    pub enabled: bool,
}

pub async fn update<'c, E>(exec: E, tenant_id: &str, id: &str, change: EndpointChange<'_>) -> StoreResult<Option<Endpoint>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_as::<_, Endpoint>(&format!(
        "UPDATE webhook_endpoints SET url = $3, description = $4, events = $5, enabled = $6, updated_at = $7
         WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(change.url)
    .bind(change.description)
    .bind(change.events.to_stored())
    .bind(decode::stored_flag(change.enabled))
    .bind(now_ms())
    .fetch_optional(exec)
    .await?)
}

/// Makes `secret` the signing secret; the current one keeps signing until `previous_until`.
pub async fn rotate_secret<'c, E>(
    exec: E,
    tenant_id: &str,
    id: &str,
    secret: &str,
    previous_until: Timestamp,
) -> StoreResult<Option<Endpoint>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_as::<_, Endpoint>(&format!(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $4, secret = $3, updated_at = $5
         WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(secret)
    .bind(decode::millis(previous_until))
    .bind(now_ms())
    .fetch_optional(exec)
    .await?)
}

/// Removes the endpoint and its deliveries; false when there was none.
pub async fn delete<'c, E>(exec: E, tenant_id: &str, id: &str) -> StoreResult<bool>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2").bind(tenant_id).bind(id).execute(exec).await?;
    Ok(done.rows_affected() == 1)
}
