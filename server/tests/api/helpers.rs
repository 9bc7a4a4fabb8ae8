//! `spawn_app()` and request helpers shared by every test.

use std::sync::Once;

use confab_server::config::Secret;
use confab_server::state::AppState;
use confab_server::{Application, Config};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
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

/// One request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// `data` of a success envelope.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// Asserts the status and, for errors, the envelope and its code.
    pub fn expect(self, status: u16, code: Option<&str>) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        if let Some(code) = code {
            assert_eq!(self.body["success"], json!(false), "error envelope: {}", self.text);
            assert_eq!(self.body["code"], json!(code), "error code: {}", self.text);
            assert!(self.body["message"].is_string(), "error message: {}", self.text);
        } else if status != 204 {
            assert_eq!(self.body["success"], json!(true), "success envelope: {}", self.text);
        }
        self
    }
}

impl Call<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn key(mut self, key: &str) -> Self {
        self.builder = self.builder.header("x-api-key", key);
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.builder = self.builder.json(&body);
        self
    }

    /// A raw body sent as JSON, for malformed input.
    pub fn raw(mut self, body: impl Into<String>) -> Self {
        self.builder = self.builder.header("content-type", "application/json").body(body.into());
        self
    }

    pub async fn send(self) -> Reply {
        let _ = self.app;
        let response = self.builder.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }
}

impl TestApp {
    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call { app: self, builder: self.client.request(method, format!("{}{path}", self.address)) }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }

    /// Creates (or updates) a user with the bootstrap secret key; returns the user object.
    pub async fn create_user(&self, external_id: &str, role: &str) -> Value {
        self.create_user_with(&self.secret_key, json!({"external_id": external_id, "role": role})).await
    }

    pub async fn create_user_with(&self, key: &str, body: Value) -> Value {
        let reply = self.post("/v1/users").key(key).json(body).send().await;
        assert!(reply.status.is_success(), "create user: {}", reply.text);
        reply.data().clone()
    }

    /// A chat token for a user, minted with the bootstrap secret key.
    pub async fn chat_token(&self, user_id: &str) -> String {
        let reply =
            self.post("/v1/users/chat-token").key(&self.secret_key).json(json!({"user_id": user_id})).send().await.expect(201, None);
        reply.data()["chat_token"].as_str().unwrap().to_owned()
    }

    /// A user of `role` and a chat token for them.
    pub async fn user_with_token(&self, external_id: &str, role: &str) -> (Value, String) {
        let user = self.create_user(external_id, role).await;
        let token = self.chat_token(user["id"].as_str().unwrap()).await;
        (user, token)
    }

    /// Signs the bootstrap superadmin in; returns the tokens object.
    pub async fn login_admin(&self) -> Value {
        self.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(200, None).data().clone()
    }

    pub async fn login(&self, tenant: &str, email: &str, password: &str) -> Reply {
        self.post("/v1/auth/login").json(json!({"tenant": tenant, "email": email, "password": password})).send().await
    }

    /// Signs up a new tenant; returns the tokens object.
    pub async fn signup(&self, slug: &str, email: &str) -> Value {
        self.post("/v1/auth/signup")
            .json(json!({"tenant_name": format!("Tenant {slug}"), "tenant_slug": slug, "email": email, "password": "password-123"}))
            .send()
            .await
            .expect(201, None)
            .data()
            .clone()
    }

    /// A secret key of the tenant that `admin_token` administers.
    pub async fn secret_key_for(&self, admin_token: &str) -> String {
        self.post("/v1/api-keys").bearer(admin_token).json(json!({"name": "tests", "kind": "secret"})).send().await.expect(201, None).data()
            ["key"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

impl TestApp {
    /// Opens (or gets) the direct conversation of `token`'s user with `other_id`.
    pub async fn direct(&self, token: &str, other_id: &str) -> Value {
        let reply = self.post("/v1/chat/conversations").bearer(token).json(json!({"user_id": other_id})).send().await;
        assert!(reply.status.is_success(), "open direct: {}", reply.text);
        reply.data().clone()
    }

    /// Creates a group owned by `token`'s user.
    pub async fn group(&self, token: &str, name: &str, members: &[&str]) -> Value {
        self.post("/v1/chat/conversations")
            .bearer(token)
            .json(json!({"kind": "group", "name": name, "participant_ids": members}))
            .send()
            .await
            .expect(201, None)
            .data()
            .clone()
    }

    /// Sends a text message; returns the message.
    pub async fn say(&self, token: &str, conversation_id: &str, body: &str) -> Value {
        self.post(&format!("/v1/chat/conversations/{conversation_id}/messages"))
            .bearer(token)
            .json(json!({"body": body}))
            .send()
            .await
            .expect(201, None)
            .data()
            .clone()
    }

    /// The unread count of one conversation as `token`'s user sees it.
    pub async fn unread_of(&self, token: &str, conversation_id: &str) -> i64 {
        let reply = self.get(&format!("/v1/chat/conversations/{conversation_id}")).bearer(token).send().await.expect(200, None);
        reply.data()["unread_count"].as_i64().unwrap()
    }
}

impl TestApp {
    /// The tenant a user belongs to.
    pub async fn tenant_of(&self, user_id: &str) -> String {
        sqlx::query_scalar("SELECT tenant_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(self.state.db.pool())
            .await
            .expect("user exists")
    }
}

/// Users with chat tokens: `(id, token)` for each external id, all of role `user`.
pub async fn people(app: &TestApp, names: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in names {
        let (user, token) = app.user_with_token(name, "user").await;
        out.push((s(&user["id"]).to_owned(), token));
    }
    out
}

/// A real WebSocket client.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl TestApp {
    /// Opens `/v1/chat/ws?token=...`; panics unless the upgrade succeeds.
    pub async fn ws(&self, token: &str) -> Ws {
        let url = format!("{}/v1/chat/ws?token={token}", self.address.replace("http://", "ws://"));
        let (stream, _) = tokio_tungstenite::connect_async(url).await.expect("websocket upgrade");
        Ws { stream }
    }

    /// The HTTP status of a refused upgrade.
    pub async fn ws_refused(&self, token: &str) -> u16 {
        let url = format!("{}/v1/chat/ws?token={token}", self.address.replace("http://", "ws://"));
        match tokio_tungstenite::connect_async(url).await {
            Ok(_) => panic!("the upgrade was accepted"),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        use futures::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::text(frame.to_string())).await.expect("send frame");
    }

    pub async fn send_raw(&mut self, text: String) {
        use futures::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::text(text)).await.expect("send frame");
    }

    /// The next JSON frame, within five seconds; `None` if the socket closed.
    pub async fn next(&mut self) -> Option<Value> {
        use futures::StreamExt;
        loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(5), self.stream.next()).await.expect("a frame within 5 s")?;
            match message.ok()? {
                tokio_tungstenite::tungstenite::Message::Text(text) => return Some(serde_json::from_str(&text).expect("JSON frame")),
                tokio_tungstenite::tungstenite::Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next frame of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await.unwrap_or_else(|| panic!("socket closed while waiting for {kind}"));
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Asserts nothing of `kind` arrives within `ms` milliseconds.
    pub async fn quiet(&mut self, kind: &str, ms: u64) {
        use futures::StreamExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, self.stream.next()).await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).unwrap();
                assert_ne!(frame["type"], kind, "unexpected frame {frame}");
            }
        }
    }

    /// Waits for the server to close the socket; returns the close code.
    pub async fn closed_with(&mut self) -> u16 {
        use futures::StreamExt;
        loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(10), self.stream.next()).await.expect("closed within 10 s");
            match message {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(None))) | None => return 1005,
                Some(Err(_)) => return 1006,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Stops reading without closing, like a client that went away.
    pub fn into_inner(self) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
        self.stream
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

