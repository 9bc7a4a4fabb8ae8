//! What the benchmark programs share.

pub mod api;
pub mod bed;
pub mod fresh_db;
pub mod send_load;
