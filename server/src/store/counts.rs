//! The admin stats' kept counters (migrations `admin_stats_counters`, `tenant_counters` and
//! `active_user_counts`): messages per tenant and hour in `message_counts`, and the tenant's
//! other figures, active users by the hour of their last activity among them, in
//! `tenant_counts`. A figure is the sum of its rows. On PostgreSQL the triggers append a row
//! per statement instead of updating a shared one, so a tenant's concurrent writes never
//! wait on a counter's lock; `fold` merges the appended rows now and then so a reading sums
//! a handful. SQLite's one writer updates one row per figure in place and has nothing to fold.

use std::time::Duration;

use sqlx::AnyPool;

use super::{Db, StoreResult};

/// How often each PostgreSQL server process folds the appended counter rows. At a thousand
/// sends a second that leaves a reading about a thousand rows to sum at most.
pub const FOLD_EVERY: Duration = Duration::from_secs(1);

/// Each statement replaces every row of a counter that has unfolded rows with one folded
/// row holding their sum. Only rows this statement sees are removed and summed, so a row
/// appended meanwhile waits for the next fold; two processes folding at once each fold the
/// rows the other had not taken (the loser of a row skips it once it is gone), which can
/// leave two folded rows of one counter: still the same sum.
const FOLDS: [&str; 2] = [
    "WITH touched AS (SELECT DISTINCT tenant_id, hour FROM message_counts WHERE NOT folded),
          gone AS (DELETE FROM message_counts m USING touched t WHERE m.tenant_id = t.tenant_id AND m.hour = t.hour
                   RETURNING m.tenant_id, m.hour, m.count)
     INSERT INTO message_counts (tenant_id, hour, count, folded)
     SELECT tenant_id, hour, SUM(count), true FROM gone GROUP BY tenant_id, hour",
    "WITH touched AS (SELECT DISTINCT tenant_id, figure, key1, key2 FROM tenant_counts WHERE NOT folded),
          gone AS (DELETE FROM tenant_counts c USING touched t
                    WHERE c.tenant_id = t.tenant_id AND c.figure = t.figure AND c.key1 = t.key1 AND c.key2 = t.key2
                   RETURNING c.tenant_id, c.figure, c.key1, c.key2, c.n)
     INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n, folded)
     SELECT tenant_id, figure, key1, key2, SUM(n), true FROM gone GROUP BY tenant_id, figure, key1, key2",
];

/// Folds the appended counter rows once (PostgreSQL; nothing to do on SQLite).
pub async fn fold(db: &Db) -> StoreResult<()> {
    if db.backend() == super::Backend::Postgres {
        fold_on(db.pool()).await?;
    }
    Ok(())
}

async fn fold_on(pool: &AnyPool) -> sqlx::Result<()> {
    for statement in FOLDS {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}

/// Folds every `FOLD_EVERY` until the pool closes, the first time one period after the
/// connection, when the process has had its migrations run. A failed fold (the database
/// restarting, say) only leaves more rows for the next one.
pub(super) fn spawn_folder(pool: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + FOLD_EVERY, FOLD_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            tick.tick().await;
            if let Err(error) = fold_on(&pool).await {
                if !pool.is_closed() {
                    tracing::warn!(%error, "folding the stats counters failed");
                }
            }
        }
    });
}

/// The tenant figures as the stats show them, `(tenant, figure, key1, key2, n)`: the kept
/// rows summed, less the unread that live members of deleted conversations still hold (a
/// deletion leaves its memberships as they are, so the counter still has them). Of the
/// tenant bound at `$1` when `one_tenant`, else of every tenant; one statement, so one
/// snapshot.
fn shown(one_tenant: bool) -> String {
    let (kept_of, deleted_of) = if one_tenant { (" AND tenant_id = $1", " AND c.tenant_id = $1") } else { ("", "") };
    format!(
        "SELECT tenant_id, figure, key1, key2, CAST(SUM(n) AS BIGINT) AS n FROM (
             SELECT tenant_id, figure, key1, key2, n FROM tenant_counts
              WHERE figure IN ('conversations', 'users', 'unread'){kept_of}
             UNION ALL
             SELECT c.tenant_id, 'unread', '', '', -p.unread_count
               FROM conversations c JOIN participants p ON p.conversation_id = c.id
              WHERE c.deleted_at IS NOT NULL AND p.left_at IS NULL AND p.hidden = 0{deleted_of}) kept
          GROUP BY tenant_id, figure, key1, key2"
    )
}

/// The statement `tenant_figures` runs, with the tenant as `$1` (the benchmarks show its plan).
pub fn tenant_figures_sql() -> String {
    shown(true)
}

