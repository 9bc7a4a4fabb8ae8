//! What every request handler can reach.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::TokenKeys;
use crate::blob::BlobStore;
use crate::bus::EventBus;
use crate::config::Config;
use crate::domain::TenantSettings;
use crate::error::{AppError, AppResult};
use crate::limiter::buckets::TokenBuckets;
use crate::limiter::RateLimiter;
use crate::metrics::Metrics;
use crate::presence::Presence;
use crate::realtime::Hub;
use crate::search::SearchIndex;
use crate::store;
use crate::store::Db;
use crate::webhooks::Dispatch;

/// How long a process trusts the tenant settings it read.
const SETTINGS_TTL: Duration = Duration::from_secs(5);

/// The adapters chosen by configuration.
pub struct Adapters {
    pub limiter: Arc<dyn RateLimiter>,
    pub buckets: Arc<dyn TokenBuckets>,
    pub bus: Arc<dyn EventBus>,
    pub search: Arc<dyn SearchIndex>,
    pub presence: Arc<dyn Presence>,
    pub blobs: Arc<dyn BlobStore>,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Arc<TokenKeys>,
    pub limiter: Arc<dyn RateLimiter>,
    /// Token buckets of the write rate limits.
    pub buckets: Arc<dyn TokenBuckets>,
    pub bus: Arc<dyn EventBus>,
    pub search: Arc<dyn SearchIndex>,
    /// This app's metrics registry: per app, not per process, so servers sharing a
    /// process (the tests) count apart.
    pub metrics: Arc<Metrics>,
    /// Which tenants have webhook endpoints, and the signal that wakes the worker.
    pub webhook_dispatch: Arc<Dispatch>,
    pub presence: Arc<dyn Presence>,
    /// Where uploaded media live.
    pub blobs: Arc<dyn BlobStore>,
    /// This process's sockets.
    pub hub: Hub,
    /// Recently read tenant settings: every send needs the length limit.
    settings: Arc<Mutex<HashMap<String, (Instant, TenantSettings)>>>,
    /// False once shutdown has begun, so load balancers stop sending traffic.
    accepting: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(config: Config, db: Db, keys: TokenKeys, adapters: Adapters) -> Self {
        AppState {
            config: Arc::new(config),
            db,
            keys: Arc::new(keys),
            limiter: adapters.limiter,
            buckets: adapters.buckets,
            bus: adapters.bus,
            search: adapters.search,
            metrics: Arc::new(Metrics::new()),
            webhook_dispatch: Arc::default(),
            presence: adapters.presence,
            blobs: adapters.blobs,
            hub: Hub::default(),
            settings: Arc::default(),
            accepting: Arc::new(AtomicBool::new(true)),
        }
    }

    /// The tenant's settings, read at most once per `SETTINGS_TTL` per process. A change made
    /// through this process is seen at once; one made through another within the TTL.
    pub async fn tenant_settings(&self, tenant_id: &str) -> AppResult<TenantSettings> {
        if let Some((read_at, settings)) = self.settings.lock().expect("settings cache").get(tenant_id) {
            if read_at.elapsed() < SETTINGS_TTL {
                return Ok(settings.clone());
            }
        }
        let tenant = store::tenants::by_id(&self.db, tenant_id).await?.ok_or(AppError::NotFound("tenant"))?;
        let settings = tenant.settings;
        let mut cache = self.settings.lock().expect("settings cache");
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(tenant_id.to_owned(), (Instant::now(), settings.clone()));
        Ok(settings)
    }

    pub fn forget_tenant_settings(&self, tenant_id: &str) {
        self.settings.lock().expect("settings cache").remove(tenant_id);
    }

    pub fn accepting(&self) -> bool {
        self.accepting.load(Ordering::SeqCst)
    }

    /// Readiness goes false and every socket of this process is told to close (1001).
    pub fn stop_accepting(&self) {
        self.accepting.store(false, Ordering::SeqCst);
        self.hub.close_all(crate::realtime::hub::close::GOING_AWAY);
    }
}
