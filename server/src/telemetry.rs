//! Structured logs through `tracing`: human-readable by default, JSON with
//! `CONFAB_LOG_FORMAT=json`, filtered by `RUST_LOG`.

use tracing_subscriber::EnvFilter;

pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // try_init: tests and the CLI may both call this; only the first wins.
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
