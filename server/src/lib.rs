//! Confab: a self-hostable, multi-tenant chat server. Everything lives in this library so
//! that the binary, the tests, the spec dumper and the benchmarks start it the same way.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod bus;
pub mod chat;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod limiter;
pub mod listener;
pub mod policy;
pub mod presence;
pub mod realtime;
pub mod search;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
