//! The `confab-server` processes under test: one on the embedded default (SQLite file,
//! in-process bus), or several sharing one PostgreSQL database and one Redis, as a node
//! that runs a process per share of its sockets would.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use confab_bench::fresh_db::FreshDatabase;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Signing keys shared by this run's processes only.
const JWT_KEYS: &str = "bench:benchmark-signing-key-not-used-anywhere-else";

/// Where the processes keep their data.
pub enum Backing {
    /// A SQLite file in the process's data directory (one process only).
    Embedded,
    /// A fresh PostgreSQL database and a Redis server shared by every process.
    Shared { database: FreshDatabase, redis_url: String },
}

pub struct Servers {
    children: Vec<Child>,
    /// The port of each process, in start order.
    pub ports: Vec<u16>,
    /// The secret key the first start made.
    pub api_key: String,
    backing: Backing,
    /// The processes' data directories, removed when the run ends.
    data: tempfile::TempDir,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn command(bin: &str, data: &Path, port: u16, backing: &Backing, run_id: &str, sockets_per_user: usize) -> Command {
    let mut command = Command::new(bin);
    command
        .arg("serve")
        .env("CONFAB_ADDR", format!("127.0.0.1:{port}"))
        .env("CONFAB_DATA_DIR", data)
        .env("CONFAB_JWT_KEYS", JWT_KEYS)
        .env("CONFAB_BOOTSTRAP_PASSWORD", "bench-password")
        .env("CONFAB_WS_MAX_SOCKETS_PER_USER", sockets_per_user.to_string())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Backing::Shared { database, redis_url } = backing {
        command
            .env("CONFAB_DATABASE_URL", &database.url)
            .env("CONFAB_REDIS_URL", redis_url)
            .env("CONFAB_REDIS_PREFIX", format!("bench-{run_id}"));
    }
    command
}

async fn wait_ready(port: u16) -> Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(reply) = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await {
            if reply.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server on port {port} did not become ready")
}

impl Servers {
    /// Starts `count` processes; the first one bootstraps the database and prints the key.
    pub async fn start(bin: &str, count: usize, backing: Backing, sockets_per_user: usize) -> Result<Self> {
        if count > 1 && matches!(backing, Backing::Embedded) {
            bail!("several processes need a shared database and Redis: set CONFAB_BENCH_DATABASE_URL and CONFAB_BENCH_REDIS_URL");
        }
        let data = tempfile::tempdir()?;
        let run_id = ulid::Ulid::new().to_string();
        let mut servers = Servers { children: Vec::new(), ports: Vec::new(), api_key: String::new(), backing, data };
        for i in 0..count {
            let port = free_port()?;
            let dir = servers.data.path().join(i.to_string());
            let mut command = command(bin, &dir, port, &servers.backing, &run_id, sockets_per_user);
            command.stdout(if i == 0 { Stdio::piped() } else { Stdio::null() });
            let mut child = command.spawn().with_context(|| format!("starting {bin}"))?;
            if i == 0 {
                let mut lines = BufReader::new(child.stdout.take().context("server stdout")?).lines();
                while let Some(line) = lines.next_line().await? {
                    if let Some(key) = line.split("secret key:").nth(1) {
                        servers.api_key = key.trim().to_owned();
                        break;
                    }
                }
                if servers.api_key.is_empty() {
                    bail!("the server printed no bootstrap key");
                }
            }
            wait_ready(port).await?;
            servers.children.push(child);
            servers.ports.push(port);
        }
        Ok(servers)
    }

    /// The resident memory of all processes together, in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        let mut total = 0;
        for child in &self.children {
            let pid = child.id().context("a server process has exited")?;
            let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
            let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
            total += line.split_whitespace().nth(1).context("VmRSS value")?.parse::<u64>()?;
        }
        Ok(total)
    }

    pub async fn stop(mut self) -> Result<()> {
        for child in &mut self.children {
            let _ = child.kill().await;
        }
        if let Backing::Shared { database, .. } = self.backing {
            database.drop_now().await?;
        }
        Ok(())
    }
}
