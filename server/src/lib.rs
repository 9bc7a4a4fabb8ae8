//! Confab: a self-hostable, multi-tenant chat server. Everything lives in this library so
//! that the binary, the tests, the spec dumper and the benchmarks start it the same way.
//!
//! Layers, each importing only those below it: `api` (HTTP) calls the services, the
//! services call `store` (SQL), and everything speaks `domain` (types and rules, no I/O).
//! The services: `accounts` (password accounts, sessions, a user's own profile and
//! WebSocket tickets), `users` (the admin side of the tenant's users), `tenancy` (the
//! tenant, its settings and API keys), `social` (the directory, blocks and follows) and
//! `chat` (conversations, messages, shops, tickets, broadcasts), `media` (uploads, their
//! checks and thumbnails, kept in a `blob` store), `reports` (flagging and the moderation
//! queue), `webhooks` (signed deliveries of events to the tenant's endpoints, from a
//! queue in the database) and `realtime` (the WebSocket: sessions, client frames, the hub).
//! What goes on the
//! event bus is typed in
//! `events`, which both the WebSocket frames and the REST DTOs are rendered from. Who may do
//! what is decided in `policy` and `chat::access`.

pub mod accounts;
pub mod admin;
pub mod admin_stats;
pub mod api;
pub mod audit;
pub mod auth;
pub mod blob;
pub mod bootstrap;
pub mod bus;
pub mod chat;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod limiter;
pub mod listener;
pub mod media;
pub mod metrics;
pub mod policy;
pub mod presence;
pub mod realtime;
pub mod reports;
pub mod search;
pub mod social;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod throttle;
pub mod users;
pub mod webhooks;

pub use config::Config;
pub use startup::Application;
