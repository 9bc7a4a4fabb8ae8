-- Counters behind /v1/admin/stats, so the dashboard never scans messages: messages per
-- tenant and UTC hour, and each user's last activity. Both are kept in the same statement
-- as every write of a message (sends, broadcasts, system messages), by the trigger below.

CREATE TABLE message_counts (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Start of the UTC hour, epoch milliseconds.
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, hour)
);

-- When the user last sent a message or was connected, to the minute (see the trigger).
ALTER TABLE users ADD COLUMN last_active_at INTEGER;
CREATE INDEX users_tenant_active ON users (tenant_id, last_active_at);
-- Index-only counts of users by status and by role.
CREATE INDEX users_tenant_status_role ON users (tenant_id, status, role);
-- Index-only counts of live conversations by kind.
CREATE INDEX conversations_tenant_kind ON conversations (tenant_id, kind, deleted_at);
-- Index-only counts of tickets by status and priority.
CREATE INDEX tickets_tenant_status_priority ON tickets (tenant_id, status, priority);

-- Messages already stored before the counters existed.
INSERT INTO message_counts (tenant_id, hour, count)
SELECT tenant_id, created_at - created_at % 3600000, COUNT(*) FROM messages GROUP BY 1, 2;
UPDATE users SET last_active_at = (SELECT MAX(m.created_at) FROM messages m WHERE m.sender_id = users.id);

-- A message counts in its hour once it is written, deleted or not later: a removal does
-- not unsend it. The last activity moves only when it is a minute old or more, so a burst
-- of sends writes the user's row once.
CREATE TRIGGER messages_count AFTER INSERT ON messages BEGIN
    INSERT INTO message_counts (tenant_id, hour, count)
    VALUES (new.tenant_id, new.created_at - new.created_at % 3600000, 1)
    ON CONFLICT (tenant_id, hour) DO UPDATE SET count = count + 1;
    UPDATE users SET last_active_at = new.created_at
     WHERE id = new.sender_id AND (last_active_at IS NULL OR last_active_at <= new.created_at - 60000);
END;
