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
    BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok).for_each(|l| {
        stdout.push_str(&l);
        stdout.push('\n');
    });
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
    let out = Command::new(BIN)
        .arg("migrate")
        .env("CONFAB_DATA_DIR", dir.path())
        .env_remove("CONFAB_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("confab.db").exists());
}
