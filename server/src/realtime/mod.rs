//! Real-time delivery over WebSocket: the hub routes bus events to this process's sockets,
//! each socket runs its own loop, and client frames share the chat service with REST. A
//! moderator's socket may watch one conversation and receive its events too.

pub mod frames;
pub mod hub;
pub mod revoke;
pub mod session;
pub mod socket;
pub mod watchers;

pub use hub::Hub;
