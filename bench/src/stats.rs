//! Times `GET /v1/admin/stats` on a tenant with a million messages, beside the naive
//! `COUNT(*)` scans the counters replace, on SQLite (default) or PostgreSQL.
//!
//! ```sh
//! cargo run --release -p confab-bench --bin stats
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin stats
//! ```
//!
//! Without a URL the server uses a SQLite file in a temporary directory; with one, a fresh
//! PostgreSQL database beside the one the URL names, dropped at the end.
//! `CONFAB_BENCH_MESSAGES` (default 1,000,000) and `CONFAB_BENCH_CALLS` (default 200)
//! change the sizes. The messages are seeded with set-based SQL through the server's own
//! pool, so they pass the same triggers as sends do.

use std::time::Instant;

use anyhow::{bail, Context};
use confab_bench::bed::{Bed, Served, PASSWORD};
use confab_bench::send_load::report;
use confab_server::store::{Backend, Db};
use serde_json::{json, Value};

/// Conversations the messages are spread over, each between two of as many users.
const CONVERSATIONS: i64 = 1_000;
const DAY_MS: i64 = 86_400_000;

fn env_number(name: &str, default: i64) -> anyhow::Result<i64> {
    match std::env::var(name) {
        Ok(n) => n.parse().with_context(|| name.to_owned()),
        Err(_) => Ok(default),
    }
}

async fn exec(db: &Db, sql: &str, tenant_id: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query(sql).bind(tenant_id).bind(now).execute(db.pool()).await.with_context(|| sql.to_owned())?;
    Ok(())
}

/// `CONVERSATIONS` users, direct conversations between consecutive pairs, and `messages`
/// messages spread evenly over the last 30 days; every member has read all but the last 10
/// messages of their conversation.
async fn seed(db: &Db, tenant_id: &str, messages: i64) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let per = messages / CONVERSATIONS;
    let (series, pad) = match db.backend() {
        Backend::Postgres => ("generate_series(CAST(1 AS BIGINT), {n}) AS s(i)".to_owned(), "lpad(CAST(i AS TEXT), 26, '0')"),
        Backend::Sqlite => (
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s".to_owned(),
            "printf('%026d', i)",
        ),
    };
    let rows = |n: i64| series.replace("{n}", &n.to_string());
    let users = format!(
        "INSERT INTO users (id, tenant_id, external_id, username, username_key, role, can_send_message,
            can_receive_message, can_delete_message, can_edit_message, can_archive_conversation, created_at, updated_at)
         SELECT 'U' || {pad}, $1, 'u' || i, 'u' || i, 'u' || i, 'user', 1, 1, 1, 1, 1, $2, $2 FROM {}",
        rows(CONVERSATIONS + 1)
    );
    exec(db, &users, tenant_id, now).await?;
    let conversations = format!(
        "INSERT INTO conversations (id, tenant_id, kind, direct_key, last_seq, created_at, updated_at)
         SELECT 'C' || {pad}, $1, 'direct', 'pair' || i, {per}, $2, $2 FROM {}",
        rows(CONVERSATIONS)
    );
    exec(db, &conversations, tenant_id, now).await?;
    let participants = format!(
        "INSERT INTO participants (conversation_id, user_id, tenant_id, last_read_seq, joined_at)
         SELECT 'C' || {pad}, 'U' || {pad}, $1, {read}, $2 FROM {rows}
         UNION ALL
         SELECT 'C' || {pad}, 'U' || {next}, $1, {read}, $2 FROM {rows}",
        read = per - 10,
        rows = rows(CONVERSATIONS),
        next = pad.replace("(i", "(i + 1").replace("'%026d', i", "'%026d', i + 1"),
    );
    exec(db, &participants, tenant_id, now).await?;
    // Message i is in conversation i % CONVERSATIONS, by one of its two members, and older
    // the larger i is, back to 30 days ago.
    let conversation = pad.replace("(i", "(i % 1000 + 1").replace("'%026d', i", "'%026d', i % 1000 + 1");
    let sender = pad.replace("(i", "(i % 1000 + 1 + i % 2").replace("'%026d', i", "'%026d', i % 1000 + 1 + i % 2");
    let insert = format!(
        "INSERT INTO messages (id, tenant_id, conversation_id, seq, sender_id, type, body, created_at)
         SELECT 'M' || {pad}, $1, 'C' || {conversation}, {per} - (i - 1) / 1000, 'U' || {sender}, 'text',
                'message number ' || i, $2 - (i - 1) * {step} FROM {}",
        rows(per * CONVERSATIONS),
        step = 30 * DAY_MS / (per * CONVERSATIONS),
    );
    exec(db, &insert, tenant_id, now).await?;
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(())
}

