//! Typed, layered configuration: defaults, then an optional TOML file named by
//! `CONFAB_CONFIG`, then `CONFAB_*` environment variables. Secrets never print.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that must not reach logs: `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    /// Accepts any scalar: environment values such as `12345678` arrive as numbers.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Scalar;
        impl serde::de::Visitor<'_> for Scalar {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
        }
        d.deserialize_any(Scalar)
    }
}

/// Where `scripts/build-admin-ui.sh` writes the console, relative to the repository root
/// (the directory `scripts/run.sh` starts the server in).
pub const DEFAULT_ADMIN_UI_DIR: &str = "target/admin-ui/dist";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Listen address.
    pub addr: String,
    /// Where the SQLite file, generated keys and local media live.
    pub data_dir: PathBuf,
    /// `postgres://...` for PostgreSQL; unset means SQLite in `data_dir`.
    pub database_url: Option<Secret>,
    /// Redis for the event bus and shared rate-limit counters; unset means in-process.
    pub redis_url: Option<Secret>,
    /// Prefix of every Redis key, so deployments can share one Redis.
    pub redis_prefix: String,
    /// Meilisearch for message search, fed through the outbox; unset means the database's
    /// own full-text index.
    pub meili_url: Option<String>,
    pub meili_key: Option<Secret>,
    /// The Meilisearch index holding the messages.
    pub meili_index: String,
    /// How often the search relay looks at an empty outbox, in milliseconds.
    pub search_relay_idle_ms: u64,
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key: Option<Secret>,
    pub s3_secret_key: Option<Secret>,
    /// The S3 endpoint as clients reach it, when it differs from `s3_endpoint` (a
    /// container network): presigned URLs name this one.
    pub s3_public_endpoint: Option<String>,
    /// Where media live when no S3 bucket is configured; default `<data_dir>/media`.
    pub media_dir: Option<PathBuf>,
    /// Seconds an upload URL works (default 15 minutes).
    pub media_upload_ttl_seconds: u64,
    /// Seconds an upload may stay unconfirmed before it is removed.
    pub media_unconfirmed_ttl_seconds: u64,
    /// How often unconfirmed uploads past their time are looked for.
    pub media_sweep_interval_ms: u64,
    /// The URL clients reach this server at.
    pub public_url: Option<String>,
    /// `kid:secret[,kid:secret...]`; the first signs. Unset: generated into `data_dir`.
    pub jwt_keys: Option<Secret>,
    /// Whether `POST /v1/auth/signup` may create tenants.
    pub allow_signup: bool,
    /// The first superadmin's password; generated and printed once when unset.
    pub bootstrap_password: Option<Secret>,
    pub bootstrap_email: String,
    /// `pretty` or `json`.
    pub log_format: String,
    pub access_token_ttl_seconds: i64,
    pub refresh_token_ttl_seconds: i64,
    /// Failed logins allowed per account per window.
    pub login_limit_per_account: u64,
    /// Login attempts allowed per client address per window.
    pub login_limit_per_address: u64,
    pub login_window_seconds: u64,
    /// Signups (new tenants) one client address may make per minute, after a first burst.
    pub signup_per_minute: u32,
    /// Signups one client address may make at once.
    pub signup_burst: u32,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_grace_seconds: u64,
    /// How often the server pings each socket; two silent intervals close it.
    pub ws_ping_interval_ms: u64,
    /// Largest client frame; larger ones close the socket with 1009.
    pub ws_max_frame_bytes: usize,
    /// Events queued per socket before a slow client is disconnected (1013).
    pub ws_queue: usize,
    /// Sockets one user may hold open on one server process.
    pub ws_max_sockets_per_user: usize,
    /// The built admin console served at `/admin/` (`scripts/build-admin-ui.sh` writes it).
    pub admin_ui_dir: PathBuf,
    /// Whether webhook endpoints may point at loopback, private or link-local addresses
    /// (`CONFAB_WEBHOOK_ALLOW_PRIVATE`); off, so tenants cannot reach the operator's network.
    pub webhook_allow_private: bool,
    /// How long one webhook attempt may take, in milliseconds, before it counts as failed.
    pub webhook_timeout_ms: u64,
    /// The pause after a delivery's first failed attempt, in milliseconds; it doubles with
    /// every further failure, up to `webhook_backoff_max_ms`.
    pub webhook_backoff_base_ms: u64,
    pub webhook_backoff_max_ms: u64,
    /// How long a delivery is retried after its event (or its replay), in seconds.
    pub webhook_retry_window_seconds: u64,
    /// How often the webhook worker looks at a queue with nothing due, in milliseconds.
    pub webhook_idle_ms: u64,
    /// Whether this process turns captured webhook events into deliveries and sends them. Off
    /// on processes meant only to answer requests: their changes still capture events, which
    /// wait in the database for a process with workers.
    pub webhook_workers: bool,
    /// On SQLite, the connections that serve reads beside the one writer; 0 has reads share
    /// the writer's connection. PostgreSQL's one pool serves both.
    pub database_readers: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            redis_prefix: "confab".into(),
            meili_url: None,
            meili_key: None,
            meili_index: "confab_messages".into(),
            search_relay_idle_ms: 250,
            s3_endpoint: None,
            s3_bucket: None,
            s3_region: None,
            s3_access_key: None,
            s3_secret_key: None,
            s3_public_endpoint: None,
            media_dir: None,
            media_upload_ttl_seconds: 15 * 60,
            media_unconfirmed_ttl_seconds: 24 * 3600,
            media_sweep_interval_ms: 10 * 60 * 1000,
            public_url: None,
            jwt_keys: None,
            allow_signup: true,
            bootstrap_password: None,
            bootstrap_email: "admin@localhost".into(),
            log_format: "pretty".into(),
            access_token_ttl_seconds: 15 * 60,
            refresh_token_ttl_seconds: 30 * 24 * 3600,
            login_limit_per_account: 5,
            login_limit_per_address: 50,
            login_window_seconds: 15 * 60,
            signup_per_minute: 1,
            signup_burst: 10,
            max_body_bytes: 1024 * 1024,
            shutdown_grace_seconds: 10,
            ws_ping_interval_ms: 25_000,
            ws_max_frame_bytes: 64 * 1024,
            ws_queue: 256,
            ws_max_sockets_per_user: 16,
            admin_ui_dir: PathBuf::from(DEFAULT_ADMIN_UI_DIR),
            webhook_allow_private: false,
            webhook_timeout_ms: 10_000,
            webhook_backoff_base_ms: 30_000,
            webhook_backoff_max_ms: 3_600_000,
            webhook_retry_window_seconds: 24 * 3600,
            webhook_idle_ms: 1_000,
            webhook_workers: true,
            database_readers: crate::store::DEFAULT_SQLITE_READERS,
        }
    }
}

