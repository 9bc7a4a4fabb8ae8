-- Conversations, their participants and messages; blocks and follows between users.

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT,
    description TEXT,
    -- For direct conversations: the two user ids, sorted and joined, so one pair has one row.
    direct_key TEXT,
    created_by TEXT,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_id TEXT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    -- Last activity: the listing's sort key.
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX conversations_direct_pair ON conversations (tenant_id, direct_key);
CREATE INDEX conversations_tenant_activity ON conversations (tenant_id, updated_at);

CREATE TABLE participants (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    last_read_seq BIGINT NOT NULL DEFAULT 0,
    -- "Delete for me": history up to here is hidden from this participant.
    cleared_before_seq BIGINT NOT NULL DEFAULT 0,
    muted BIGINT NOT NULL DEFAULT 0,
    archived BIGINT NOT NULL DEFAULT 0,
    -- Hidden from the list after "delete for me" until a new message arrives.
    hidden BIGINT NOT NULL DEFAULT 0,
    left_at BIGINT,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX participants_by_user ON participants (user_id, conversation_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    sender_id TEXT,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    file_url TEXT,
    file_name TEXT,
    file_size BIGINT,
    file_type TEXT,
    media_id TEXT,
    reply_to_id TEXT,
    forwarded_from_id TEXT,
    client_msg_id TEXT,
    edited_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_conversation_seq ON messages (conversation_id, seq);
CREATE UNIQUE INDEX messages_client_msg_id ON messages (conversation_id, sender_id, client_msg_id);
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at);

-- "Delete for me" of single messages.
CREATE TABLE hidden_messages (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE reactions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    emoji TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE blocks (
    tenant_id TEXT NOT NULL,
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE follows (
    tenant_id TEXT NOT NULL,
    follower_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_by_followee ON follows (followee_id, created_at);

-- Full-text search over message bodies (the database search backend).
ALTER TABLE messages ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;
CREATE INDEX messages_search ON messages USING GIN (search_vector);
