//! Times `POST /v1/chat/broadcast` from a host to 10,000 followers on PostgreSQL.
//!
//! ```sh
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin broadcast
//! ```
//!
//! The URL names any database of a server where the user may create databases (the test
//! instance of `scripts/services.sh` will do); the run creates its own database beside it
//! and drops it at the end. `CONFAB_BENCH_FOLLOWERS` changes the number of followers.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use confab_bench::api::Api;
use confab_bench::fresh_db::FreshDatabase;
use confab_server::config::Secret;
use confab_server::{Application, Config};
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};

/// Signing keys for this throwaway server only.
use confab_bench::send_load::JWT_KEYS;

/// A running server and what the benchmark needs to talk to it.
struct Server {
    api: Api,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(database_url: &str, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let config = Config {
            addr: "127.0.0.1:0".into(),
            data_dir: data_dir.to_path_buf(),
            database_url: Some(Secret::new(database_url)),
            jwt_keys: Some(Secret::new(JWT_KEYS)),
            bootstrap_password: Some(Secret::new(confab_bench::bed::PASSWORD)),
            ..Config::default()
        };
        let mut app = Application::build(config).await?;
        let api_key = app.take_bootstrap_report().context("the benchmark database is not fresh")?.api_key;
        let api = Api::new(app.port(), api_key);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(Server { api, stop, done })
    }

    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.done.await??;
        Ok(())
    }
}

fn text(value: &Value) -> anyhow::Result<String> {
    value.as_str().map(str::to_owned).with_context(|| format!("not a string: {value}"))
}

/// Makes `count` users of `tenant_id` who follow `host_id`, in two statements.
async fn seed_followers(database_url: &str, tenant_id: &str, host_id: &str, count: usize) -> anyhow::Result<()> {
    let ids: Vec<String> = (0..count).map(|_| ulid::Ulid::new().to_string()).collect();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let mut conn = PgConnection::connect(database_url).await?;
    sqlx::query(
        "INSERT INTO users (id, tenant_id, external_id, username, username_key, role, can_send_message,
            can_receive_message, can_delete_message, can_edit_message, can_archive_conversation, created_at, updated_at)
         SELECT id, $2, 'fan-' || id, 'fan-' || id, lower('fan-' || id), 'user', 1, 1, 1, 1, 1, $3, $3
         FROM UNNEST($1::text[]) AS id",
    )
    .bind(&ids)
    .bind(tenant_id)
    .bind(now)
    .execute(&mut conn)
    .await?;
    sqlx::query(
        "INSERT INTO follows (tenant_id, follower_id, followee_id, created_at) SELECT $2, id, $3, $4 FROM UNNEST($1::text[]) AS id",
    )
    .bind(&ids)
    .bind(tenant_id)
    .bind(host_id)
    .bind(now)
    .execute(&mut conn)
    .await?;
    sqlx::query("ANALYZE").execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Times one broadcast; checks it reached every follower.
async fn timed_broadcast(server: &Server, token: &str, followers: usize, body: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let sent = server.api.post("/v1/chat/broadcast", Some(token), json!({"body": body})).await?;
    let elapsed = started.elapsed();
    if sent["recipients"].as_u64() != Some(followers as u64) {
        bail!("the broadcast reached {} of {followers} followers", sent["recipients"]);
    }
    Ok(elapsed)
}

async fn run(server: &Server, database_url: &str, followers: usize) -> anyhow::Result<()> {
    let host = server.api.post("/v1/users", None, json!({"external_id": "bench-host", "role": "host"})).await?;
    let host_id = text(&host["id"])?;
    let token = text(&server.api.post("/v1/users/chat-token", None, json!({"user_id": host_id})).await?["chat_token"])?;
    let me: Value = server.api.http.get(format!("{}/v1/auth/me", server.api.base)).bearer_auth(&token).send().await?.json().await?;
    let tenant_id = text(&me["data"]["tenant"]["id"])?;

    let started = Instant::now();
    seed_followers(database_url, &tenant_id, &host_id, followers).await?;
    println!("seeded {followers} followers in {} ms", started.elapsed().as_millis());

    let first = timed_broadcast(server, &token, followers, "First broadcast: every conversation is new.").await?;
    println!("broadcast to {followers} followers, creating their {followers} conversations: {} ms", first.as_millis());
    for round in 2..=4 {
        let again = timed_broadcast(server, &token, followers, "Another broadcast into the same conversations.").await?;
        println!("broadcast to {followers} followers, reusing their conversations (run {round}): {} ms", again.as_millis());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin_url = confab_bench::fresh_db::admin_url()
        .context("set CONFAB_BENCH_DATABASE_URL to a PostgreSQL URL, e.g. the test instance of scripts/services.sh")?;
    let followers: usize = match std::env::var("CONFAB_BENCH_FOLLOWERS") {
        Ok(n) => n.parse().context("CONFAB_BENCH_FOLLOWERS")?,
        Err(_) => 10_000,
    };
    let database = FreshDatabase::create(&admin_url).await?;
    let data_dir = tempfile::tempdir()?;
    let outcome = match Server::start(&database.url, data_dir.path()).await {
        Ok(server) => {
            let outcome = run(&server, &database.url, followers).await;
            server.stop().await.and(outcome)
        }
        Err(e) => Err(e),
    };
    database.drop_now().await?;
    outcome
}