impl Config {
    /// Defaults, then the file named by `CONFAB_CONFIG` (if any), then `CONFAB_*` variables.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Ok(path) = std::env::var("CONFAB_CONFIG") {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment.merge(Env::prefixed("CONFAB_").ignore(&["config"])).extract().map_err(Box::new)
    }

    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("confab.db").display()),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let config = Config { bootstrap_password: Some(Secret::new("hunter22hunter22")), ..Config::default() };
        assert!(!format!("{config:?}").contains("hunter22"));
    }

    #[test]
    // figment's own error type is large; this closure is the shape its test jail asks for.
    #[allow(clippy::result_large_err)]
    fn environment_overrides_file_and_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("confab.toml", "addr = \"0.0.0.0:9000\"\nallow_signup = false\nredis_prefix = \"file\"")?;
            jail.set_env("CONFAB_CONFIG", "confab.toml");
            jail.set_env("CONFAB_REDIS_PREFIX", "env");
            jail.set_env("CONFAB_BOOTSTRAP_PASSWORD", "12345678");
            let config = Config::load().map_err(|e| e.to_string())?;
            assert_eq!(config.addr, "0.0.0.0:9000");
            assert!(!config.allow_signup);
            assert_eq!(config.redis_prefix, "env");
            assert_eq!(config.bootstrap_password.unwrap().expose(), "12345678");
            assert_eq!(config.login_limit_per_account, 5);
            Ok(())
        });
    }
}