impl TestApp {
    /// A user of `role` in a second tenant `slug` (signed up here), and a chat token for them.
    pub async fn outsider(&self, slug: &str, role: &str) -> (String, String) {
        let admin = self.signup(slug, &format!("admin@{slug}.test")).await;
        let key = self.secret_key_for(s(&admin["access_token"])).await;
        let user = self.create_user_with(&key, json!({"external_id": format!("{slug}-{role}"), "role": role})).await;
        let id = s(&user["id"]).to_owned();
        let reply = self.post("/v1/users/chat-token").key(&key).json(json!({"user_id": id})).send().await.expect(201, None);
        (id, s(&reply.data()["chat_token"]).to_owned())
    }

    /// The messages of a conversation as `token`'s user sees them, oldest first.
    pub async fn history(&self, token: &str, conversation_id: &str) -> Vec<Value> {
        let reply = self
            .get(&format!("/v1/chat/conversations/{conversation_id}/messages?per_page=100"))
            .bearer(token)
            .send()
            .await
            .expect(200, None);
        let mut messages = reply.data().as_array().unwrap().clone();
        messages.reverse();
        messages
    }
}

/// Rows made within one millisecond tie on time; a pause makes "newest first" observable.
pub async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

/// Sends every request at once and waits for all. Each reply must be a 200 or a 201;
/// returns the distinct `data.id`s and how many replies were 201.
pub async fn race(requests: Vec<reqwest::RequestBuilder>) -> (std::collections::HashSet<String>, usize) {
    let handles: Vec<_> = requests
        .into_iter()
        .map(|request| {
            tokio::spawn(async move {
                let r = request.send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (status, body["data"]["id"].as_str().map(str::to_owned))
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for h in handles {
        let (status, id) = h.await.unwrap();
        assert!(status == 200 || status == 201, "status {status}");
        created += usize::from(status == 201);
        ids.insert(id.expect("an id"));
    }
    (ids, created)
}
