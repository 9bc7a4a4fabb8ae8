//! Every attempt a client makes, by operation and outcome, with its latency: what the
//! "fail fast with a clear error" check reads.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Acknowledged (201, 200, an `ack` frame) or answered (a read, a socket opened).
    Ok,
    /// 503 `unavailable` with `Retry-After`, or an `unavailable` error frame with `retry_after`.
    Unavailable,
    /// 429 `rate_limited`, REST or frame: the server refused in time and said when to retry.
    RateLimited,
    /// The connection was refused, reset or closed: a server that is gone.
    Connection,
    /// Any other answer: a 503 without `Retry-After`, a 500, a 4xx, another error frame.
    Unclear(String),
    /// No answer within the client's own timeout: a hang.
    Timeout,
}

impl Outcome {
    /// Failures a client can act on at once: retry later, or elsewhere.
    pub fn is_clear(&self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Unavailable | Outcome::RateLimited | Outcome::Connection)
    }

    fn label(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::Unavailable => "unavailable".into(),
            Outcome::RateLimited => "rate_limited".into(),
            Outcome::Connection => "connection".into(),
            Outcome::Unclear(what) => format!("unclear({what})"),
            Outcome::Timeout => "timeout".into(),
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub count: u64,
    pub max: Duration,
}

/// Attempts by (operation, outcome).
#[derive(Default)]
pub struct Recorder {
    tallies: Mutex<BTreeMap<(&'static str, Outcome), Tally>>,
}

impl Recorder {
    pub fn note(&self, op: &'static str, outcome: Outcome, took: Duration) {
        let mut tallies = self.tallies.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tally = tallies.entry((op, outcome)).or_default();
        tally.count += 1;
        tally.max = tally.max.max(took);
    }

    pub fn snapshot(&self) -> Vec<(&'static str, Outcome, Tally)> {
        let tallies = self.tallies.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        tallies.iter().map(|((op, outcome), tally)| (*op, outcome.clone(), *tally)).collect()
    }
}

/// What the attempts add up to.
pub struct Summary {
    /// Failed attempts, and the slowest of them.
    pub failed: u64,
    pub slowest_failure: Duration,
    /// Failed attempts without a clear error (see `Outcome::is_clear`).
    pub unclear: u64,
    pub slowest_success: Duration,
    pub lines: Vec<String>,
}

pub fn summarize(recorder: &Recorder) -> Summary {
    let mut summary =
        Summary { failed: 0, slowest_failure: Duration::ZERO, unclear: 0, slowest_success: Duration::ZERO, lines: Vec::new() };
    for (op, outcome, tally) in recorder.snapshot() {
        summary.lines.push(format!("{op} {}: {} (slowest {} ms)", outcome.label(), tally.count, tally.max.as_millis()));
        if outcome == Outcome::Ok {
            summary.slowest_success = summary.slowest_success.max(tally.max);
            continue;
        }
        summary.failed += tally.count;
        summary.slowest_failure = summary.slowest_failure.max(tally.max);
        if !outcome.is_clear() {
            summary.unclear += tally.count;
        }
    }
    summary
}
