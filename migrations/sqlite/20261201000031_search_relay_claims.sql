-- Which relay sends a conversation's changes to the search index, and until when (epoch
-- milliseconds). Only the holder claims outbox rows of that conversation, so two server
-- processes never have two states of one message in flight at once, where the older read
-- could reach the index last. A holder that dies loses its claims when they run out.
CREATE TABLE search_relay_claims (
    conversation_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    claimed_until INTEGER NOT NULL
);