/// The plans of the stats queries that would otherwise grow with the messages (their text
/// as in `server/src/store/stats.rs`), printed so BENCHMARKS.md can quote them.
async fn explain(db: &Db, tenant_id: &str) -> anyhow::Result<()> {
    let prefix = match db.backend() {
        Backend::Postgres => "EXPLAIN",
        Backend::Sqlite => "EXPLAIN QUERY PLAN",
    };
    let figures = confab_server::store::counts::tenant_figures_sql();
    let queries = [
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM message_counts WHERE tenant_id = $1",
        "SELECT hour - hour % 86400000 AS day, CAST(SUM(count) AS BIGINT) AS n FROM message_counts
          WHERE tenant_id = $1 AND hour >= 0 GROUP BY hour - hour % 86400000",
        "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND last_active_at >= 0",
        &figures,
    ];
    for sql in queries {
        let rows = sqlx::query(&format!("{prefix} {sql}")).bind(tenant_id).fetch_all(db.pool()).await?;
        println!("-- {}", sql.split_whitespace().collect::<Vec<_>>().join(" "));
        for row in rows {
            // PostgreSQL answers one text column; SQLite's last column is the detail.
            let last = sqlx::Row::len(&row) - 1;
            let line: String = sqlx::Row::try_get(&row, last)?;
            println!("   {line}");
        }
    }
    Ok(())
}

async fn run(db: Db, base: &str, messages: i64, calls: i64) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"tenant": "default", "email": "admin@localhost", "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["data"]["access_token"].as_str().context("login")?.to_owned();
    let tenant_id: String = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'default'").fetch_one(db.pool()).await?;

    let started = Instant::now();
    seed(&db, &tenant_id, messages).await?;
    println!("{:?}: seeded {messages} messages in {:.1} s", db.backend(), started.elapsed().as_secs_f64());

    let mut times = Vec::new();
    let mut last = Value::Null;
    for _ in 0..calls {
        let started = Instant::now();
        let response = http.get(format!("{base}/v1/admin/stats")).bearer_auth(&token).send().await?;
        let status = response.status();
        last = response.json().await?;
        times.push(started.elapsed());
        if !status.is_success() {
            bail!("stats: {status} {last}");
        }
    }
    if last["data"]["messages_total"].as_i64() != Some(messages) {
        bail!("stats counted {} messages of {messages}", last["data"]["messages_total"]);
    }
    println!("unread_total {}, messages_last_24h {}", last["data"]["unread_total"], last["data"]["messages_last_24h"]);
    report("GET /v1/admin/stats (whole HTTP request)", times);

    // The reference: what the counters replace, straight on the database (no HTTP).
    let since = chrono::Utc::now().timestamp_millis() - 30 * DAY_MS;
    let naive = [
        ("naive messages total: COUNT(*) over messages", "SELECT COUNT(*) FROM messages WHERE tenant_id = $1 AND created_at >= $2 - $2"),
        (
            "naive per-day series: GROUP BY over 30 days of messages",
            "SELECT COUNT(*) FROM (SELECT created_at - created_at % 86400000, COUNT(*) FROM messages
              WHERE tenant_id = $1 AND created_at >= $2 GROUP BY created_at - created_at % 86400000) d",
        ),
        (
            "naive unread total: each member's unread messages counted (the kept counters' recount)",
            "SELECT CAST(COALESCE(SUM(r.counted), 0) AS BIGINT) FROM unread_recounts r
               JOIN participants p ON p.conversation_id = r.conversation_id AND p.user_id = r.user_id
               JOIN conversations c ON c.id = p.conversation_id
              WHERE c.tenant_id = $1 AND c.deleted_at IS NULL AND p.left_at IS NULL AND p.hidden = 0 AND $2 = $2",
        ),
    ];
    explain(&db, &tenant_id).await?;
    for (what, sql) in naive {
        let mut times = Vec::new();
        for _ in 0..calls.min(20) {
            let started = Instant::now();
            sqlx::query_scalar::<_, i64>(sql).bind(&tenant_id).bind(since).fetch_one(db.pool()).await?;
            times.push(started.elapsed());
        }
        report(what, times);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let messages = env_number("CONFAB_BENCH_MESSAGES", 1_000_000)?;
    let calls = env_number("CONFAB_BENCH_CALLS", 200)?;
    if messages % CONVERSATIONS != 0 || messages == 0 {
        bail!("CONFAB_BENCH_MESSAGES must be a positive multiple of {CONVERSATIONS}");
    }
    let bed = Bed::new().await?;
    let served = Served::start(bed.config()).await?;
    let (base, db) = (served.api.base.clone(), served.state.db.clone());
    let outcome = run(db, &base, messages, calls).await;
    served.stop().await?;
    bed.finish().await?;
    outcome
}
