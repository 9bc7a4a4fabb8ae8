//! Reads of one busy reader: a user in 2,000 direct conversations with 500 unread messages
//! in each (1,000,000 messages), timed as whole HTTP requests: the unread counts, the first
//! page of 20 conversations, the newest 50 messages of a conversation, and the tenant's
//! admin stats; beside the reference, the same unread counts counted message by message
//! straight on the database.
//!
//! ```sh
//! cargo run --release -p confab-bench --bin reads
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin reads
//! ```
//!
//! `CONFAB_BENCH_CONVERSATIONS` (default 2,000), `CONFAB_BENCH_UNREAD` (default 500) and
//! `CONFAB_BENCH_CALLS` (default 1,000, after 20 untimed) change the sizes. `CONFAB_BENCH_CROWD_CONVERSATIONS`
//! (default 0) adds that many direct conversations among `CONFAB_BENCH_CROWD_USERS` other
//! users (default 48,000), with `CONFAB_BENCH_CROWD_MESSAGES` messages each (default 100),
//! around the reader. The plans of the reads are printed before they are timed. The conversations and messages are
//! seeded with set-based SQL through the server's own pool, so they pass every trigger a
//! send passes; the ids are all digits, which are valid ids.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use confab_bench::bed::{Bed, Served, PASSWORD};
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

/// Direct conversations seeded together: `users` users, and `conversations` conversations
/// with `messages` messages each. Conversation i's first member is user `(i - 1) % users + 1`,
/// who sends all of its messages; its second is the SQL `second` (of `i`). Ids start with
/// the `digits` of the users, conversations and messages; names and keys with `name`.
struct Pairs {
    digits: [char; 3],
    name: &'static str,
    users: i64,
    conversations: i64,
    messages: i64,
    second: String,
}

impl Pairs {
    fn statements(&self, backend: Backend) -> Vec<String> {
        let Pairs { digits: [u, c, m], name, users, conversations, messages, ref second } = *self;
        let (user, conversation) = (id(u, "i", backend), id(c, "i", backend));
        let first = id(u, &format!("((i - 1) % {users} + 1)"), backend);
        vec![
            format!(
                "INSERT INTO users (id, tenant_id, external_id, username, username_key, role, can_send_message,
                    can_receive_message, can_delete_message, can_edit_message, can_archive_conversation, created_at, updated_at)
                 SELECT {user}, $1, '{name}' || i, '{name}' || i, '{name}' || i, 'user', 1, 1, 1, 1, 1, $2, $2 FROM {}",
                series(users, backend)
            ),
            format!(
                "INSERT INTO conversations (id, tenant_id, kind, direct_key, created_at, updated_at)
                 SELECT {conversation}, $1, 'direct', '{name}' || i, $2, $2 + i FROM {}",
                series(conversations, backend)
            ),
            format!(
                "INSERT INTO participants (conversation_id, user_id, tenant_id, joined_at)
                 SELECT {conversation}, {first}, $1, $2 FROM {rows} UNION ALL SELECT {conversation}, {second}, $1, $2 FROM {rows}",
                rows = series(conversations, backend)
            ),
            // Message i is number (i - 1) / conversations + 1 of conversation (i - 1) % conversations + 1.
            format!(
                "INSERT INTO messages (id, tenant_id, conversation_id, seq, sender_id, type, body, created_at)
                 SELECT {message}, $1, {in_conversation}, (i - 1) / {conversations} + 1, {from}, 'text', 'message ' || i, $2 + i
                 FROM {}",
                series(conversations * messages, backend),
                message = id(m, "i", backend),
                in_conversation = id(c, &format!("((i - 1) % {conversations} + 1)"), backend),
                from = id(u, &format!("(((i - 1) % {conversations}) % {users} + 1)"), backend),
            ),
            format!("UPDATE conversations SET last_seq = {messages} WHERE tenant_id = $1 AND direct_key LIKE '{name}%' AND $2 = $2"),
        ]
    }
}

/// `conversations` others, each in a direct conversation with `reader`, each having sent
/// `unread` messages the reader has not read.
async fn seed(db: &Db, tenant_id: &str, reader: &str, conversations: i64, unread: i64) -> anyhow::Result<()> {
    let pairs = Pairs {
        digits: ['2', '1', '3'],
        name: "pair",
        users: conversations,
        conversations,
        messages: unread,
        second: format!("'{reader}'"),
    };
    run(db, tenant_id, chrono::Utc::now().timestamp_millis(), &pairs.statements(db.backend())).await
}

/// The crowd around the reader: `conversations` more direct conversations among `users`
/// other users (conversation i between users i and i + 1, wrapping), each with `messages`
/// messages. Seeded a day earlier than the reader's, so the reader's are the tenant's newest.
async fn seed_crowd(db: &Db, tenant_id: &str, users: i64, conversations: i64, messages: i64) -> anyhow::Result<()> {
    let second = id('4', &format!("(i % {users} + 1)"), db.backend());
    let pairs = Pairs { digits: ['4', '5', '6'], name: "crowd", users, conversations, messages, second };
    run(db, tenant_id, chrono::Utc::now().timestamp_millis() - 86_400_000, &pairs.statements(db.backend())).await
}

