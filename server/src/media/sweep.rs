//! The periodic removal of uploads never confirmed: each process looks every
//! `media_sweep_interval_ms` for pending uploads older than `media_unconfirmed_ttl_seconds`
//! (a day by default) and removes their objects and records. Several processes sweeping at
//! once only repeat each other's deletes, which succeed.

use std::time::Duration;

use crate::state::AppState;
use crate::store;

/// Uploads removed per pass at most; the next pass takes the rest.
const BATCH: i64 = 200;

/// Sweeps until the process ends.
pub async fn run(state: AppState) {
    let interval = Duration::from_millis(state.config.media_sweep_interval_ms.max(10));
    loop {
        tokio::time::sleep(interval).await;
        if let Err(error) = sweep_once(&state).await {
            tracing::warn!(%error, "sweeping unconfirmed uploads failed");
        }
    }
}

/// One pass; returns how many uploads were removed.
pub async fn sweep_once(state: &AppState) -> crate::error::AppResult<usize> {
    let ttl = chrono::Duration::seconds(i64::try_from(state.config.media_unconfirmed_ttl_seconds).unwrap_or(i64::MAX / 1000));
    let cutoff = chrono::Utc::now() - ttl;
    let stale = store::media::pending_before(&state.db, cutoff, BATCH).await?;
    for media in &stale {
        super::remove(state, media).await?;
    }
    if !stale.is_empty() {
        tracing::info!(removed = stale.len(), "removed unconfirmed uploads");
    }
    Ok(stale.len())
}
