//! Liveness and readiness probes, and metrics.

use poem::web::Data;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::error::ApiResult;
use super::ApiTags;
use crate::state::AppState;

#[derive(Default)]
pub struct OpsApi;

/// Liveness.
#[derive(Object)]
pub struct Health {
    /// `ok` while the process serves requests.
    pub status: String,
}

/// Readiness of each dependency.
#[derive(Object)]
pub struct Readiness {
    /// `ready`, `not_ready` or `shutting_down`.
    pub status: String,
    /// The database answers.
    pub database: bool,
    /// The rate-limit store (Redis or in-process) answers.
    pub limiter: bool,
    /// The event bus (Redis or in-process) answers.
    pub bus: bool,
    /// The media store (S3 or the local directory) answers.
    pub blobs: bool,
    /// Which media store: `s3` or `local`.
    pub blob_store: String,
    /// The search index answers. Reported, but not required for readiness: sends never
    /// depend on it, and the index catches up from the outbox when it returns.
    pub search: bool,
    /// Which search index: `database` or `meilisearch`.
    pub search_backend: String,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// Every dependency answers.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// Some dependency does not answer, or the server is shutting down.
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

#[OpenApi(tag = "ApiTags::Operations")]
impl OpsApi {
    /// The process is up.
    #[oai(path = "/healthz", method = "get", operation_id = "ops_healthz")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health { status: "ok".into() })
    }

    /// The database and the other adapters are reachable and the server is not shutting down.
    #[oai(path = "/readyz", method = "get", operation_id = "ops_readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let database = state.db.ping().await;
        let limiter = state.limiter.ping().await;
        let bus = state.bus.ping().await;
        let blobs = state.blobs.ping().await;
        let search = state.search.ping().await;
        let accepting = state.accepting();
        let healthy = database && limiter && bus && blobs;
        let status = match (accepting, healthy) {
            (false, _) => "shutting_down",
            (true, true) => "ready",
            (true, false) => "not_ready",
        };
        let body = Json(Readiness {
            status: status.into(),
            database,
            limiter,
            bus,
            blobs,
            blob_store: state.blobs.kind().into(),
            search,
            search_backend: state.search.kind().into(),
        });
        if accepting && healthy {
            ReadyResponse::Ready(body)
        } else {
            ReadyResponse::NotReady(body)
        }
    }

    /// Metrics in the Prometheus text format, of this process:
    ///
    /// - `confab_http_requests_total` {method, route, status}: requests answered; `route` is
    ///   the spec's path template, or `unmatched` for a path no route takes.
    /// - `confab_http_request_duration_seconds` {method, route}: a histogram of answer times.
    /// - `confab_ws_sockets_open`: WebSockets open.
    /// - `confab_ws_frames_sent_total` {kind: `event` or `reply`}: frames written to sockets.
    /// - `confab_bus_publish_failures_total`: events the event bus refused.
    /// - `confab_db_pool_connections_in_use`, `_idle`, `_max`: the database pool.
    /// - `confab_search_outbox_depth`, `confab_search_outbox_oldest_age_seconds`: the search
    ///   outbox; `confab_search_relay_failures_total`, `confab_search_relay_delivered_total`:
    ///   its relay's batches failed and rows applied.
    /// - `confab_media_bytes_stored`: bytes of confirmed media.
    /// - `confab_webhook_queue_depth`: webhook deliveries waiting to be sent or retried;
    ///   `confab_webhook_delivered_total`, `confab_webhook_failed_attempts_total`: this
    ///   process's deliveries accepted and attempts that got no 2xx answer.
    #[oai(path = "/metrics", method = "get", operation_id = "ops_metrics")]
    async fn metrics(&self, state: Data<&AppState>) -> ApiResult<PlainText<String>> {
        Ok(PlainText(crate::metrics::render(&state).await?))
    }
}
