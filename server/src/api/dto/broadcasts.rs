//! Broadcasts as the API shows them.

use poem_openapi::Object;

/// Send one message to every follower.
#[derive(Object, Debug)]
pub struct BroadcastRequest {
    /// The text, at most the tenant's `max_message_length` characters (else 413).
    #[oai(validator(max_length = 100000))]
    pub body: String,
}

/// What a broadcast did.
#[derive(Object, Debug)]
pub struct BroadcastDto {
    /// Identifies this broadcast.
    pub broadcast_id: String,
    /// How many followers received the message (those who blocked the sender or cannot
    /// receive messages are skipped).
    pub recipients: i64,
}
