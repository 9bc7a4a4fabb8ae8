//! What the benchmark programs share.

/// The allocator `confab-server` ships with: the programs that serve the API in-process
/// measure the server as it runs, not as glibc's allocator would run it (malloc and free
/// were a fifth of such a program's CPU time while it answered the unread counts).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod api;
pub mod bed;
pub mod fresh_db;
pub mod send_load;
