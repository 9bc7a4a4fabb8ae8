//! Uploaded media records, and the messages that refer to them.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::decode::{millis, named, optional_time, time};
use super::{Db, StoreResult};
use crate::domain::media::{Media, MediaStatus};
use crate::domain::{Named, Timestamp};

impl FromRow<'_, AnyRow> for Media {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Media {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            uploader_id: row.try_get("uploader_id")?,
            file_name: row.try_get("file_name")?,
            file_type: row.try_get("file_type")?,
            file_size: row.try_get("file_size")?,
            status: named(row, "status")?,
            thumbnail_type: row.try_get("thumbnail_type")?,
            created_at: time(row, "created_at")?,
            confirmed_at: optional_time(row, "confirmed_at")?,
        })
    }
}

const COLUMNS: &str = "id, tenant_id, uploader_id, file_name, file_type, file_size, status, thumbnail_type, created_at, confirmed_at";

pub async fn insert(db: &Db, media: &Media) -> StoreResult<()> {
    sqlx::query(&format!("INSERT INTO media ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(&media.id)
        .bind(&media.tenant_id)
        .bind(&media.uploader_id)
        .bind(&media.file_name)
        .bind(&media.file_type)
        .bind(media.file_size)
        .bind(media.status.as_str())
        .bind(&media.thumbnail_type)
        .bind(millis(media.created_at))
        .bind(media.confirmed_at.map(millis))
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Media>> {
    Ok(sqlx::query_as::<_, Media>(&format!("SELECT {COLUMNS} FROM media WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(db.reads())
        .await?)
}

/// Marks a pending upload ready; `None` when it was not pending (confirmed meanwhile, or
/// swept).
pub async fn mark_ready(db: &Db, id: &str, thumbnail_type: Option<&str>, at: Timestamp) -> StoreResult<Option<Media>> {
    Ok(sqlx::query_as::<_, Media>(&format!(
        "UPDATE media SET status = $2, thumbnail_type = $3, confirmed_at = $4 WHERE id = $1 AND status = $5 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(MediaStatus::Ready.as_str())
    .bind(thumbnail_type)
    .bind(millis(at))
    .bind(MediaStatus::Pending.as_str())
    .fetch_optional(db.pool())
    .await?)
}

pub async fn delete(db: &Db, id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM media WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}

/// Uploads still pending that were handed out before `cutoff`, oldest first.
pub async fn pending_before(db: &Db, cutoff: Timestamp, limit: i64) -> StoreResult<Vec<Media>> {
    Ok(sqlx::query_as::<_, Media>(&format!(
        "SELECT {COLUMNS} FROM media WHERE status = $1 AND created_at < $2 ORDER BY created_at LIMIT $3"
    ))
    .bind(MediaStatus::Pending.as_str())
    .bind(millis(cutoff))
    .bind(limit)
    .fetch_all(db.reads())
    .await?)
}

/// Everything `uploader_id` uploaded.
pub async fn by_uploader(db: &Db, tenant_id: &str, uploader_id: &str) -> StoreResult<Vec<Media>> {
    Ok(sqlx::query_as::<_, Media>(&format!("SELECT {COLUMNS} FROM media WHERE tenant_id = $1 AND uploader_id = $2"))
        .bind(tenant_id)
        .bind(uploader_id)
        .fetch_all(db.reads())
        .await?)
}

/// Whether a message not deleted for everyone still carries the media.
pub async fn in_use(db: &Db, media_id: &str) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM messages WHERE media_id = $1 AND deleted_at IS NULL LIMIT 1")
        .bind(media_id)
        .fetch_optional(db.reads())
        .await?;
    Ok(found.is_some())
}

/// Whether `user_id` is a current member of a conversation the media was sent to, and
/// the message carrying it is still in their view (not deleted, not cleared away).
pub async fn seen_by(db: &Db, media_id: &str, user_id: &str) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM messages m
         JOIN participants p ON p.conversation_id = m.conversation_id
         JOIN conversations c ON c.id = m.conversation_id
         WHERE m.media_id = $1 AND m.deleted_at IS NULL AND p.user_id = $2 AND p.left_at IS NULL
           AND m.seq > p.cleared_before_seq AND c.deleted_at IS NULL
         LIMIT 1",
    )
    .bind(media_id)
    .bind(user_id)
    .fetch_optional(db.reads())
    .await?;
    Ok(found.is_some())
}

/// Takes removed media off the messages that carried it: their file fields go.
pub async fn detach(db: &Db, media_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE messages SET media_id = NULL, file_url = NULL, file_name = NULL, file_size = NULL, file_type = NULL WHERE media_id = $1",
    )
    .bind(media_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Bytes of confirmed media across every tenant (originals; thumbnails are not counted).
pub async fn bytes_stored(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>("SELECT CAST(COALESCE(SUM(file_size), 0) AS BIGINT) FROM media WHERE status = 'ready'")
        .fetch_one(db.reads())
        .await?)
}
