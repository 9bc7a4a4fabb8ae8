//! SQL storage, one module per aggregate. Queries are written in the dialect SQLite and
//! PostgreSQL share (sqlx `Any` driver, `$n` placeholders) wherever one text serves both;
//! where the engines differ the module picks its statement by `Backend` in one place (the
//! migrations, the pool setup below, the send statement in `messages`, full-text search).
//! Times are stored as epoch milliseconds and flags as 0/1 integers, because those decode
//! portably; rows leave this layer as domain types (see `decode`).

pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod broadcasts;
pub mod conversations;
pub mod counts;
pub mod decode;
pub mod directory;
pub mod hidden;
pub mod listing;
pub mod media;
pub mod messages;
pub mod meta;
pub mod participants;
mod reachability;
pub mod reports;
pub mod search_outbox;
pub mod send_batches;
pub mod sessions;
pub mod shops;
pub mod social;
pub mod sql;
pub mod stats;
pub mod tenants;
pub mod tickets;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_events;
pub mod webhooks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use send_batches::SendBatches;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::{Any, AnyPool, Connection};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the string names the constraint or column.
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    /// The database cannot be reached: the connection was refused or dropped, the server is
    /// shutting down or starting, or no connection came free in time. Retrying later can
    /// succeed, so the service layer answers 503 rather than 500.
    #[error("database unreachable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Maps a unique-constraint violation to `Conflict`, anything else to `Database`.
    pub fn classify(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                let what = db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned());
                return StoreError::Conflict(what);
            }
        }
        StoreError::from(err)
    }
}

impl From<sqlx::Error> for StoreError {
    /// A row the domain cannot read (see `decode`) is corrupt; a database that cannot be
    /// reached is `Unavailable`; anything else is the database's own failure.
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::ColumnDecode { .. } => StoreError::Corrupt(err.to_string()),
            other if reachability::is_unreachable(&other) => StoreError::Unavailable(other),
            other => StoreError::Database(other),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An open transaction.
pub type Tx = sqlx::Transaction<'static, Any>;

/// Commits `tx`.
pub async fn commit(tx: Tx) -> StoreResult<()> {
    Ok(tx.commit().await?)
}

/// Which SQL engine sits behind the pool. Only the store and the search adapter look at it:
/// to pick migrations, to set the pool up, and where one statement cannot serve both
/// engines (the single-statement send, full-text search).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connections of the pool, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    /// Lent to a query or transaction.
    pub in_use: u32,
    /// Open and waiting to be lent.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// The database handle shared by the whole server.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// Connections for reads outside a transaction (see `reads`).
    readers: AnyPool,
    backend: Backend,
    /// PostgreSQL's group commit of sends (see `send_batches`).
    sends: Option<Arc<SendBatches>>,
}

/// Read connections beside SQLite's one writer unless configured otherwise
/// (`CONFAB_DATABASE_READERS`).
pub const DEFAULT_SQLITE_READERS: u32 = 4;

/// What every SQLite reader runs first: it waits out a checkpoint rather than failing, and
/// it cannot write, so nothing can bypass the one ordered writer.
const SQLITE_READER_SETUP: &[&str] = &["PRAGMA busy_timeout = 10000", "PRAGMA query_only = ON"];

