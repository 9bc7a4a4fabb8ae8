//! Message search on a real Meilisearch, fed through the outbox. These run when the test
//! script started one (CONFAB_TEST_MEILI_URL, from MEILI_BIN or `meilisearch` on PATH) and
//! say that they skipped otherwise; on SQLite and on PostgreSQL + Redis alike.

use std::process::Command;
use std::time::{Duration, Instant};

use confab_server::config::{Config, Secret};
use serde_json::{json, Value};

use crate::helpers::{people, s, spawn_app_with, OwnServer, TestApp};

/// A server searching on the suite's Meilisearch, in an index of its own; `None` (and a
/// line saying so) when the suite runs without Meilisearch.
pub async fn meili_app(test: &str) -> Option<TestApp> {
    let Ok(url) = std::env::var("CONFAB_TEST_MEILI_URL") else {
        eprintln!("skipped {test}: no Meilisearch (set MEILI_BIN or put meilisearch on PATH)");
        return None;
    };
    let key = std::env::var("CONFAB_TEST_MEILI_KEY").ok();
    Some(spawn_app_with(|c| on_meili(c, &url, key.as_deref())).await)
}

fn on_meili(config: &mut Config, url: &str, key: Option<&str>) {
    config.meili_url = Some(url.to_owned());
    config.meili_key = key.map(Secret::new);
    config.meili_index = format!("test_{}", ulid::Ulid::new().to_string().to_lowercase());
    config.search_relay_idle_ms = 20;
}

/// The search reply once `done` holds for it, failing after two minutes: on a busy machine a
/// batch may wait behind the other tests' tasks in the shared Meilisearch, and one that
/// times out there (30 s) is sent again after the relay's growing pause.
pub async fn until(app: &TestApp, path: &str, token: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let reply = app.get(path).bearer(token).send().await;
        // A new index can show in Meilisearch before the settings task that creates it has
        // finished; until then its filters are refused and the server answers 503
        // `unavailable`, which a client retries. Anything else must be a 200.
        if reply.status == 503 && reply.body["code"] == "unavailable" && start.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let reply = reply.expect(200, None);
        if done(&reply.body) {
            return reply.body;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "{path} never matched; last reply: {}", reply.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn total(body: &Value) -> i64 {
    body["pagination"]["total"].as_i64().unwrap_or(-1)
}

pub fn search(q: &str) -> String {
    format!("/v1/chat/messages/search?q={q}")
}

#[tokio::test]
async fn meilisearch_shows_each_reader_only_what_they_may_read() {
    let Some(app) = meili_app("meilisearch_shows_each_reader_only_what_they_may_read").await else { return };
    let p = people(&app, &["ann", "bob", "cy"]).await;
    let (_, moderator) = app.user_with_token("mod", "moderator").await;
    let ours = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let theirs = s(&app.direct(&p[1].1, &p[2].0).await["id"]).to_owned();
    app.say(&p[1].1, &ours, "The invoice for March is attached").await;
    let hidden = app.say(&p[0].1, &ours, "paying the invoice today").await;
    app.say(&p[1].1, &theirs, "secret invoice between bob and cy").await;

    let bobs = until(&app, &search("invoice"), &p[1].1, |b| total(b) == 3).await;
    assert_eq!(bobs["data"].as_array().unwrap().len(), 3);
    let anns = until(&app, &search("invoice"), &p[0].1, |b| total(b) == 2).await;
    assert!(anns["data"].as_array().unwrap().iter().all(|m| !s(&m["body"]).contains("secret")), "{anns}");
    let cys = until(&app, &search("invoice"), &p[2].1, |b| total(b) == 1).await;
    assert_eq!(cys["data"][0]["body"], "secret invoice between bob and cy");

    // Deleted for ann only: gone from her results, still in bob's.
    app.delete(&format!("/v1/chat/messages/{}?scope=for_me", s(&hidden["id"]))).bearer(&p[0].1).send().await.expect(204, None);
    until(&app, &search("invoice"), &p[0].1, |b| total(b) == 1).await;
    until(&app, &search("invoice"), &p[1].1, |b| total(b) == 3).await;

    // A moderator's admin search spans the tenant without being a member.
    let all = until(&app, "/v1/admin/messages/search?q=invoice", &moderator, |b| total(b) == 3).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 3);

    // Leaving a group takes its messages out of the leaver's results.
    let group = s(&app.group(&p[0].1, "planning", &[p[2].0.as_str()]).await["id"]).to_owned();
    app.say(&p[0].1, &group, "the lighthouse plan").await;
    until(&app, &search("lighthouse"), &p[2].1, |b| total(b) == 1).await;
    app.delete(&format!("/v1/chat/conversations/{group}/participants/{}", p[2].0)).bearer(&p[2].1).send().await.expect(204, None);
    until(&app, &search("lighthouse"), &p[2].1, |b| total(b) == 0).await;
    until(&app, &search("lighthouse"), &p[0].1, |b| total(b) == 1).await;
}

#[tokio::test]
async fn meilisearch_tolerates_typos_ranks_by_relevance_and_pages() {
    let Some(app) = meili_app("meilisearch_tolerates_typos_ranks_by_relevance_and_pages").await else { return };
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let best = app.say(&p[0].1, &id, "quarterly invoice reminder").await;
    for n in 0..4 {
        app.say(&p[1].1, &id, &format!("note {n} about the reminder")).await;
    }
    // "invoise" and "remindr" are typos of words in the first message only.
    let found = until(&app, &search("invoise%20remindr"), &p[1].1, |b| total(b) >= 1).await;
    assert_eq!(found["data"][0]["id"], best["id"], "the closest match comes first: {found}");

    let first = until(&app, &format!("{}&per_page=2", search("reminder")), &p[1].1, |b| total(b) == 5).await;
    let second = app.get(&format!("{}&per_page=2&page=2", search("reminder"))).bearer(&p[1].1).send().await.expect(200, None);
    let ids = |b: &Value| b["data"].as_array().unwrap().iter().map(|m| s(&m["id"]).to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&first).len(), 2);
    assert_eq!(ids(&second.body).len(), 2);
    assert!(ids(&first).iter().all(|id| !ids(&second.body).contains(id)), "pages do not overlap");
}

