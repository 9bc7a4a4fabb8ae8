//! Reports of messages and users, and the moderators' queue of the open ones grouped by
//! target.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::decode::{named, time};
use super::sql::Sql;
use super::{new_id, now_ms, Db, StoreError, StoreResult};
use crate::domain::report::{Report, ReportGroup, ReportReason, ReportStatus, Resolution, TargetKind};
use crate::domain::{Named, Timestamp};

impl FromRow<'_, AnyRow> for Report {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Report {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            reporter_id: row.try_get("reporter_id")?,
            target_kind: named(row, "target_kind")?,
            target_id: row.try_get("target_id")?,
            reason: named(row, "reason")?,
            note: row.try_get("note")?,
            status: named(row, "status")?,
            created_at: time(row, "created_at")?,
        })
    }
}

/// One target of the queue before its reports are attached.
struct GroupRow {
    target_kind: TargetKind,
    target_id: String,
    count: i64,
    first: Timestamp,
    last: Timestamp,
}

impl FromRow<'_, AnyRow> for GroupRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(GroupRow {
            target_kind: named(row, "target_kind")?,
            target_id: row.try_get("target_id")?,
            count: row.try_get("report_count")?,
            first: time(row, "first_at")?,
            last: time(row, "last_at")?,
        })
    }
}

const COLUMNS: &str = "id, tenant_id, reporter_id, target_kind, target_id, reason, note, status, created_at";

/// A new report to store.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub tenant_id: &'a str,
    pub reporter_id: &'a str,
    pub target_kind: TargetKind,
    pub target_id: &'a str,
    pub reason: ReportReason,
    pub note: Option<&'a str>,
}

/// Stores an open report; `None` when the reporter already has an open report of that
/// target (the unique index decides, so two at once store one).
pub async fn insert(db: &Db, report: &NewReport<'_>) -> StoreResult<Option<Report>> {
    let inserted = sqlx::query_as::<_, Report>(&format!(
        "INSERT INTO reports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(new_id())
    .bind(report.tenant_id)
    .bind(report.reporter_id)
    .bind(report.target_kind.as_str())
    .bind(report.target_id)
    .bind(report.reason.as_str())
    .bind(report.note)
    .bind(ReportStatus::Open.as_str())
    .bind(now_ms())
    .fetch_one(db.pool())
    .await
    .map_err(StoreError::classify);
    match inserted {
        Ok(report) => Ok(Some(report)),
        Err(StoreError::Conflict(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A report of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Report>> {
    Ok(sqlx::query_as::<_, Report>(&format!("SELECT {COLUMNS} FROM reports WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.reads())
        .await?)
}

/// How many reports of the tenant wait for a moderator.
pub async fn open_count(db: &Db, tenant_id: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE tenant_id = $1 AND status = $2")
        .bind(tenant_id)
        .bind(ReportStatus::Open.as_str())
        .fetch_one(db.reads())
        .await?)
}

/// A page of the queue: targets with open reports, the longest-waiting first, each with
/// its open reports; and how many targets wait in all.
pub async fn open_groups(db: &Db, tenant_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<ReportGroup>, i64)> {
    let open = ReportStatus::Open.as_str();
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 AS one FROM reports WHERE tenant_id = $1 AND status = $2 GROUP BY target_kind, target_id) g",
    )
    .bind(tenant_id)
    .bind(open)
    .fetch_one(db.reads())
    .await?;
    let rows = sqlx::query_as::<_, GroupRow>(
        "SELECT target_kind, target_id, COUNT(*) AS report_count, MIN(created_at) AS first_at, MAX(created_at) AS last_at
         FROM reports WHERE tenant_id = $1 AND status = $2
         GROUP BY target_kind, target_id
         ORDER BY MIN(created_at) ASC, MIN(id) ASC
         LIMIT $3 OFFSET $4",
    )
    .bind(tenant_id)
    .bind(open)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reads())
    .await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM reports WHERE tenant_id = "));
    sql.bind(tenant_id).push(" AND status = ").bind(open).push(" AND target_id IN (");
    let ids: Vec<String> = rows.iter().map(|r| r.target_id.clone()).collect();
    sql.bind_list(&ids).push(") ORDER BY created_at ASC, id ASC");
    let reports = sql.query_as::<Report>().fetch_all(db.reads()).await?;
    let groups = rows
        .into_iter()
        .map(|row| ReportGroup {
            reports: reports.iter().filter(|r| r.target_kind == row.target_kind && r.target_id == row.target_id).cloned().collect(),
            target_kind: row.target_kind,
            target_id: row.target_id,
            count: row.count,
            first_reported_at: row.first,
            last_reported_at: row.last,
        })
        .collect();
    Ok((groups, total))
}

/// Who resolved a target's reports, how, and why.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub resolution: Resolution,
    pub resolved_by: &'a str,
    pub note: Option<&'a str>,
}

/// Resolves every open report of one target; returns how many there were.
pub async fn resolve_target<'c, E>(exec: E, tenant_id: &str, kind: TargetKind, target_id: &str, resolved: &Resolved<'_>) -> StoreResult<u64>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let done = sqlx::query(
        "UPDATE reports SET status = $1, resolution = $2, resolved_by = $3, resolution_note = $4, resolved_at = $5
         WHERE tenant_id = $6 AND target_kind = $7 AND target_id = $8 AND status = $9",
    )
    .bind(ReportStatus::Resolved.as_str())
    .bind(resolved.resolution.as_str())
    .bind(resolved.resolved_by)
    .bind(resolved.note)
    .bind(now_ms())
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(target_id)
    .bind(ReportStatus::Open.as_str())
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}
