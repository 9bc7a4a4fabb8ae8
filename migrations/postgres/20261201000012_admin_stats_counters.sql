-- Counters behind /v1/admin/stats, so the dashboard never scans messages: messages per
-- tenant and UTC hour, and each user's last activity. Both are kept in the same statement
-- as every write of a message (sends, broadcasts, system messages), by the trigger below.

CREATE TABLE message_counts (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Start of the UTC hour, epoch milliseconds.
    hour BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, hour)
);

-- When the user last sent a message or was connected, to the minute (see the trigger).
ALTER TABLE users ADD COLUMN last_active_at BIGINT;
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
UPDATE users SET last_active_at = m.at
  FROM (SELECT sender_id, MAX(created_at) AS at FROM messages WHERE sender_id IS NOT NULL GROUP BY sender_id) m
 WHERE users.id = m.sender_id;

-- Once per statement over the rows it inserted, so a broadcast of thousands of messages
-- adds to each hour's row once. A message counts in its hour once it is written, deleted
-- or not later: a removal does not unsend it. The last activity moves only when it is a
-- minute old or more, so a burst of sends writes the user's row once.
CREATE FUNCTION messages_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_counts (tenant_id, hour, count)
    SELECT tenant_id, created_at - created_at % 3600000, COUNT(*) FROM inserted GROUP BY 1, 2
    ON CONFLICT (tenant_id, hour) DO UPDATE SET count = message_counts.count + EXCLUDED.count;
    UPDATE users SET last_active_at = s.at
      FROM (SELECT sender_id, MAX(created_at) AS at FROM inserted WHERE sender_id IS NOT NULL GROUP BY sender_id) s
     WHERE users.id = s.sender_id
       AND (users.last_active_at IS NULL OR users.last_active_at <= s.at - 60000);
    RETURN NULL;
END
$$;
CREATE TRIGGER messages_count AFTER INSERT ON messages
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION messages_count();
