//! REST send throughput against what the database alone commits: 64 senders, each on a
//! direct conversation of its own, send one message after another over HTTP for a phase;
//! then, on the same database and the same conversations, the reference runs the send's own
//! statement (`store::messages::send_statement`) with as many clients and no HTTP, auth or
//! events around it. On PostgreSQL the reference is pgbench, `-M prepared`, one client per
//! conversation; on SQLite it is the store's `send` called from as many tasks in this
//! process. Phases alternate for `CONFAB_BENCH_ROUNDS` rounds.
//!
//! ```sh
//! cargo build --release -p confab-bench --bin sends
//! ./target/release/sends                                     # SQLite
//! CONFAB_BENCH_DATABASE_URL=postgres://... ./target/release/sends   # PostgreSQL
//! ```
//!
//! On PostgreSQL it prints the server's durability settings and, per REST phase, the
//! transactions the server's database committed per send: each statement outside a
//! transaction is one, so this counts a send's round trips to the database.
//! `CONFAB_BENCH_PGBENCH` names pgbench (default: `pgbench` on PATH, else PostgreSQL 15's
//! Debian location).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use confab_bench::bed::{Bed, Served};
use confab_bench::send_load::{pairs, phase, timed, Load, Pair, Phase};
use confab_server::domain::conversation::MessageType;
use confab_server::domain::message::Content;
use confab_server::store::{self, Backend, Db};
use sqlx::{Connection, PgConnection};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let load = Load::from_env()?;
    let bed = Bed::new().await?;
    let served = Served::start(bed.config()).await?;
    served.api.lift_write_limits().await?;
    let pairs = pairs(&served.api, load.senders).await?;
    let senders: Vec<(String, String)> = pairs.iter().map(|p| (p.token.clone(), p.conversation.clone())).collect();
    let tenant_id = tenant_of(&served.state.db, &pairs[0].conversation).await?;
    let mut pg = match bed.database_url() {
        Some(url) => {
            let mut conn = PgConnection::connect(url).await?;
            let settings: (String, String, String) = sqlx::query_as(
                "SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes')",
            )
            .fetch_one(&mut conn)
            .await?;
            println!("PostgreSQL: fsync {}, synchronous_commit {}, full_page_writes {}", settings.0, settings.1, settings.2);
            Some((conn, url.to_owned()))
        }
        None => None,
    };
    let work = tempfile::tempdir()?;
    for round in 1..=load.rounds {
        let before = match &mut pg {
            Some((conn, _)) => committed(conn).await?,
            None => 0,
        };
        let rest = phase(&served.api, &senders, load.length).await?;
        let per_send = match &mut pg {
            Some((conn, _)) => format!(", {:.2} statements per send", (committed(conn).await? - before) as f64 / rest.sends as f64),
            None => String::new(),
        };
        print(&format!("round {round}, REST sends"), &rest, &per_send);
        let reference = match &pg {
            Some((_, url)) => pgbench(url, &tenant_id, &pairs, load.length, &work.path().join(format!("round{round}"))).await?,
            None => direct(&served.state.db, &tenant_id, &pairs, load.length).await?,
        };
        let what = if pg.is_some() { "pgbench, the send statement" } else { "the store's send, no HTTP" };
        print(&format!("round {round}, {what} (reference)"), &reference, "");
        println!("round {round}: REST / reference = {:.2}", rest.rate() / reference.rate());
    }
    served.stop().await?;
    bed.finish().await
}

fn print(what: &str, phase: &Phase, extra: &str) {
    println!(
        "{what}: {:.0} sends/s, p50 {:.1} ms, p99 {:.1} ms, {} errors{extra}",
        phase.rate(),
        phase.ms(0.5),
        phase.ms(0.99),
        phase.errors
    );
}

async fn tenant_of(db: &Db, conversation: &str) -> anyhow::Result<String> {
    Ok(sqlx::query_scalar("SELECT tenant_id FROM conversations WHERE id = $1").bind(conversation).fetch_one(db.pool()).await?)
}