#[tokio::test]
async fn edits_and_deletes_reach_meilisearch() {
    let Some(app) = meili_app("edits_and_deletes_reach_meilisearch").await else { return };
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let m = app.say(&p[0].1, &id, "meet at the lighthouse").await;
    let mid = s(&m["id"]);
    until(&app, &search("lighthouse"), &p[1].1, |b| total(b) == 1).await;
    app.patch(&format!("/v1/chat/messages/{mid}"))
        .bearer(&p[0].1)
        .json(json!({"body": "meet at the harbour"}))
        .send()
        .await
        .expect(200, None);
    until(&app, &search("harbour"), &p[1].1, |b| total(b) == 1).await;
    until(&app, &search("lighthouse"), &p[1].1, |b| total(b) == 0).await;
    app.delete(&format!("/v1/chat/messages/{mid}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    until(&app, &search("harbour"), &p[1].1, |b| total(b) == 0).await;
}

#[tokio::test]
async fn readyz_and_metrics_report_the_meilisearch_index_and_its_outbox() {
    let Some(app) = meili_app("readyz_and_metrics_report_the_meilisearch_index_and_its_outbox").await else { return };
    let ready = app.get("/readyz").send().await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.body["search"], true);
    assert_eq!(ready.body["search_backend"], "meilisearch");
    let metrics = app.get("/metrics").send().await;
    assert_eq!(metrics.status, 200);
    for name in ["confab_search_outbox_depth ", "confab_search_outbox_oldest_age_seconds ", "confab_search_relay_failures_total "] {
        assert!(metrics.text.contains(name), "{name} missing from {}", metrics.text);
    }
}

/// A Meilisearch of the test's own, so it can be killed and started again.
struct OwnMeili {
    bin: String,
    server: OwnServer,
    key: String,
}

impl OwnMeili {
    fn new(bin: String) -> Self {
        OwnMeili { bin, server: OwnServer::default(), key: "restart-test-master-key".into() }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    async fn start(&mut self) {
        let mut command = Command::new(&self.bin);
        command.arg("--db-path").arg(self.server.dir.path().join("data")).args([
            "--http-addr",
            &format!("127.0.0.1:{}", self.server.port),
            "--master-key",
            &self.key,
            "--no-analytics",
        ]);
        self.server.spawn(command);
        let client = reqwest::Client::new();
        let start = Instant::now();
        while !client.get(format!("{}/health", self.url())).send().await.map(|r| r.status().is_success()).unwrap_or(false) {
            assert!(start.elapsed() < Duration::from_secs(30), "meilisearch did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn kill(&mut self) {
        self.server.kill();
    }
}

#[tokio::test]
async fn the_index_converges_after_meilisearch_is_killed_mid_load() {
    let Ok(bin) = std::env::var("CONFAB_TEST_MEILI_BIN") else {
        eprintln!("skipped the_index_converges_after_meilisearch_is_killed_mid_load: no Meilisearch binary");
        return;
    };
    let mut meili = OwnMeili::new(bin);
    meili.start().await;
    let (url, key) = (meili.url(), meili.key.clone());
    let app = spawn_app_with(|c| on_meili(c, &url, Some(&key))).await;
    app.lift_message_limits().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();

    let mut acknowledged = Vec::new();
    for n in 0..120 {
        if n == 40 {
            meili.kill();
        }
        let started = Instant::now();
        let m = app.say(&p[n % 2].1, &id, &format!("convergence message number{n}")).await;
        assert!(started.elapsed() < Duration::from_secs(2), "a send waited on the search index");
        acknowledged.push(s(&m["id"]).to_owned());
    }
    let ready = app.get("/readyz").send().await;
    assert_eq!(ready.status, 200, "an unreachable search index does not make the server unready: {}", ready.text);
    assert_eq!(ready.body["search"], false);
    // A search meanwhile says the index is down and when to try again, not a bare 500.
    let down = app.get(&search("convergence")).bearer(&p[0].1).send().await.expect(503, Some("unavailable"));
    assert_eq!(down.headers["retry-after"], "5");

    meili.start().await;
    let first = until(&app, &format!("{}&per_page=100", search("convergence")), &p[0].1, |b| total(b) == 120).await;
    let second = app.get(&format!("{}&per_page=100&page=2", search("convergence"))).bearer(&p[0].1).send().await.expect(200, None);
    // Every acknowledged message is there, not only the count.
    let mut indexed: Vec<String> =
        first["data"].as_array().unwrap().iter().chain(second.data().as_array().unwrap()).map(|m| s(&m["id"]).to_owned()).collect();
    indexed.sort();
    acknowledged.sort();
    assert_eq!(indexed, acknowledged);
    // The relay removes the rows just after the index confirmed them.
    let start = Instant::now();
    let metrics = loop {
        let metrics = app.get("/metrics").send().await.text;
        if metrics.contains("confab_search_outbox_depth 0\n") {
            break metrics;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the outbox never drained: {metrics}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!metrics.contains("confab_search_relay_failures_total 0\n"), "the outage was counted: {metrics}");
}

#[tokio::test]
async fn the_rebuild_command_refills_an_emptied_index() {
    let Some(app) = meili_app("the_rebuild_command_refills_an_emptied_index").await else { return };
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    for n in 0..5 {
        app.say(&p[0].1, &id, &format!("rebuild candidate {n}")).await;
    }
    until(&app, &search("candidate"), &p[1].1, |b| total(b) == 5).await;
    app.state.search.clear().await.expect("clear the index");
    until(&app, &search("candidate"), &p[1].1, |b| total(b) == 0).await;

    let config = &app.config;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confab-server"));
    cmd.arg("rebuild-search-index")
        .env("CONFAB_DATA_DIR", &config.data_dir)
        .env("CONFAB_MEILI_URL", config.meili_url.as_deref().unwrap())
        .env("CONFAB_MEILI_INDEX", &config.meili_index)
        .env("CONFAB_JWT_KEYS", config.jwt_keys.as_ref().unwrap().expose())
        .env_remove("CONFAB_DATABASE_URL");
    if let Some(key) = &config.meili_key {
        cmd.env("CONFAB_MEILI_KEY", key.expose());
    }
    if let Some(db) = &config.database_url {
        cmd.env("CONFAB_DATABASE_URL", db.expose());
    }
    let out = cmd.output().expect("run rebuild-search-index");
    assert!(out.status.success(), "rebuild failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rebuilt"), "{}", String::from_utf8_lossy(&out.stdout));
    until(&app, &search("candidate"), &p[1].1, |b| total(b) == 5).await;
}
