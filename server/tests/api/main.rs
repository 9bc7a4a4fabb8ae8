//! Integration tests: each test starts the real server on port 0 against a fresh database
//! (SQLite by default; PostgreSQL and Redis when CONFAB_TEST_DATABASE_URL and
//! CONFAB_TEST_REDIS_URL are set, as the test script does in its second pass).

mod helpers;

mod admin;
mod admin_stats;
mod api_keys;
mod auth;
mod authority;
mod binary;
mod broadcasts;
mod concurrent_reads;
mod console;
mod conversations;
mod errors;
mod group_commit;
mod headers;
mod hidden;
mod input_rules;
mod lost_updates;
mod media;
mod meili;
mod messages;
mod metrics;
mod moderation;
mod no_echo;
mod openapi;
mod ops;
mod phone_search;
mod rate_limits;
mod read_state;
mod realtime;
mod redis_outage;
mod report_queue;
mod reports;
mod revocation;
mod search;
mod search_relay;
mod shops;
mod social;
mod socket_bursts;
mod tenant;
mod tenant_counters;
mod tickets;
mod unread_counters;
mod users;
mod watching;
mod webhook_guarantees;
mod webhooks;
