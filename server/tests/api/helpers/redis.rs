//! A Redis server of one test's own, which the test may kill and start again: the shared
//! one of the suite must stay up for every other test.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateRedis {
    binary: String,
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts `redis-server` (or `CONFAB_TEST_REDIS_BIN`) on a free loopback port; `None`,
    /// said on stderr, when there is no such binary.
    pub fn start() -> Option<PrivateRedis> {
        let binary = std::env::var("CONFAB_TEST_REDIS_BIN").unwrap_or_else(|_| "redis-server".into());
        if Command::new(&binary).arg("--version").stdout(Stdio::null()).status().is_err() {
            eprintln!("SKIPPED: no {binary} to run a private Redis");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut redis = PrivateRedis { binary, port, dir: tempfile::tempdir().expect("temp dir"), child: None };
        redis.restart();
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server with SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty; returns once it accepts connections.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new(&self.binary)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the private Redis did not start within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
