//! The delivery worker: every server process runs one. It claims due deliveries with a lease
//! (see `webhook_deliveries::claim`), POSTs each to its endpoint with a short timeout, and
//! records what came back: delivered on a 2xx; otherwise the attempt is counted as failed
//! and the delivery is tried again after an exponential backoff, until its retry window
//! (a day by default) is over and it is marked failed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use url::Host;

use super::{guard, signing};
use crate::domain::webhook::{backoff, kept_response, Delivery, DeliveryStatus, Endpoint, EndpointUrl, MAX_KEPT_RESPONSE};
use crate::state::AppState;
use crate::store::webhook_deliveries::{self, Attempted};
use crate::store::{self, Db, StoreResult};

/// Deliveries in flight at once per process, so one slow receiver never holds up the rest.
const CONCURRENCY: usize = 16;

/// Runs until the database pool closes.
pub async fn run(state: AppState) {
    let holder = ulid::Ulid::new().to_string();
    let idle = Duration::from_millis(state.config.webhook_idle_ms.max(10));
    // The lease outlasts the longest attempt, so a live worker never loses a delivery it sends.
    let lease_ms = i64::try_from(state.config.webhook_timeout_ms.saturating_mul(2)).unwrap_or(i64::MAX).max(10_000);
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let clients = Arc::new(Clients::default());
    while !state.db.pool().is_closed() {
        let first = permits.clone().acquire_owned().await.expect("the semaphore is never closed");
        let room = 1 + permits.available_permits() as i64;
        let claimed = match claim(&state, &holder, room, lease_ms).await {
            Ok(claimed) => claimed,
            Err(error) => {
                if state.db.pool().is_closed() {
                    break;
                }
                tracing::warn!(%error, "could not claim webhook deliveries");
                drop(first);
                state.webhook_dispatch.idle(idle).await;
                continue;
            }
        };
        if claimed.is_empty() {
            drop(first);
            state.webhook_dispatch.idle(idle).await;
            continue;
        }
        let mut first = Some(first);
        for (delivery, endpoint) in claimed {
            let permit = match first.take() {
                Some(permit) => permit,
                None => permits.clone().acquire_owned().await.expect("the semaphore is never closed"),
            };
            let (state, holder, clients) = (state.clone(), holder.clone(), clients.clone());
            tokio::spawn(async move {
                attempt(&state, &clients, &holder, delivery, endpoint).await;
                drop(permit);
            });
        }
    }
}

/// Claims due deliveries, each with its endpoint (`None` when it was removed meanwhile),
/// read once for the whole batch.
async fn claim(state: &AppState, holder: &str, room: i64, lease_ms: i64) -> StoreResult<Vec<(Delivery, Option<Endpoint>)>> {
    let claimed = webhook_deliveries::claim(&state.db, holder, room, lease_ms).await?;
    let mut ids: Vec<String> = claimed.iter().map(|d| d.endpoint_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let endpoints: HashMap<String, Endpoint> =
        store::webhooks::by_ids_any_tenant(&state.db, &ids).await?.into_iter().map(|e| (e.id.clone(), e)).collect();
    Ok(claimed
        .into_iter()
        .map(|d| {
            let endpoint = endpoints.get(&d.endpoint_id).cloned();
            (d, endpoint)
        })
        .collect())
}

/// Sends one attempt of `delivery` and records what it got.
#[tracing::instrument(skip_all, fields(delivery_id = %delivery.id, attempt = delivery.attempts))]
async fn attempt(state: &AppState, clients: &Clients, holder: &str, delivery: Delivery, endpoint: Option<Endpoint>) {
    let retry = Retry::of(state);
    let outcome = match endpoint {
        // Removed meanwhile: its deliveries went with it.
        None => return,
        Some(endpoint) if !endpoint.enabled => retry.failed(&delivery, None, None, "the endpoint is disabled".into(), true),
        Some(endpoint) => send(state, clients, &retry, &endpoint, &delivery).await,
    };
    let counter = match outcome.status {
        DeliveryStatus::Delivered => &state.metrics.webhooks.delivered,
        DeliveryStatus::Pending | DeliveryStatus::Failed => &state.metrics.webhooks.failed_attempts,
    };
    counter.inc();
    finish(&state.db, holder, &delivery, &outcome).await;
}

/// HTTP clients by the addresses they may connect to, so attempts to one receiver reuse its
/// connections; each client is pinned to the addresses the guard checked for its host.
#[derive(Default)]
struct Clients {
    by_target: Mutex<HashMap<Target, reqwest::Client>>,
}

/// A receiver's host name (none for an address) and the addresses checked for it.
type Target = (Option<String>, Vec<SocketAddr>);

/// Clients kept at most; past it the cache starts over.
const MAX_CLIENTS: usize = 256;

impl Clients {
    fn client(&self, state: &AppState, name: Option<&str>, addrs: &[SocketAddr]) -> reqwest::Result<reqwest::Client> {
        let key = (name.map(str::to_owned), addrs.to_vec());
        let mut by_target = self.by_target.lock().expect("webhook clients");
        if let Some(client) = by_target.get(&key) {
            return Ok(client.clone());
        }
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_millis(state.config.webhook_timeout_ms))
            // A redirect could lead anywhere, the private network included.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(name) = name {
            builder = builder.resolve_to_addrs(name, addrs);
        }
        let client = builder.build()?;
        if by_target.len() >= MAX_CLIENTS {
            by_target.clear();
        }
        by_target.insert(key, client.clone());
        Ok(client)
    }
}

