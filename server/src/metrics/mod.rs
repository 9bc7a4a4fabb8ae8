//! Operational metrics in the Prometheus text format, kept in one registry per app (not per
//! process: servers sharing a process must not mix their counts).
//!
//! Counted as things happen: HTTP requests (`http`), frames written to WebSockets, event bus
//! publish failures, the search relay's batches. Read when scraped: open sockets, database
//! pool use, the search outbox and the media bytes stored.

pub mod http;

use prometheus::core::Collector;
use prometheus::{Gauge, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};

use crate::error::{AppError, AppResult};
use crate::search::RelayStats;
use crate::state::AppState;
use crate::store;
use http::HttpMetrics;

/// Every metric of one app.
pub struct Metrics {
    registry: Registry,
    pub http: HttpMetrics,
    pub search_relay: RelayStats,
    /// Events published to the bus that it refused; the event is lost for real-time
    /// delivery (clients catch up with sync).
    pub bus_publish_failures: IntCounter,
    /// Bus events written to a client's socket.
    pub ws_events_sent: IntCounter,
    /// Answers to a client's own frames (`ack`, `pong`, `error`, `watching`) written to its
    /// socket.
    pub ws_replies_sent: IntCounter,
    pub webhooks: WebhookCounters,
    scraped: Scraped,
}

/// What this app's webhook worker has done.
#[derive(Clone)]
pub struct WebhookCounters {
    /// Attempts that got no 2xx answer (an error status, a timeout, a refused address).
    pub failed_attempts: IntCounter,
    /// Deliveries an endpoint accepted.
    pub delivered: IntCounter,
}

/// Gauges set from their source at each scrape.
struct Scraped {
    ws_sockets_open: IntGauge,
    pool_in_use: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    outbox_depth: IntGauge,
    outbox_oldest_age: Gauge,
    media_bytes: IntGauge,
    webhook_queue_depth: IntGauge,
    webhook_events_pending: IntGauge,
}

/// Adds `metric` to `registry` and returns it. Names are fixed in this module, so a
/// refusal (a duplicate or malformed name) is a programming error.
fn register<C: Collector + Clone + 'static>(registry: &Registry, metric: C) -> C {
    registry.register(Box::new(metric.clone())).expect("metric names are unique and well formed");
    metric
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    register(registry, IntCounter::new(name, help).expect("a valid counter"))
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    register(registry, IntGauge::new(name, help).expect("a valid gauge"))
}

impl Metrics {
    pub fn new() -> Self {
        let r = Registry::new();
        let frames = IntCounterVec::new(
            Opts::new("confab_ws_frames_sent_total", "Frames written to clients' WebSockets: bus events, and replies to their frames."),
            &["kind"],
        )
        .expect("a valid counter");
        let frames = register(&r, frames);
        let scraped = Scraped {
            ws_sockets_open: gauge(&r, "confab_ws_sockets_open", "WebSockets open on this process."),
            pool_in_use: gauge(&r, "confab_db_pool_connections_in_use", "Database connections lent to a query or transaction."),
            pool_idle: gauge(&r, "confab_db_pool_connections_idle", "Open database connections waiting to be lent."),
            pool_max: gauge(&r, "confab_db_pool_connections_max", "The most database connections the pool opens."),
            outbox_depth: gauge(&r, "confab_search_outbox_depth", "Search index changes waiting in the outbox."),
            outbox_oldest_age: register(
                &r,
                Gauge::new("confab_search_outbox_oldest_age_seconds", "Age of the oldest change waiting in the outbox.")
                    .expect("a valid gauge"),
            ),
            media_bytes: gauge(&r, "confab_media_bytes_stored", "Bytes of confirmed media stored."),
            webhook_queue_depth: gauge(&r, "confab_webhook_queue_depth", "Webhook deliveries waiting to be sent or retried."),
            webhook_events_pending: gauge(&r, "confab_webhook_events_pending", "Captured webhook events not yet made into deliveries."),
        };
        Metrics {
            http: HttpMetrics::new(&r),
            search_relay: RelayStats {
                failures: counter(
                    &r,
                    "confab_search_relay_failures_total",
                    "Outbox batches this process failed to apply to the search index.",
                ),
                delivered: counter(&r, "confab_search_relay_delivered_total", "Outbox rows this process applied and removed."),
            },
            bus_publish_failures: counter(&r, "confab_bus_publish_failures_total", "Events the event bus refused to publish."),
            webhooks: WebhookCounters {
                failed_attempts: counter(
                    &r,
                    "confab_webhook_failed_attempts_total",
                    "Webhook attempts of this process that got no 2xx answer.",
                ),
                delivered: counter(&r, "confab_webhook_delivered_total", "Webhook deliveries of this process an endpoint accepted."),
            },
            ws_events_sent: frames.with_label_values(&["event"]),
            ws_replies_sent: frames.with_label_values(&["reply"]),
            scraped,
            registry: r,
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Reads the scraped gauges from their sources, then renders every metric of the app.
pub async fn render(state: &AppState) -> AppResult<String> {
    let (depth, oldest) = store::search_outbox::depth(&state.db).await?;
    let age_seconds = oldest.map_or(0.0, |at| (store::now_ms() - at).max(0) as f64 / 1000.0);
    let media_bytes = store::media::bytes_stored(&state.db).await?;
    let webhook_queue = store::webhook_deliveries::pending_count(&state.db).await?;
    let webhook_events = store::webhook_events::pending_count(&state.db).await?;
    let pool = state.db.pool_use();
    let scraped = &state.metrics.scraped;
    scraped.ws_sockets_open.set(i64::try_from(state.hub.open_sockets()).unwrap_or(i64::MAX));
    scraped.pool_in_use.set(pool.in_use.into());
    scraped.pool_idle.set(pool.idle.into());
    scraped.pool_max.set(pool.max.into());
    scraped.outbox_depth.set(depth);
    scraped.outbox_oldest_age.set(age_seconds);
    scraped.media_bytes.set(media_bytes);
    scraped.webhook_queue_depth.set(webhook_queue);
    scraped.webhook_events_pending.set(webhook_events);
    TextEncoder::new().encode_to_string(&state.metrics.registry.gather()).map_err(|e| AppError::Internal(format!("metrics: {e}")))
}