impl Db {
    /// Connects to `url` (`sqlite://...` or `postgres://...`), creating a SQLite file if missing,
    /// with the default SQLite readers.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Db::connect_with_readers(url, DEFAULT_SQLITE_READERS).await
    }

    /// Connects to `url` with `sqlite_readers` read connections beside SQLite's one writer
    /// (see `reads`); with none, reads share the writer's connection.
    pub async fn connect_with_readers(url: &str, sqlite_readers: u32) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Corrupt(format!("unsupported database URL scheme in {}", url.split(':').next().unwrap_or_default())));
        };
        let (max_connections, setup): (u32, &'static [&'static str]) = match backend {
            // One writing connection (reads outside transactions have their own, `reads`):
            // SQLite has one writer at a time anyway, and writers that queue
            // on the pool wait their turn in order, where writers on separate connections
            // would poll the file lock with sleeps (latency spikes of tens of milliseconds).
            // `messages::send` counts on it: its insert reads the next seq unlocked.
            Backend::Sqlite => (
                1,
                &[
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA busy_timeout = 10000",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA synchronous = NORMAL",
                    // Checkpoints (and their fsync) run on a connection of their own, below,
                    // so they never stall the connection that serves requests.
                    "PRAGMA wal_autocheckpoint = 0",
                ],
            ),
            Backend::Postgres => (20, &[]),
        };
        if backend == Backend::Sqlite && !Any::database_exists(url).await? {
            Any::create_database(url).await?;
        }
        let options = AnyConnectOptions::from_str(url)?;
        let pool = open_pool(&options, backend, max_connections, setup).await?;
        // An in-memory SQLite database exists only on its one connection.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let readers = match backend {
            Backend::Sqlite if !in_memory && sqlite_readers > 0 => {
                open_pool(&options, backend, sqlite_readers, SQLITE_READER_SETUP).await?
            }
            _ => pool.clone(),
        };
        if backend == Backend::Sqlite {
            spawn_checkpointer(&options, &pool).await?;
        }
        let sends = (backend == Backend::Postgres).then(|| Arc::new(SendBatches::start(pool.clone())));
        if backend == Backend::Postgres {
            counts::spawn_folder(pool.clone());
        }
        Ok(Db { pool, readers, backend, sends })
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// A transaction: an action and its audit entry land together or not at all. On SQLite
    /// the pool has one connection, so nothing else may use the pool until it ends.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin().await?)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Connections for reads outside a transaction, which see every commit made before they
    /// start. On SQLite they are connections of their own beside the one writer (WAL lets
    /// them read while it writes), so a read never queues behind writes; on PostgreSQL they
    /// are the one pool.
    pub fn reads(&self) -> &AnyPool {
        &self.readers
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The group commit sends go through, where there is one.
    fn sends(&self) -> Option<&SendBatches> {
        self.sends.as_deref()
    }

    /// What ends the subquery a queue's claim picks its rows with: on PostgreSQL, rows another
    /// worker is claiming at the same moment are skipped; SQLite has one writer.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// What ends a select whose rows are to be locked in its order: on PostgreSQL the rows
    /// are locked as they are read; SQLite has one writer.
    pub fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// How the pool's connections are used right now.
    pub fn pool_use(&self) -> PoolUse {
        let open = self.pool.size();
        // Read one after the other: a connection may change hands in between.
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX).min(open);
        PoolUse { in_use: open - idle, idle, max: self.pool.options().get_max_connections() }
    }

    /// True when a trivial query succeeds (readiness probe).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.readers.close().await;
        self.pool.close().await;
    }
}

/// How long a query waits for a connection. sqlx keeps retrying a refused connection until
/// then, so it is also how long a request takes to fail while PostgreSQL is down: long enough
/// to ride out a fast restart or a burst that fills the pool, short enough that the client
/// hears 503 `unavailable` within seconds and retries, instead of hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A pool of at most `max_connections` to `options`, each set up with `setup` first.
async fn open_pool(
    options: &AnyConnectOptions,
    backend: Backend,
    max_connections: u32,
    setup: &'static [&'static str],
) -> StoreResult<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(max_connections)
        // sqlx's own test pings every connection on every acquire: a round trip before
        // each statement. A connection used moments ago is alive; one that sat idle may
        // have been closed by a database restart, so only that one is pinged (a dead one is
        // dropped, and the acquire takes another). A SQLite connection is a file handle
        // that cannot drop like a network link, so it is never pinged.
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if backend == Backend::Postgres && meta.idle_for >= PING_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                for statement in setup {
                    sqlx::query(statement).execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await?)
}

/// How long a PostgreSQL connection may sit idle in the pool before it is pinged on acquire.
const PING_IDLE_AFTER: Duration = Duration::from_secs(1);

/// How often the SQLite write-ahead log is copied into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Keeps the SQLite write-ahead log short without stalling sends. Each round runs two
/// passive checkpoints (they never wait for the writer):
/// - the first on a connection of its own copies the log into the database file and syncs
///   it, the slow part, while sends go on;
/// - the second on the pool's one connection copies only what was written meanwhile (a few
///   milliseconds), and leaves the log fully copied as seen by the writer, so its next
///   transaction starts the log over. Without it a steady stream of sends always lands
///   during the checkpoint, the log is never rewound, and it grows by tens of megabytes a
///   second while every page lookup in it gets slower.
///
/// It stops when the pool closes.
async fn spawn_checkpointer(options: &AnyConnectOptions, pool: &AnyPool) -> StoreResult<()> {
    use sqlx::ConnectOptions;
    const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";
    let mut conn = options.connect().await?;
    sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut conn).await?;
    let pool = pool.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            tick.tick().await;
            let copied = match sqlx::query(CHECKPOINT).execute(&mut conn).await {
                Ok(_) => sqlx::query(CHECKPOINT).execute(&pool).await.map(drop),
                Err(error) => Err(error),
            };
            if let Err(error) = copied {
                if !pool.is_closed() {
                    tracing::warn!(%error, "SQLite checkpoint failed");
                }
            }
        }
    });
    Ok(())
}

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A fresh ULID as text, the form of every id.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}
