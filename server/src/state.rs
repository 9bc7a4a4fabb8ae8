//! What every request handler can reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::auth::TokenKeys;
use crate::bus::EventBus;
use crate::config::Config;
use crate::limiter::RateLimiter;
use crate::presence::Presence;
use crate::realtime::Hub;
use crate::search::SearchIndex;
use crate::store::Db;

/// The adapters chosen by configuration.
pub struct Adapters {
    pub limiter: Arc<dyn RateLimiter>,
    pub bus: Arc<dyn EventBus>,
    pub search: Arc<dyn SearchIndex>,
    pub presence: Arc<dyn Presence>,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Arc<TokenKeys>,
    pub limiter: Arc<dyn RateLimiter>,
    pub bus: Arc<dyn EventBus>,
    pub search: Arc<dyn SearchIndex>,
    pub presence: Arc<dyn Presence>,
    /// This process's sockets.
    pub hub: Hub,
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
            presence: adapters.presence,
            hub: Hub::default(),
            accepting: Arc::new(AtomicBool::new(true)),
        }
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
