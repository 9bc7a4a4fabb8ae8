//! The admin dashboard's figures for one tenant. Nothing here scans `messages`: message
//! totals, the last 24 hours and the per-day series are read from `message_counts` (one row
//! per tenant and UTC hour, kept by the trigger on new messages, `messages_sent` on
//! PostgreSQL and `messages_count` on SQLite, in the statement that writes each message),
//! active users from the buckets of their last activity's hour
//! (`users.last_active_at`, kept by the same trigger and by socket connections; see
//! `counts`).
//!
//! Query plans relied on (EXPLAIN / EXPLAIN QUERY PLAN on a million messages, see
//! BENCHMARKS.md), every one a range of an index on the tenant:
//! - message counts and series: `message_counts` by (tenant_id, hour); one row per tenant
//!   and hour once folded (see `counts`), at most 24 × 365 per year, 720 for the series.
//! - conversations by kind, users by status and role, the unread total: the tenant's rows
//!   of `tenant_counts` (see `counts`), less the unread of live members of the tenant's
//!   deleted conversations (partial index conversations_deleted_by_tenant).
//! - active users: the tenant's 'active' buckets of `tenant_counts` after the window's first
//!   hour (a range of its index), and the users of that first hour by a range of
//!   users_tenant_active (tenant_id, last_active_at); see `counts::ACTIVE_SINCE`.
//! - tickets by status and priority: index-only on tickets_tenant_status_priority; the
//!   median first response reads the tenant's answered tickets through the same index's
//!   tenant prefix and sorts them (tickets are orders of magnitude fewer than messages).

use sqlx::any::AnyRow;
use sqlx::Row;

use super::counts;
use super::decode::{name_in, named, unexpected};
use super::{Db, StoreResult};
use crate::domain::conversation::ConversationKind;
use crate::domain::stats::{daily_series, median_of_middle, TenantStats, Windows};
use crate::domain::{Role, UserStatus};

/// Every figure of `tenant_id` as of the instant `windows` was taken at. The reads are
/// independent, so they go out together on their own connections: the request waits for
/// the slowest of them, not for their sum.
pub async fn tenant_stats(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<TenantStats> {
    let ((messages_total, messages_last_24h), kept, active_users_24h, open_reports, tickets, median_first_response_ms, by_day) = tokio::try_join!(
        message_totals(db, tenant_id, windows),
        kept_figures(db, tenant_id),
        active_users(db, tenant_id, windows),
        super::reports::open_count(db, tenant_id),
        tickets_by_status_and_priority(db, tenant_id),
        median_first_response(db, tenant_id),
        messages_by_day(db, tenant_id, windows),
    )?;
    Ok(TenantStats {
        conversations: kept.conversations,
        messages_total,
        messages_last_24h,
        active_users_24h,
        users: kept.users,
        unread_total: kept.unread,
        open_reports,
        tickets,
        median_first_response_ms,
        messages_per_day: daily_series(windows, &by_day),
    })
}

/// A parameter of a statement after the tenant.
pub enum Param {
    Int(i64),
    Text(String),
}

/// The statements behind the figures, for showing their plans: `(figure, SQL, parameters)`,
/// where `$1` is the tenant and the parameters are `$2` on. The kept figures' statement is
/// `counts::tenant_figures_sql`.
pub fn statements(windows: Windows) -> Vec<(&'static str, &'static str, Vec<Param>)> {
    let (key, since, next_hour) = counts::active_since_params(windows.active_since);
    vec![
        ("message totals", MESSAGE_TOTALS, vec![Param::Int(windows.last_24h_from)]),
        ("messages per day", MESSAGES_BY_DAY, vec![Param::Int(windows.series_from)]),
        ("active users", counts::ACTIVE_SINCE, vec![Param::Text(key), Param::Int(since), Param::Int(next_hour)]),
        ("tickets by status and priority", TICKETS, Vec::new()),
        ("answered tickets", ANSWERED, Vec::new()),
    ]
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
    for (figure, key1, key2, n) in counts::tenant_figures(db, tenant_id).await? {
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
const MESSAGE_TOTALS: &str = "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT),
        CAST(COALESCE(SUM(CASE WHEN hour >= $2 THEN count ELSE 0 END), 0) AS BIGINT)
   FROM message_counts WHERE tenant_id = $1";

const MESSAGES_BY_DAY: &str = "SELECT hour - hour % 86400000 AS day, CAST(SUM(count) AS BIGINT) AS n
   FROM message_counts WHERE tenant_id = $1 AND hour >= $2
  GROUP BY hour - hour % 86400000";

const TICKETS: &str = "SELECT status, priority, COUNT(*) AS n FROM tickets WHERE tenant_id = $1 GROUP BY status, priority";

const ANSWERED: &str = "SELECT COUNT(*) FROM tickets WHERE tenant_id = $1 AND first_response_at IS NOT NULL";

async fn message_totals(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<(i64, i64)> {
    Ok(sqlx::query_as::<_, (i64, i64)>(MESSAGE_TOTALS).bind(tenant_id).bind(windows.last_24h_from).fetch_one(db.reads()).await?)
}

/// `(start of the UTC day, messages)` for the days of the series that have any.
async fn messages_by_day(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as::<_, (i64, i64)>(MESSAGES_BY_DAY).bind(tenant_id).bind(windows.series_from).fetch_all(db.reads()).await?)
}

async fn active_users(db: &Db, tenant_id: &str, windows: Windows) -> StoreResult<i64> {
    counts::active_since(db, tenant_id, windows.active_since).await
}

async fn tickets_by_status_and_priority(
    db: &Db,
    tenant_id: &str,
) -> StoreResult<Vec<(crate::domain::ticket::TicketStatus, crate::domain::ticket::Priority, i64)>> {
    let rows = sqlx::query(TICKETS).bind(tenant_id).fetch_all(db.reads()).await?;
    Ok(rows
        .iter()
        .map(|row: &AnyRow| Ok((named(row, "status")?, named(row, "priority")?, row.try_get("n")?)))
        .collect::<sqlx::Result<_>>()?)
}

/// The median in milliseconds, read as the one or two middle values of the sorted waits,
/// so both engines answer it with the same SQL (SQLite has no percentile function).
async fn median_first_response(db: &Db, tenant_id: &str) -> StoreResult<Option<f64>> {
    let answered = sqlx::query_scalar::<_, i64>(ANSWERED).bind(tenant_id).fetch_one(db.reads()).await?;
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