/// Transactions committed in this database so far. Statistics reach the view about once a
/// second, so the reading waits that long first.
async fn committed(conn: &mut PgConnection) -> anyhow::Result<i64> {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Ok(sqlx::query_scalar("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetch_one(conn).await?)
}

/// The send statement as a pgbench script: the client's number picks its conversation and
/// sender, the message id and body take a random number, the rest is what a REST send of
/// plain text binds.
fn pgbench_script(tenant_id: &str, pairs: &[Pair]) -> String {
    let pick = |field: fn(&Pair) -> &str| {
        let arms: String = pairs.iter().enumerate().map(|(i, p)| format!(" WHEN {i} THEN '{}'", field(p))).collect();
        format!("(CASE CAST(:client_id AS integer){arms} END)")
    };
    let params = [
        ("$15", "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint)".to_owned()),
        ("$14", "NULL".to_owned()),
        ("$13", "NULL".to_owned()),
        ("$12", "NULL".to_owned()),
        ("$11", "NULL".to_owned()),
        ("$10", "NULL".to_owned()),
        ("$9", "NULL".to_owned()),
        ("$8", "NULL".to_owned()),
        ("$7", "NULL".to_owned()),
        ("$6", "'benchmark message ' || CAST(:n AS text)".to_owned()),
        ("$5", "'text'".to_owned()),
        ("$4", pick(|p| &p.sender_id)),
        ("$3", pick(|p| &p.conversation)),
        ("$2", format!("'{tenant_id}'")),
        ("$1", "('01PGBENCH' || lpad(CAST(:n AS text), 17, '0'))".to_owned()),
    ];
    // Highest first, so `$1` never matches the start of `$15`.
    let statement = params.iter().fold(store::messages::send_statement(Backend::Postgres).to_owned(), |sql, (p, v)| sql.replace(p, v));
    // pgbench reads one statement per line unless it ends with a backslash.
    let statement = statement.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    format!("\\set n random(1, 99999999999999999)\n{statement};\n")
}

fn pgbench_binary() -> PathBuf {
    if let Ok(path) = std::env::var("CONFAB_BENCH_PGBENCH") {
        return path.into();
    }
    let on_path =
        std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).map(|d| d.join("pgbench"));
    on_path.chain([PathBuf::from("/usr/lib/postgresql/15/bin/pgbench")]).find(|p| p.is_file()).unwrap_or_else(|| "pgbench".into())
}

/// pgbench with one client per pair for `length`; its per-transaction log gives the latencies.
async fn pgbench(url: &str, tenant_id: &str, pairs: &[Pair], length: Duration, dir: &Path) -> anyhow::Result<Phase> {
    std::fs::create_dir_all(dir)?;
    let script = dir.join("send.sql");
    std::fs::write(&script, pgbench_script(tenant_id, pairs))?;
    let output = tokio::process::Command::new(pgbench_binary())
        .args(["-n", "-M", "prepared", "-j", "2", "-l", "--log-prefix"])
        .arg(dir.join("log"))
        .args(["-c", &pairs.len().to_string(), "-T", &length.as_secs().to_string(), "-f"])
        .arg(&script)
        .arg(url)
        .output()
        .await
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("pgbench failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    }
    let tps: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = ").and_then(|rest| rest.split_whitespace().next()))
        .context("no tps in pgbench's output")?
        .parse()?;
    let failed = stdout.lines().find_map(|l| l.strip_prefix("number of failed transactions: ")).unwrap_or("0");
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("log")) {
            // client_id transaction_no time script_no time_epoch time_us: `time` in µs.
            for line in std::fs::read_to_string(&path)?.lines() {
                if let Some(us) = line.split_whitespace().nth(2).and_then(|t| t.parse::<u64>().ok()) {
                    latencies.push(Duration::from_micros(us));
                }
            }
        }
    }
    latencies.sort();
    let sends = latencies.len();
    let errors = failed.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    Ok(Phase { sends, errors, latencies, elapsed: Duration::from_secs_f64(sends as f64 / tps) })
}

/// The store's send from one task per pair, with no HTTP, authentication or events.
async fn direct(db: &Db, tenant_id: &str, pairs: &[Pair], length: Duration) -> anyhow::Result<Phase> {
    let workers = pairs.iter().map(|p| (db.clone(), tenant_id.to_owned(), p.conversation.clone(), p.sender_id.clone())).collect();
    timed(workers, length, |worker: Arc<(Db, String, String, String)>, n| async move {
        let (db, tenant, conversation, sender) = &*worker;
        let content = Content { kind: MessageType::Text, body: format!("benchmark message {n}"), ..Content::default() };
        matches!(store::messages::send(db, tenant, conversation, Some(sender), &content).await, Ok(store::messages::Sent::New(_)))
    })
    .await
}
