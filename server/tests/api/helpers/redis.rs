//! A Redis server of one test's own, which the test may kill and start again: the shared
//! one of the suite must stay up for every other test.

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::OwnServer;

pub struct PrivateRedis {
    binary: String,
    server: OwnServer,
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
        let mut redis = PrivateRedis { binary, server: OwnServer::default() };
        redis.restart();
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.server.port)
    }

    /// Kills the server with SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        self.server.kill();
    }

    /// Starts the server again on the same port, empty; returns once it accepts connections.
    pub fn restart(&mut self) {
        let port = self.server.port;
        let mut command = Command::new(&self.binary);
        command
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.server.dir.path());
        self.server.spawn(command);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the private Redis did not start within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
