//! A server process of one test's own (Redis, Meilisearch) on a free loopback port with a
//! data directory of its own, which the test may kill and start again; killed when dropped.

use std::process::{Child, Command, Stdio};

pub struct OwnServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Default for OwnServer {
    fn default() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        OwnServer { port, dir: tempfile::tempdir().expect("temp dir"), child: None }
    }
}

impl OwnServer {
    /// Kills what runs, then starts `command` (its output discarded) in its place.
    pub fn spawn(&mut self, mut command: Command) {
        self.kill();
        self.child = Some(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start the test's own server"));
    }

    /// Kills the process with SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.kill();
    }
}
