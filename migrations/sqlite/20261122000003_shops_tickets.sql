-- Shops and their buyer threads; support tickets.

CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX shops_by_owner ON shops (tenant_id, owner_id, created_at);
CREATE INDEX shops_by_tenant ON shops (tenant_id, created_at);

-- A shop thread belongs to one shop. Its direct_key, "shop:<shop_id>:<buyer_id>", makes it
-- one thread per buyer and shop under the same unique index as direct pairs.
ALTER TABLE conversations ADD COLUMN shop_id TEXT REFERENCES shops (id) ON DELETE CASCADE;
CREATE INDEX conversations_by_shop ON conversations (shop_id) WHERE shop_id IS NOT NULL;

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    requester_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    -- open, pending, resolved, closed
    status TEXT NOT NULL,
    -- low, medium, high, urgent
    priority TEXT NOT NULL,
    category TEXT,
    assignee_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    first_response_at INTEGER,
    resolved_at INTEGER,
    closed_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tickets_conversation ON tickets (conversation_id);
CREATE INDEX tickets_queue ON tickets (tenant_id, status, created_at);
CREATE INDEX tickets_by_requester ON tickets (tenant_id, requester_id, created_at);
