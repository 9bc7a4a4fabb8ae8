//! The admin dashboard's figures for one tenant. Nothing here scans `messages`: message
//! totals, the last 24 hours and the per-day series are read from `message_counts` (one row
//! per tenant and UTC hour, kept by the `messages_count` trigger in the statement that
//! writes each message), active users from `users.last_active_at` (kept by the same
//! trigger and by socket connections).
//!
//! Query plans relied on (EXPLAIN / EXPLAIN QUERY PLAN on a million messages, see
//! BENCHMARKS.md), every one a range of an index on the tenant:
//! - message counts and series: `message_counts` by (tenant_id, hour); one row per tenant
//!   and hour once folded (see `counts`), at most 24 × 365 per year, 720 for the series.
//! - conversations by kind, users by status and role, the unread total: the tenant's rows
//!   of `tenant_counts` (see `counts`), less the unread of live members of the tenant's
//!   deleted conversations (partial index conversations_deleted_by_tenant).
//! - active users: range of users_tenant_active (tenant_id, last_active_at).
//! - tickets by status and priority: index-only on tickets_tenant_status_priority; the
//!   median first response reads the tenant's answered tickets through the same index's
//!   tenant prefix and sorts them (tickets are orders of magnitude fewer than messages).

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode::{name_in, named, unexpected};
use super::{Db, StoreResult};
use crate::domain::conversation::ConversationKind;
use crate::domain::stats::{daily_series, median_of_middle, TenantStats, Windows};
use crate::domain::{Role, UserStatus};

/// Every figure of `tenant_id` as of the instant `windows` was taken at.
pub async fn tenant_stats(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<TenantStats> {
    let (messages_total, messages_last_24h) = message_totals(db, tenant_id, windows).await?;
    let kept = kept_figures(db, tenant_id).await?;
    Ok(TenantStats {
        conversations: kept.conversations,
        messages_total,
        messages_last_24h,
        active_users_24h: active_users(db, tenant_id, windows).await?,
        users: kept.users,
        unread_total: kept.unread,
        open_reports: super::reports::open_count(db, tenant_id).await?,
        tickets: tickets_by_status_and_priority(db, tenant_id).await?,
        median_first_response_ms: median_first_response(db, tenant_id).await?,
        messages_per_day: daily_series(windows, &messages_by_day(db, tenant_id, windows).await?),
    })
}

/// The figures `counts` keeps, each decoded into the domain's names.
#[derive(Default)]
struct Kept {
    conversations: Vec<(ConversationKind, i64)>,
    users: Vec<(UserStatus, Role, i64)>,
    unread: i64,
}

async fn kept_figures(db: &Db, tenant_id: &str) -> StoreResult<Kept> {
    let mut kept = Kept::default();
    for (figure, key1, key2, n) in super::counts::tenant_figures(db, tenant_id).await? {
        match figure.as_str() {
            "conversations" => kept.conversations.push((name_in("kind", &key1)?, n)),
            "users" => kept.users.push((name_in("status", &key1)?, name_in("role", &key2)?, n)),
            "unread" => kept.unread += n,
            _ => return Err(unexpected("figure", &figure).into()),
        }
    }
    // A kind or combination that came and went sums to zero: absent, as the domain has it.
    kept.conversations.retain(|(_, n)| *n != 0);
    kept.users.retain(|(_, _, n)| *n != 0);
    Ok(kept)
}

// SUM of a BIGINT is NUMERIC on PostgreSQL, which the Any driver does not decode: cast back.
async fn message_totals(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<(i64, i64)> {
    Ok(sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN hour >= $2 THEN count ELSE 0 END), 0) AS BIGINT)
           FROM message_counts WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(windows.last_24h_from)
    .fetch_one(db.reads())
    .await?)
}

/// `(start of the UTC day, messages)` for the days of the series that have any.
async fn messages_by_day(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as::<_, (i64, i64)>(
        "SELECT hour - hour % 86400000 AS day, CAST(SUM(count) AS BIGINT) AS n
           FROM message_counts WHERE tenant_id = $1 AND hour >= $2
          GROUP BY hour - hour % 86400000",
    )
    .bind(tenant_id)
    .bind(windows.series_from)
    .fetch_all(db.reads())
    .await?)
}

async fn active_users(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND last_active_at >= $2")
        .bind(tenant_id)
        .bind(windows.active_since)
        .fetch_one(db.reads())
        .await?)
}

async fn tickets_by_status_and_priority(
    db: &Db,
    tenant_id: &str,
) -> StoreResult<Vec<(crate::domain::ticket::TicketStatus, crate::domain::ticket::Priority, i64)>> {
    let rows = sqlx::query("SELECT status, priority, COUNT(*) AS n FROM tickets WHERE tenant_id = $1 GROUP BY status, priority")
        .bind(tenant_id)
        .fetch_all(db.reads())
        .await?;
    Ok(rows
        .iter()
        .map(|row: &AnyRow| Ok((named(row, "status")?, named(row, "priority")?, row.try_get("n")?)))
        .collect::<sqlx::Result<_>>()?)
}

/// The median in milliseconds, read as the one or two middle values of the sorted waits,
/// so both engines answer it with the same SQL (SQLite has no percentile function).
async fn median_first_response(db: &Db, tenant_id: &str) -> StoreResult<Option<f64>> {
    let answered = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM tickets WHERE tenant_id = $1 AND first_response_at IS NOT NULL")
        .bind(tenant_id)
        .fetch_one(db.reads())
        .await?;
    if answered == 0 {
        return Ok(None);
    }
    let middle = sqlx::query_scalar::<_, i64>(
        "SELECT first_response_at - created_at AS wait FROM tickets
          WHERE tenant_id = $1 AND first_response_at IS NOT NULL
          ORDER BY wait LIMIT $2 OFFSET $3",
    )
    .bind(tenant_id)
    .bind(if answered % 2 == 0 { 2_i64 } else { 1 })
    .bind((answered - 1) / 2)
    .fetch_all(db.reads())
    .await?;
    Ok(median_of_middle(&middle))
}
