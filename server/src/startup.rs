//! Builds the application the same way for `main`, the tests and the benchmarks: state,
//! migrations, first-start bootstrap, listener on the configured address (port 0 allowed).

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::Server;

use crate::auth::TokenKeys;
use crate::bootstrap::{self, BootstrapReport};
use crate::bus::{LocalBus, RedisBus};
use crate::config::Config;
use crate::limiter::buckets::{MemoryBuckets, RedisBuckets};
use crate::limiter::{MemoryLimiter, RedisLimiter};
use crate::listener::NoDelayAcceptor;
use crate::presence::{MemoryPresence, RedisPresence};
use crate::search::{DatabaseSearch, MeiliSearch, SearchIndex};
use crate::state::{Adapters, AppState};
use crate::store::Db;

/// Events a process may fall behind by before its sockets miss some (they then resync).
const BUS_CAPACITY: usize = 16_384;

pub struct Application {
    acceptor: NoDelayAcceptor,
    port: u16,
    address: std::net::SocketAddr,
    state: AppState,
    bootstrap: Option<BootstrapReport>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let state = build_state(config).await?;
        let bootstrap = bootstrap::run(&state).await.context("bootstrapping the first tenant")?;
        let acceptor = NoDelayAcceptor(
            TcpListener::bind(state.config.addr.clone()).into_acceptor().await.with_context(|| format!("binding {}", state.config.addr))?,
        );
        let address = acceptor.local_addr().first().and_then(|a| a.as_socket_addr().copied()).context("listener has no socket address")?;
        Ok(Application { acceptor, port: address.port(), address, state, bootstrap })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What the first start created, once; `None` on every later start.
    pub fn take_bootstrap_report(&mut self) -> Option<BootstrapReport> {
        self.bootstrap.take()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests
    /// finish within the grace period, and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let state = self.state.clone();
        let signal = {
            let state = state.clone();
            async move {
                shutdown.await;
                tracing::info!("shutting down");
                state.stop_accepting();
            }
        };
        let grace = Duration::from_secs(state.config.shutdown_grace_seconds);
        // An unspecified address (listening everywhere) is reached on this machine as localhost.
        let host = if self.address.ip().is_unspecified() { "localhost".to_owned() } else { self.address.ip().to_string() };
        let listen_url = match self.address {
            std::net::SocketAddr::V6(_) if host != "localhost" => format!("http://[{host}]:{}", self.port),
            _ => format!("http://{host}:{}", self.port),
        };
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(crate::api::routes(state.clone(), &listen_url), signal, Some(grace))
            .await;
        state.db.close().await;
        result
    }
}

/// Connects every adapter the configuration names and runs the migrations.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = connect_database(&config).await?;
    let keys = match &config.jwt_keys {
        Some(spec) => TokenKeys::parse(spec.expose()).map_err(anyhow::Error::msg).context("CONFAB_JWT_KEYS")?,
        None => load_or_create_keys(config.data_dir())?,
    };
    let blobs = crate::blob::connect(&config, &keys).await?;
    let search = connect_search(&config, &db)?;
    // Only an index fed by the outbox needs its rows; with the database's own, sends write none.
    crate::store::search_outbox::set_enabled(&db, search.fed_by_outbox()).await.context("switching the search outbox")?;
    let adapters = match &config.redis_url {
        Some(url) => {
            // One multiplexed connection serves the limiter, the presence counts and
            // publishing; only the bus's subscription needs a connection of its own.
            let prefix = config.redis_prefix.as_str();
            let client = redis::Client::open(url.expose()).context("CONFAB_REDIS_URL")?;
            // Bounded, so that while Redis is gone every command fails at once, or within a
            // second when it does not even refuse, and the callers go on without it; the
            // next command connects again.
            let bounded = redis::aio::ConnectionManagerConfig::new()
                .set_connection_timeout(Duration::from_secs(1))
                .set_response_timeout(Duration::from_secs(1))
                .set_number_of_retries(0);
            let conn = redis::aio::ConnectionManager::new_with_config(client.clone(), bounded).await.context("connecting to Redis")?;
            Adapters {
                limiter: Arc::new(RedisLimiter::new(conn.clone(), prefix)),
                buckets: Arc::new(RedisBuckets::new(conn.clone(), prefix)),
                bus: Arc::new(RedisBus::connect(client, conn.clone(), prefix, BUS_CAPACITY).await.context("subscribing to Redis")?),
                search,
                presence: Arc::new(RedisPresence::new(conn, prefix)),
                blobs,
            }
        }
        None => Adapters {
            limiter: Arc::new(MemoryLimiter::default()),
            buckets: Arc::new(MemoryBuckets::default()),
            bus: Arc::new(LocalBus::new(BUS_CAPACITY)),
            search,
            presence: Arc::new(MemoryPresence::default()),
            blobs,
        },
    };
    let state = AppState::new(config, db, keys, adapters);
    tokio::spawn(state.hub.clone().run(state.bus.subscribe()));
    tokio::spawn(crate::media::sweep::run(state.clone()));
    let idle = Duration::from_millis(state.config.search_relay_idle_ms.max(10));
    tokio::spawn(crate::search::relay::run(state.db.clone(), state.search.clone(), state.metrics.search_relay.clone(), idle));
    if state.config.webhook_workers {
        tokio::spawn(crate::webhooks::fan_out::run(state.clone()));
        tokio::spawn(crate::webhooks::worker::run(state.clone()));
    }
    Ok(state)
}

/// Meilisearch when `CONFAB_MEILI_URL` is set, else the database's own full-text index. No
/// request is made here: a Meilisearch that is down must not keep the server from starting.
pub fn connect_search(config: &Config, db: &Db) -> anyhow::Result<Arc<dyn SearchIndex>> {
    Ok(match &config.meili_url {
        Some(url) => {
            Arc::new(MeiliSearch::new(url, config.meili_key.as_ref().map(|k| k.expose()), &config.meili_index).context("CONFAB_MEILI_URL")?)
        }
        None => Arc::new(DatabaseSearch::new(db.clone())),
    })
}

/// Opens the configured database (creating the data directory for SQLite) and migrates it.
pub async fn connect_database(config: &Config) -> anyhow::Result<Db> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(config.data_dir()).with_context(|| format!("creating data directory {}", config.data_dir().display()))?;
    }
    let db = Db::connect_with_readers(&config.database_url(), config.database_readers).await.context("connecting to the database")?;
    db.migrate().await.context("running migrations")?;
    Ok(db)
}

/// Signing keys kept in the data directory when none are configured. Several server
/// processes must share `CONFAB_JWT_KEYS` instead.
fn load_or_create_keys(dir: &Path) -> anyhow::Result<TokenKeys> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("jwt_keys");
    let spec = match std::fs::read_to_string(&path) {
        Ok(spec) => spec,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let spec = TokenKeys::generate_spec();
            write_private(&path, &spec)?;
            spec
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    TokenKeys::parse(spec.trim()).map_err(anyhow::Error::msg).context("jwt_keys file")
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}
