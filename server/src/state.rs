//! What every request handler can reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::auth::TokenKeys;
use crate::bus::EventBus;
use crate::config::Config;
use crate::limiter::RateLimiter;
use crate::search::SearchIndex;
use crate::store::Db;

/// The adapters chosen by configuration.
pub struct Adapters {
    pub limiter: Arc<dyn RateLimiter>,
    pub bus: Arc<dyn EventBus>,
    pub search: Arc<dyn SearchIndex>,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Arc<TokenKeys>,
    pub limiter: Arc<dyn RateLimiter>,
    pub bus: Arc<dyn EventBus>,
    pub search: Arc<dyn SearchIndex>,
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
            bus: adapters.bus,
            search: adapters.search,
            accepting: Arc::new(AtomicBool::new(true)),
        }
    }

    pub fn accepting(&self) -> bool {
        self.accepting.load(Ordering::SeqCst)
    }

    pub fn stop_accepting(&self) {
        self.accepting.store(false, Ordering::SeqCst);
    }
}