/// Runs each of `statements` with `$1` the tenant and `$2` the base time, then refreshes the
/// planner's statistics. On PostgreSQL a VACUUM comes with them: it marks the fresh pages
/// all-visible, which index-only scans need, as autovacuum would soon after a bulk load, and
/// the timed reads then do not share the two cores with autovacuum's first pass; and a
/// checkpoint.
async fn run(db: &Db, tenant_id: &str, now: i64, statements: &[String]) -> anyhow::Result<()> {
    for sql in statements {
        sqlx::query(sql).bind(tenant_id).bind(now).execute(db.pool()).await.with_context(|| sql.clone())?;
    }
    let refresh: &[&str] = match db.backend() {
        // The checkpoint writes out the load's dirty pages now rather than during the timing.
        Backend::Postgres => &["VACUUM ANALYZE", "CHECKPOINT"],
        Backend::Sqlite => &["ANALYZE"],
    };
    for statement in refresh {
        sqlx::query(statement).execute(db.pool()).await?;
    }
    Ok(())
}

/// Leaves out deleted conversations, as `store::listing` writes it.
const LIVE: &str = "NOT EXISTS (SELECT 1 FROM conversations d WHERE d.id = p.conversation_id AND d.deleted_at IS NOT NULL)";

/// The plans of the three reads, as the store writes them (`store::listing`,
/// `store::participants::members_of` and `store::messages::history`), for the reader and
/// its first conversation.
async fn print_plans(db: &Db, tenant_id: &str, reader: &str, conversation: &str) -> anyhow::Result<()> {
    let explain = match db.backend() {
        Backend::Postgres => "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)",
        Backend::Sqlite => "EXPLAIN QUERY PLAN",
    };
    let list = "SELECT c.id, p.unread_count FROM participants p JOIN conversations c ON c.id = p.conversation_id
         WHERE p.tenant_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND p.hidden = 0 AND c.deleted_at IS NULL AND $3 = $3
         ORDER BY p.activity_at DESC, p.conversation_id DESC LIMIT 20";
    let list_total = format!(
        "SELECT COUNT(*) FROM participants p
         WHERE p.tenant_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND p.hidden = 0 AND {LIVE} AND $3 = $3"
    );
    // The page's members, as the listing loads them for the ids of the page.
    let page: Vec<String> = sqlx::query_scalar(
        "SELECT p.conversation_id FROM participants p WHERE p.user_id = $1 ORDER BY p.activity_at DESC, p.conversation_id DESC LIMIT 20",
    )
    .bind(reader)
    .fetch_all(db.pool())
    .await?;
    let ids = page.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(", ");
    let members = format!(
        "SELECT p.conversation_id, p.user_id, p.role, u.username, u.display_name, u.avatar_url, p.last_read_seq, p.joined_at
         FROM participants p JOIN users u ON u.id = p.user_id
         WHERE p.left_at IS NULL AND p.conversation_id IN ({ids}) AND $1 = $1 AND $2 = $2 AND $3 = $3
         ORDER BY p.conversation_id, p.joined_at, p.user_id"
    );
    let unread = format!(
        "SELECT p.conversation_id, p.unread_count FROM participants p
         WHERE p.tenant_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND p.hidden = 0 AND p.unread_count > 0 AND {LIVE}
           AND $3 = $3 ORDER BY p.activity_at DESC, p.conversation_id DESC"
    );
    let newest = "SELECT m.id, m.seq, m.body FROM messages m WHERE m.conversation_id = $3 AND m.seq > 0 AND $1 = $1
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = $2)
         ORDER BY m.seq DESC LIMIT 50";
    // The total is the span of seqs less the reader's hidden messages in it.
    let newest_total = "SELECT c.last_seq, (SELECT COUNT(*) FROM hidden_messages h JOIN messages m ON m.id = h.message_id
                              WHERE h.user_id = $2 AND m.conversation_id = c.id AND m.seq > 0) AS hidden
           FROM conversations c WHERE c.id = $3 AND $1 = $1";
    for (what, sql) in [
        ("first 20 conversations", list),
        ("their total", list_total.as_str()),
        ("their members", members.as_str()),
        ("unread counts", unread.as_str()),
        ("newest 50 messages", newest),
        ("their total", newest_total),
    ] {
        let rows = sqlx::query(&format!("{explain} {sql}")).bind(tenant_id).bind(reader).bind(conversation).fetch_all(db.pool()).await?;
        println!("plan of {what}:");
        for row in rows {
            use sqlx::Row;
            let line: String = match db.backend() {
                Backend::Postgres => row.try_get(0)?,
                Backend::Sqlite => row.try_get("detail")?,
            };
            println!("    {line}");
        }
    }
    Ok(())
}

