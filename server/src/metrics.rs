//! Operational metrics in the Prometheus text format: the search outbox (depth, age of the
//! oldest row, this process's relay failures and deliveries) and the media bytes stored.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use crate::error::AppResult;
use crate::state::AppState;
use crate::store;

/// Renders every metric; the counters are this process's, the gauges the database's.
pub async fn render(state: &AppState) -> AppResult<String> {
    let (depth, oldest) = store::search_outbox::depth(&state.db).await?;
    let age_seconds = oldest.map_or(0.0, |at| (store::now_ms() - at).max(0) as f64 / 1000.0);
    let media_bytes = store::media::bytes_stored(&state.db).await?;
    let failures = state.search_relay.failures.load(Ordering::Relaxed);
    let delivered = state.search_relay.delivered.load(Ordering::Relaxed);
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: String| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
    };
    metric("confab_search_outbox_depth", "gauge", "Search index changes waiting in the outbox.", depth.to_string());
    metric(
        "confab_search_outbox_oldest_age_seconds",
        "gauge",
        "Age of the oldest change waiting in the outbox.",
        format!("{age_seconds:.3}"),
    );
    metric(
        "confab_search_relay_failures_total",
        "counter",
        "Outbox batches this process failed to apply to the search index.",
        failures.to_string(),
    );
    metric("confab_search_relay_delivered_total", "counter", "Outbox rows this process applied and removed.", delivered.to_string());
    metric("confab_media_bytes_stored", "gauge", "Bytes of confirmed media stored.", media_bytes.to_string());
    Ok(out)
}
