//! Where a single-server benchmark runs: a fresh PostgreSQL database when
//! `CONFAB_BENCH_DATABASE_URL` names a server (else a SQLite file), a data directory of its
//! own, and a server configuration that points at both.

use std::sync::Arc;

use anyhow::Context;
use confab_server::config::Secret;
use confab_server::state::AppState;
use confab_server::{Application, Config};

use crate::api::Api;
use crate::fresh_db::{admin_url, FreshDatabase};
use crate::send_load::JWT_KEYS;

/// The bootstrap superadmin's password on every benchmark server.
pub const PASSWORD: &str = "benchmark-password";

/// The database and data directory of one run; `finish` drops the database.
pub struct Bed {
    database: Option<FreshDatabase>,
    data_dir: tempfile::TempDir,
}

impl Bed {
    pub async fn new() -> anyhow::Result<Self> {
        let database = match admin_url() {
            Some(url) => Some(FreshDatabase::create(&url).await?),
            None => None,
        };
        Ok(Bed { database, data_dir: tempfile::tempdir()? })
    }

    /// A server on a free port of loopback, on this bed, its superadmin signing in with
    /// `PASSWORD`.
    pub fn config(&self) -> Config {
        Config {
            addr: "127.0.0.1:0".into(),
            data_dir: self.data_dir.path().to_path_buf(),
            database_url: self.database.as_ref().map(|d| Secret::new(&d.url)),
            jwt_keys: Some(Secret::new(JWT_KEYS)),
            bootstrap_password: Some(Secret::new(PASSWORD)),
            ..Config::default()
        }
    }

    /// The URL of the fresh PostgreSQL database, when the bed has one.
    pub fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.url.as_str())
    }

    pub async fn finish(self) -> anyhow::Result<()> {
        if let Some(database) = self.database {
            database.drop_now().await?;
        }
        Ok(())
    }
}

/// A server of the benchmark, running in this process.
pub struct Served {
    pub api: Arc<Api>,
    pub state: AppState,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// Builds and starts a server on a fresh database, keeping its bootstrap secret key.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let mut app = Application::build(config).await?;
        let api_key = app.take_bootstrap_report().context("the benchmark database is not fresh")?.api_key;
        let api = Arc::new(Api::new(app.port(), api_key));
        let state = app.state().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(Served { api, state, stop, server })
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await??;
        Ok(())
    }
}
