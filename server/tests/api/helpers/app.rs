//! The server under test: started on port 0 against a fresh database (SQLite, or a new
//! PostgreSQL database when the suite runs on PostgreSQL).

use std::sync::Once;

use confab_server::config::Secret;
use confab_server::state::AppState;
use confab_server::{Application, Config};
use sqlx::Connection;

pub const BOOTSTRAP_PASSWORD: &str = "bootstrap-password";
pub const JWT_KEYS: &str = "test1:0123456789abcdef0123456789abcdef0123456789";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The bootstrap secret key of the default tenant.
    pub secret_key: String,
    pub config: Config,
    pub state: AppState,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The database the suite runs on: "sqlite" or "postgres".
pub fn backend() -> &'static str {
    if std::env::var("CONFAB_TEST_DATABASE_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server whose configuration `customize` may change first.
pub async fn spawn_app_with(customize: impl FnOnce(&mut Config)) -> TestApp {
    static LOGS: Once = Once::new();
    LOGS.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            confab_server::telemetry::init("pretty");
        } else {
            // Warnings and errors go to libtest's capture: a failing test prints what its
            // server complained of (a relay retrying, a refused query) beside its panic.
            let filter = tracing_subscriber::EnvFilter::new("warn,sqlx=error");
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        database_url: fresh_database().await.map(Secret::new),
        redis_url: std::env::var("CONFAB_TEST_REDIS_URL").ok().map(Secret::new),
        redis_prefix: format!("test-{}", ulid::Ulid::new()),
        jwt_keys: Some(Secret::new(JWT_KEYS)),
        bootstrap_password: Some(Secret::new(BOOTSTRAP_PASSWORD)),
        ..Config::default()
    };
    with_test_s3(&mut config);
    customize(&mut config);
    serve(config, dir, true).await.0
}

/// Starts the server on `config`; with `expect_bootstrap` the database must be fresh.
async fn serve(config: Config, dir: tempfile::TempDir, expect_bootstrap: bool) -> (TestApp, ()) {
    let mut app = Application::build(config.clone()).await.expect("build app");
    let report = app.take_bootstrap_report();
    assert_eq!(report.is_some(), expect_bootstrap, "bootstrap report");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let test_app = TestApp {
        address,
        client: reqwest::Client::new(),
        secret_key: report.map(|r| r.api_key).unwrap_or_default(),
        config,
        state,
        _dir: dir,
        shutdown: Some(tx),
    };
    (test_app, ())
}

impl TestApp {
    /// Starts a graceful shutdown, as SIGTERM does.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// A second server on the same database and data directory, with `customize` applied
    /// to a copy of this one's configuration.
    pub async fn restart_with(&self, customize: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.config.clone();
        customize(&mut config);
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut app, ()) = serve(config, dir, false).await;
        app.secret_key = self.secret_key.clone();
        app
    }
}

/// The blob store the suite runs on: "s3" or "local".
pub fn blob_store() -> &'static str {
    if std::env::var("CONFAB_TEST_S3_ENDPOINT").is_ok() {
        "s3"
    } else {
        "local"
    }
}

/// When the suite runs against an S3-compatible server (CONFAB_TEST_S3_*), a bucket of
/// this server's own, which it creates at start.
fn with_test_s3(config: &mut Config) {
    let Ok(endpoint) = std::env::var("CONFAB_TEST_S3_ENDPOINT") else { return };
    config.s3_endpoint = Some(endpoint);
    config.s3_bucket = Some(format!("confab-test-{}", ulid::Ulid::new().to_string().to_lowercase()));
    config.s3_region = std::env::var("CONFAB_TEST_S3_REGION").ok();
    config.s3_access_key = std::env::var("CONFAB_TEST_S3_ACCESS_KEY").ok().map(Secret::new);
    config.s3_secret_key = std::env::var("CONFAB_TEST_S3_SECRET_KEY").ok().map(Secret::new);
}

/// A new, empty PostgreSQL database when the suite runs on PostgreSQL.
pub async fn fresh_database() -> Option<String> {
    let admin = std::env::var("CONFAB_TEST_DATABASE_URL").ok()?;
    let name = format!("confab_test_{}", ulid::Ulid::new().to_string().to_lowercase());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    conn.close().await.ok();
    let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}
