//! The real `confab-server` binary: configuration from the environment, the one-time
//! bootstrap print, the spec dumper, and graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_confab-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(dir: &std::path::Path, port: u16) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONFAB_ADDR", format!("127.0.0.1:{port}"))
        .env("CONFAB_DATA_DIR", dir)
        .env("CONFAB_BOOTSTRAP_PASSWORD", "from-the-environment")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("start confab-server")
}

fn wait_until_healthy(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Write;
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.0 200") || out.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server did not become healthy");
}

/// Sends SIGTERM and returns the exit status and everything printed on stdout.
fn terminate(mut child: Child) -> (std::process::ExitStatus, String) {
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stdout = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out).lines().map_while(Result::ok).for_each(|l| {
            stdout.push_str(&l);
            stdout.push('\n');
        });
    }
    (exit, stdout)
}

#[test]
fn the_binary_bootstraps_once_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = start(dir.path(), port);
    wait_until_healthy(port);
    let (exit, first) = terminate(child);
    assert!(exit.success(), "exit status {exit:?}");
    assert!(first.contains("secret key:  sk_"), "first start prints the key: {first}");
    assert!(first.contains("(from CONFAB_BOOTSTRAP_PASSWORD)"), "{first}");
    assert!(!first.contains("from-the-environment"), "the password itself is never printed");
    assert!(dir.path().join("confab.db").exists());

    let port = free_port();
    let child = start(dir.path(), port);
    wait_until_healthy(port);
    let (exit, second) = terminate(child);
    assert!(exit.success());
    assert!(!second.contains("sk_"), "later starts print nothing: {second}");
}

#[test]
fn the_openapi_command_prints_the_spec() {
    let out = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(out.status.success());
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spec["info"]["title"], "Confab");
}

#[test]
fn the_migrate_command_prepares_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN).arg("migrate").env("CONFAB_DATA_DIR", dir.path()).env_remove("CONFAB_DATABASE_URL").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("confab.db").exists());
}

/// Two real `confab-server` processes on one PostgreSQL database and one Redis: a socket on
/// the second receives what is sent through the first.
#[tokio::test]
async fn two_server_processes_deliver_each_others_events() {
    let (Some(database), Ok(redis)) = (crate::helpers::fresh_database().await, std::env::var("CONFAB_TEST_REDIS_URL")) else {
        eprintln!("skipped: needs CONFAB_TEST_DATABASE_URL and CONFAB_TEST_REDIS_URL (the PostgreSQL + Redis pass sets them)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("bin-{}", ulid::Ulid::new());
    let spawn = |port: u16| {
        Command::new(BIN)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CONFAB_ADDR", format!("127.0.0.1:{port}"))
            .env("CONFAB_DATA_DIR", dir.path())
            .env("CONFAB_DATABASE_URL", &database)
            .env("CONFAB_REDIS_URL", &redis)
            .env("CONFAB_REDIS_PREFIX", &prefix)
            .env("CONFAB_JWT_KEYS", crate::helpers::JWT_KEYS)
            .env("CONFAB_BOOTSTRAP_PASSWORD", "two-process-password")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start confab-server")
    };
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = spawn(port_a);
    wait_until_healthy(port_a);
    let b = spawn(port_b);
    wait_until_healthy(port_b);
    // Process A bootstrapped the empty database; its key works on both.
    let mut key = String::new();
    for line in BufReader::new(a.stdout.take().unwrap()).lines().map_while(Result::ok) {
        if let Some(rest) = line.split("secret key:").nth(1) {
            key = rest.trim().to_owned();
            break;
        }
    }
    assert!(key.starts_with("sk_"), "process A printed the bootstrap key");

    let http = reqwest::Client::new();
    let a_url = format!("http://127.0.0.1:{port_a}");
    // POSTs JSON to process A, with the secret key or a bearer token; returns `data`.
    let post = |path: &str, bearer: Option<&str>, body: serde_json::Value| {
        let request = http.post(format!("{a_url}{path}")).json(&body);
        let request = match bearer {
            Some(token) => request.bearer_auth(token),
            None => request.header("x-api-key", &key),
        };
        async move {
            let reply: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
            reply["data"].clone()
        }
    };
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for name in ["ann", "bob"] {
        let user = post("/v1/users", None, serde_json::json!({"external_id": name})).await;
        let id = user["id"].as_str().unwrap().to_owned();
        let token = post("/v1/users/chat-token", None, serde_json::json!({"user_id": id})).await;
        tokens.push(token["chat_token"].as_str().unwrap().to_owned());
        ids.push(id);
    }
    let convo = post("/v1/chat/conversations", Some(&tokens[0]), serde_json::json!({"user_id": ids[1]})).await;
    let convo_id = convo["id"].as_str().unwrap().to_owned();

    let (mut bob_on_b, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port_b}/v1/chat/ws?token={}", tokens[1]))
        .await
        .expect("socket on process B");
    let sent =
        post(&format!("/v1/chat/conversations/{convo_id}/messages"), Some(&tokens[0]), serde_json::json!({"body": "from process A"})).await;
    assert_eq!(sent["seq"], 1);
    use futures::StreamExt;
    let frame = loop {
        let message = tokio::time::timeout(Duration::from_secs(10), bob_on_b.next()).await.expect("event within 10 s").unwrap().unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
            if frame["type"] == "new_message" {
                break frame;
            }
        }
    };
    assert_eq!(frame["message"]["body"], "from process A");
    drop(bob_on_b);
    for child in [a, b] {
        let (exit, _) = terminate(child);
        assert!(exit.success());
    }
}
