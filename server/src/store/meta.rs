//! Server-wide markers, such as "the first start has bootstrapped".

use super::StoreResult;

/// Claims `key` once: true for the one caller that inserted it, false for every later one,
/// also when several processes start at the same moment.
pub async fn claim<'c, E>(exec: E, key: &str, value: &str) -> StoreResult<bool>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let inserted = sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(exec)
        .await?;
    Ok(inserted.rows_affected() == 1)
}