async fn finish(db: &Db, holder: &str, delivery: &Delivery, attempted: &Attempted) {
    match webhook_deliveries::record(db, &delivery.id, holder, attempted).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("a webhook delivery's lease ran out while it was sent; its result is dropped"),
        Err(error) => tracing::warn!(%error, "could not record a webhook attempt"),
    }
}

/// When failed attempts are tried again, as configured.
struct Retry {
    base: Duration,
    max: Duration,
}

impl Retry {
    fn of(state: &AppState) -> Self {
        Retry {
            base: Duration::from_millis(state.config.webhook_backoff_base_ms),
            max: Duration::from_millis(state.config.webhook_backoff_max_ms),
        }
    }

    /// A failed attempt: tried again after the backoff while the retry window lasts, unless
    /// it is the `last`.
    fn failed(&self, delivery: &Delivery, status_code: Option<i64>, response: Option<String>, error: String, last: bool) -> Attempted {
        let next = chrono::Utc::now() + backoff(delivery.attempts, self.base, self.max);
        let give_up = last || next > delivery.retry_until;
        Attempted {
            status: if give_up { DeliveryStatus::Failed } else { DeliveryStatus::Pending },
            next_attempt_at: (!give_up).then_some(next),
            status_code,
            response,
            error: Some(error),
        }
    }
}

/// POSTs the delivery's body, signed with the endpoint's current secrets, to the addresses
/// its URL resolves to now.
async fn send(state: &AppState, clients: &Clients, retry: &Retry, endpoint: &Endpoint, delivery: &Delivery) -> Attempted {
    let config = &state.config;
    let allow_private = config.webhook_allow_private;
    let checked = match EndpointUrl::parse(&endpoint.url, allow_private) {
        Ok(url) => guard::resolve(&url, allow_private).await.map(|addrs| (url, addrs)),
        Err(refusal) => Err(refusal),
    };
    let (url, addrs) = match checked {
        Ok(checked) => checked,
        Err(refusal) => return retry.failed(delivery, None, None, refusal.to_string(), false),
    };
    let name = match url.url().host() {
        Some(Host::Domain(name)) => Some(name),
        _ => None,
    };
    let client = match clients.client(state, name, &addrs) {
        Ok(client) => client,
        Err(error) => return retry.failed(delivery, None, None, format!("could not build the HTTP client: {error}"), false),
    };
    let now = chrono::Utc::now();
    let timestamp = now.timestamp();
    let request = client
        .post(url.url().clone())
        .header("content-type", "application/json")
        .header("user-agent", concat!("Confab-Webhooks/", env!("CARGO_PKG_VERSION")))
        .header("Confab-Delivery-Id", &delivery.id)
        .header("Confab-Attempt", delivery.attempts.to_string())
        .header("Confab-Timestamp", timestamp.to_string())
        .header("Confab-Signature", signing::signature_header(&endpoint.signing_secrets(now), timestamp, &delivery.body))
        .body(delivery.body.clone());
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let code = Some(i64::from(status.as_u16()));
            let body = read_start(response).await;
            if status.is_success() {
                Attempted { status: DeliveryStatus::Delivered, next_attempt_at: None, status_code: code, response: Some(body), error: None }
            } else {
                retry.failed(delivery, code, Some(body), format!("the endpoint answered {status}"), false)
            }
        }
        Err(error) if error.is_timeout() => retry.failed(delivery, None, None, "the endpoint did not answer in time".into(), false),
        Err(error) => retry.failed(delivery, None, None, format!("could not reach the endpoint: {}", error.without_url()), false),
    }
}

/// The start of a response body, as text: at most `MAX_KEPT_RESPONSE` bytes are read.
async fn read_start(mut response: reqwest::Response) -> String {
    let mut read = Vec::new();
    while read.len() < MAX_KEPT_RESPONSE {
        match response.chunk().await {
            Ok(Some(chunk)) => read.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept_response(&String::from_utf8_lossy(&read))
}
