//! HTTP request metrics: a count by method, route template and status, and a duration
//! histogram by method and route template. The labels are chosen by the caller from bounded
//! sets (the spec's paths, the router's patterns), never from the raw path.

use std::time::Duration;

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

use super::register;

/// Seconds. From 5 ms (a cached read) to 10 s (past any sane request), dense where
/// the API's requests fall.
const DURATION_BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0];

/// The route label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

pub struct HttpMetrics {
    requests: IntCounterVec,
    duration: HistogramVec,
}

impl HttpMetrics {
    pub(super) fn new(registry: &Registry) -> Self {
        let requests = IntCounterVec::new(
            Opts::new("confab_http_requests_total", "HTTP requests answered, by method, route template and status."),
            &["method", "route", "status"],
        )
        .expect("a valid counter");
        let duration = HistogramVec::new(
            HistogramOpts::new("confab_http_request_duration_seconds", "Time to answer an HTTP request, by method and route template.")
                .buckets(DURATION_BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("a valid histogram");
        HttpMetrics { requests: register(registry, requests), duration: register(registry, duration) }
    }

    /// Counts one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests.with_label_values(&[method, route, status.to_string().as_str()]).inc();
        self.duration.with_label_values(&[method, route]).observe(elapsed.as_secs_f64());
    }
}
