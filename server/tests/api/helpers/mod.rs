//! `spawn_app()` and request helpers shared by every test: the app and its databases,
//! HTTP calls and replies, fixtures (users, tokens, conversations), and a WebSocket client.

mod app;
mod declared;
mod fixtures;
mod http;
mod limits;
mod media;
mod metrics;
mod own_server;
mod redis;
mod webhooks;
mod ws;

pub use app::*;
pub use fixtures::*;
pub use http::*;
pub use media::*;
pub use metrics::Scrape;
pub use own_server::OwnServer;
pub use redis::PrivateRedis;
pub use webhooks::*;
pub use ws::Ws;