/// The tenant's kept figures: `(figure, key1, key2, n)`.
pub async fn tenant_figures(db: &Db, tenant_id: &str) -> StoreResult<Vec<(String, String, String, i64)>> {
    let rows: Vec<(String, String, String, String, i64)> =
        sqlx::query_as(&tenant_figures_sql()).bind(tenant_id).fetch_all(db.reads()).await?;
    Ok(rows.into_iter().map(|(_, figure, key1, key2, n)| (figure, key1, key2, n)).collect())
}

const HOUR_MS: i64 = 3_600_000;

/// Active users of `$1` since `$3`: the buckets of the hours after `$3`'s (keys above `$2`,
/// its key), and the users whose last activity falls in `$3`'s hour from `$3` on (before
/// `$4`, the next hour), counted by the range of `users_tenant_active`.
pub const ACTIVE_SINCE: &str =
    "SELECT CAST(COALESCE((SELECT SUM(n) FROM tenant_counts WHERE tenant_id = $1 AND figure = 'active' AND key1 > $2), 0) AS BIGINT)
     + (SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND last_active_at >= $3 AND last_active_at < $4)";

/// The bucket key of the hour holding the instant `at_ms`, as the triggers write it.
fn hour_key(at_ms: i64) -> String {
    format!("{:015}", at_ms - at_ms.rem_euclid(HOUR_MS))
}

/// `ACTIVE_SINCE`'s `$2`, `$3` and `$4` for the window starting at `since_ms`.
pub fn active_since_params(since_ms: i64) -> (String, i64, i64) {
    (hour_key(since_ms), since_ms, since_ms - since_ms.rem_euclid(HOUR_MS) + HOUR_MS)
}

/// How many users of the tenant were active (`last_active_at`) at or after `since_ms`.
pub async fn active_since(db: &Db, tenant_id: &str, since_ms: i64) -> StoreResult<i64> {
    let (key, since, next_hour) = active_since_params(since_ms);
    Ok(sqlx::query_scalar(ACTIVE_SINCE).bind(tenant_id).bind(key).bind(since).bind(next_hour).fetch_one(db.reads()).await?)
}

/// Each tenant figure whose kept count differs from a recount of the rows it counts:
/// `(tenant, figure, key1, key2, kept, counted)`. What the tests hold the counters to.
pub async fn drift(db: &Db) -> StoreResult<Vec<(String, String, String, String, i64, i64)>> {
    Ok(sqlx::query_as(&format!(
        "WITH shown AS (
             {shown}
             UNION ALL
             SELECT tenant_id, figure, CAST(CAST(key1 AS BIGINT) AS TEXT), key2, CAST(SUM(n) AS BIGINT)
               FROM tenant_counts WHERE figure = 'active' GROUP BY tenant_id, figure, key1, key2),
         counted AS (
             SELECT tenant_id, 'conversations' AS figure, kind AS key1, '' AS key2, COUNT(*) AS n
               FROM conversations WHERE deleted_at IS NULL GROUP BY tenant_id, kind
             UNION ALL
             SELECT tenant_id, 'users', status, role, COUNT(*) FROM users GROUP BY tenant_id, status, role
             UNION ALL
             SELECT p.tenant_id, 'unread', '', '', CAST(SUM(p.unread_count) AS BIGINT)
               FROM participants p JOIN conversations c ON c.id = p.conversation_id
              WHERE c.deleted_at IS NULL AND p.left_at IS NULL AND p.hidden = 0 GROUP BY p.tenant_id
             UNION ALL
             SELECT tenant_id, 'active', CAST(last_active_at - last_active_at % 3600000 AS TEXT), '', COUNT(*)
               FROM users WHERE last_active_at IS NOT NULL
              GROUP BY tenant_id, last_active_at - last_active_at % 3600000)
         SELECT COALESCE(s.tenant_id, r.tenant_id), COALESCE(s.figure, r.figure), COALESCE(s.key1, r.key1),
                COALESCE(s.key2, r.key2), COALESCE(s.n, 0), COALESCE(r.n, 0)
           FROM shown s FULL JOIN counted r
             ON r.tenant_id = s.tenant_id AND r.figure = s.figure AND r.key1 = s.key1 AND r.key2 = s.key2
          WHERE COALESCE(s.n, 0) <> COALESCE(r.n, 0)",
        shown = shown(false),
    ))
    .fetch_all(db.reads())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_splits_into_its_first_hour_and_the_buckets_after_it() {
        let since = 5 * HOUR_MS + 7;
        assert_eq!(active_since_params(since), ("000000018000000".to_owned(), since, 6 * HOUR_MS));
        assert_eq!(hour_key(6 * HOUR_MS), "000000021600000", "an hour's first millisecond is in that hour");
    }
}