/// Times the admin stats of the same tenant (the bed's default one, whose administrator
/// logs in), after printing the plan of their kept figures, whose unread total also reads
/// the live members of the tenant's deleted conversations.
async fn admin_stats(http: &reqwest::Client, base: &str, db: &Db, messages: i64, calls: i64) -> anyhow::Result<()> {
    let login: serde_json::Value = http
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"tenant": "default", "email": "admin@localhost", "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["data"]["access_token"].as_str().context("login")?.to_owned();
    let url = format!("{base}/v1/admin/stats");
    let figures: serde_json::Value = http.get(&url).bearer_auth(&token).send().await?.json().await?;
    if figures["data"]["messages_total"].as_i64() != Some(messages) {
        bail!("the stats count {} messages of {messages}", figures["data"]["messages_total"]);
    }
    if db.backend() == Backend::Postgres {
        let tenant_id: String = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'default'").fetch_one(db.pool()).await?;
        let explain = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)";
        let windows = confab_server::domain::stats::Windows::at(chrono::Utc::now());
        use confab_server::store::stats::{statements, Param};
        let kept = (
            "kept figures (conversations by kind, users by status and role, unread total)",
            confab_server::store::counts::tenant_figures_sql(),
            Vec::new(),
        );
        let statements = statements(windows).into_iter().map(|(what, sql, params)| (what, sql.to_owned(), params));
        for (what, sql, params) in std::iter::once(kept).chain(statements) {
            let explained = format!("{explain} {sql}");
            let mut query = sqlx::query_scalar(&explained).bind(&tenant_id);
            for param in params {
                query = match param {
                    Param::Int(n) => query.bind(n),
                    Param::Text(text) => query.bind(text),
                };
            }
            let plan: Vec<String> = query.fetch_all(db.pool()).await?;
            println!("plan of the stats' {what}:");
            for line in plan {
                println!("    {line}");
            }
        }
    }
    report("GET /v1/admin/stats", time_get(http, &url, &token, calls).await?);
    Ok(())
}

/// Untimed calls before the timed ones. A statement's first runs on each pooled connection
/// prepare it and plan it afresh (PostgreSQL settles on a plan after five), and a read that
/// fans out takes several connections at once: without these, the first calls of every
/// read were among its slowest and made up much of the p99 of 200.
const WARM_UP: i64 = 20;

/// Times `calls` GETs of `path` with `token`, after `WARM_UP` untimed ones; each must succeed.
async fn time_get(http: &reqwest::Client, url: &str, token: &str, calls: i64) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::new();
    for call in 0..WARM_UP + calls {
        let started = Instant::now();
        let response = http.get(url).bearer_auth(token).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if call >= WARM_UP {
            times.push(started.elapsed());
        }
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
    let calls = env_number("CONFAB_BENCH_CALLS", 1_000)? as i64;
    if conversations == 0 || unread == 0 || calls == 0 {
        bail!("conversations, unread and calls must be positive");
    }
    let bed = Bed::new().await?;
    let served = Served::start(bed.config()).await?;
    let (api, db) = (served.api.clone(), served.state.db.clone());
    let (reader, token) = api.user("reader").await?;
    let tenant_id: String = sqlx::query_scalar("SELECT tenant_id FROM users WHERE id = $1").bind(&reader).fetch_one(db.pool()).await?;
    let crowd = env_number("CONFAB_BENCH_CROWD_CONVERSATIONS", 0)? as i64;
    let crowd_users = env_number("CONFAB_BENCH_CROWD_USERS", 48_000)? as i64;
    let crowd_messages = env_number("CONFAB_BENCH_CROWD_MESSAGES", 100)? as i64;
    let started = Instant::now();
    if crowd > 0 {
        seed_crowd(&db, &tenant_id, crowd_users.max(2), crowd, crowd_messages).await?;
    }
    seed(&db, &tenant_id, &reader, conversations, unread).await?;
    let messages = conversations * unread;
    println!(
        "{:?}: seeded {} messages ({messages} unread by the reader) in {:.1} s",
        db.backend(),
        messages + crowd * crowd_messages,
        started.elapsed().as_secs_f64()
    );
    let first_conversation = "1".to_owned() + &"0".repeat(24) + "1";
    print_plans(&db, &tenant_id, &reader, &first_conversation).await?;

    let http = reqwest::Client::new();
    let unread_url = format!("{}/v1/chat/conversations/unread", api.base);
    let total: serde_json::Value = http.get(&unread_url).bearer_auth(&token).send().await?.json().await?;
    if total["data"]["total"].as_i64() != Some(messages) {
        bail!("the reader has {} unread of {messages}", total["data"]["total"]);
    }
    report("GET /v1/chat/conversations/unread", time_get(&http, &unread_url, &token, calls).await?);
    let list = format!("{}/v1/chat/conversations?per_page=20", api.base);
    report("GET /v1/chat/conversations?per_page=20", time_get(&http, &list, &token, calls).await?);
    let newest = format!("{}/v1/chat/conversations/{first_conversation}/messages?per_page=50", api.base);
    report("GET /v1/chat/conversations/{id}/messages?per_page=50", time_get(&http, &newest, &token, calls).await?);
    admin_stats(&http, &api.base, &db, messages + crowd * crowd_messages, calls).await?;

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
