//! Reads of one busy reader: a user in 2,000 direct conversations with 500 unread messages
//! in each (1,000,000 messages), timed as whole HTTP requests: the unread counts, the first
//! page of 20 conversations, and the newest 50 messages of a conversation; beside the
//! reference, the same unread counts counted message by message straight on the database.
//!
//! ```sh
//! cargo run --release -p confab-bench --bin reads
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin reads
//! ```
//!
//! `CONFAB_BENCH_CONVERSATIONS` (default 2,000), `CONFAB_BENCH_UNREAD` (default 500) and
//! `CONFAB_BENCH_CALLS` (default 200) change the sizes. The conversations and messages are
//! seeded with set-based SQL through the server's own pool, so they pass every trigger a
//! send passes; the ids are all digits, which are valid ids.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use confab_bench::bed::{Bed, Served};
use confab_bench::send_load::{env_number, report};
use confab_server::store::{Backend, Db};

/// The seeded conversations' members, messages and conversations get ids `<digit><25 digits>`.
fn id(kind: char, n: &str, backend: Backend) -> String {
    match backend {
        Backend::Postgres => format!("'{kind}' || lpad(CAST({n} AS TEXT), 25, '0')"),
        Backend::Sqlite => format!("'{kind}' || printf('%025d', {n})"),
    }
}

/// `n` rows numbered `i` from 1.
fn series(n: i64, backend: Backend) -> String {
    match backend {
        Backend::Postgres => format!("generate_series(CAST(1 AS BIGINT), {n}) AS s(i)"),
        Backend::Sqlite => format!("(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s"),
    }
}

/// `conversations` others, each in a direct conversation with `reader`, each having sent
/// `unread` messages the reader has not read.
async fn seed(db: &Db, tenant_id: &str, reader: &str, conversations: i64, unread: i64) -> anyhow::Result<()> {
    let backend = db.backend();
    let now = chrono::Utc::now().timestamp_millis();
    let (user, conversation) = (id('2', "i", backend), id('1', "i", backend));
    let statements = [
        format!(
            "INSERT INTO users (id, tenant_id, external_id, username, username_key, role, can_send_message,
                can_receive_message, can_delete_message, can_edit_message, can_archive_conversation, created_at, updated_at)
             SELECT {user}, $1, 'o' || i, 'o' || i, 'o' || i, 'user', 1, 1, 1, 1, 1, $2, $2 FROM {}",
            series(conversations, backend)
        ),
        format!(
            "INSERT INTO conversations (id, tenant_id, kind, direct_key, created_at, updated_at)
             SELECT {conversation}, $1, 'direct', 'pair' || i, $2, $2 + i FROM {}",
            series(conversations, backend)
        ),
        format!(
            "INSERT INTO participants (conversation_id, user_id, tenant_id, joined_at)
             SELECT {conversation}, {user}, $1, $2 FROM {rows}
             UNION ALL SELECT {conversation}, '{reader}', $1, $2 FROM {rows}",
            rows = series(conversations, backend)
        ),
        // Message i is number (i - 1) / conversations + 1 of conversation (i - 1) % conversations + 1.
        format!(
            "INSERT INTO messages (id, tenant_id, conversation_id, seq, sender_id, type, body, created_at)
             SELECT {message}, $1, {in_conversation}, (i - 1) / {conversations} + 1, {from}, 'text', 'message ' || i, $2 + i
             FROM {}",
            series(conversations * unread, backend),
            message = id('3', "i", backend),
            in_conversation = id('1', &format!("((i - 1) % {conversations} + 1)"), backend),
            from = id('2', &format!("((i - 1) % {conversations} + 1)"), backend),
        ),
        format!("UPDATE conversations SET last_seq = {unread} WHERE tenant_id = $1 AND $2 = $2"),
    ];
    for sql in statements {
        sqlx::query(&sql).bind(tenant_id).bind(now).execute(db.pool()).await.with_context(|| sql.clone())?;
    }
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(())
}

/// Times `calls` GETs of `path` with `token`; each must succeed.
async fn time_get(http: &reqwest::Client, url: &str, token: &str, calls: i64) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::new();
    for _ in 0..calls {
        let started = Instant::now();
        let response = http.get(url).bearer_auth(token).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        times.push(started.elapsed());
        if !status.is_success() {
            bail!("{url}: {status} {}", String::from_utf8_lossy(&body));
        }
    }
    Ok(times)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conversations = env_number("CONFAB_BENCH_CONVERSATIONS", 2_000)? as i64;
    let unread = env_number("CONFAB_BENCH_UNREAD", 500)? as i64;
    let calls = env_number("CONFAB_BENCH_CALLS", 200)? as i64;
    if conversations == 0 || unread == 0 || calls == 0 {
        bail!("conversations, unread and calls must be positive");
    }
    let bed = Bed::new().await?;
    let served = Served::start(bed.config()).await?;
    let (api, db) = (served.api.clone(), served.state.db.clone());
    let (reader, token) = api.user("reader").await?;
    let tenant_id: String = sqlx::query_scalar("SELECT tenant_id FROM users WHERE id = $1").bind(&reader).fetch_one(db.pool()).await?;
    let started = Instant::now();
    seed(&db, &tenant_id, &reader, conversations, unread).await?;
    let messages = conversations * unread;
    println!("{:?}: seeded {messages} messages in {:.1} s", db.backend(), started.elapsed().as_secs_f64());

    let http = reqwest::Client::new();
    let unread_url = format!("{}/v1/chat/conversations/unread", api.base);
    let total: serde_json::Value = http.get(&unread_url).bearer_auth(&token).send().await?.json().await?;
    if total["data"]["total"].as_i64() != Some(messages) {
        bail!("the reader has {} unread of {messages}", total["data"]["total"]);
    }
    report("GET /v1/chat/conversations/unread", time_get(&http, &unread_url, &token, calls).await?);
    let list = format!("{}/v1/chat/conversations?per_page=20", api.base);
    report("GET /v1/chat/conversations?per_page=20", time_get(&http, &list, &token, calls).await?);
    let newest = format!("{}/v1/chat/conversations/{}/messages?per_page=50", api.base, "1".to_owned() + &"0".repeat(24) + "1");
    report("GET /v1/chat/conversations/{id}/messages?per_page=50", time_get(&http, &newest, &token, calls).await?);

    // The reference: the same counts, counted message by message (no HTTP).
    let mut times = Vec::new();
    for _ in 0..calls.min(20) {
        let started = Instant::now();
        let counted: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(counted), 0) AS BIGINT) FROM unread_recounts WHERE user_id = $1")
            .bind(&reader)
            .fetch_one(db.pool())
            .await?;
        times.push(started.elapsed());
        if counted != messages {
            bail!("the recount found {counted} unread of {messages}");
        }
    }
    report("naive unread counts: each conversation's unread messages counted", times);
    served.stop().await?;
    bed.finish().await
}
