-- The admin stats' last figures that were counted on every reading, kept as counters:
-- live conversations by kind, users by status and role, and the unread total (the sum of
-- the kept `unread_count` of every membership that is neither left nor hidden). Each
-- figure is the SUM of its rows in `tenant_counts`.
--
-- Writers only ever append: a trigger inserts one row per statement and tenant holding the
-- change, and never updates a shared row, so concurrent writes of one tenant take no lock
-- in common and do not wait for one another's commit. The message counts per hour get the
-- same treatment below; before, every send of a tenant updated that tenant's row of the
-- hour and held its lock until the commit was flushed, so a tenant's sends committed one
-- after another. The server folds the appended rows (`folded = false`) into one row per
-- figure every second (`store::counts::fold`); readers sum whatever rows there are, folded
-- or not, so a reading is exact at every moment, whether a fold ran or not.
--
-- Rows are never removed with their tenant's data (no tenant, conversation or user is
-- ever deleted outright), hence no foreign key, whose check would lock the tenant's row
-- on every insert.
CREATE TABLE tenant_counts (
    tenant_id TEXT NOT NULL,
    -- 'conversations' (key1: kind), 'users' (key1: status, key2: role) or 'unread'.
    figure TEXT NOT NULL,
    key1 TEXT NOT NULL DEFAULT '',
    key2 TEXT NOT NULL DEFAULT '',
    n BIGINT NOT NULL,
    folded BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX tenant_counts_by_tenant ON tenant_counts (tenant_id, figure, key1, key2);
CREATE INDEX tenant_counts_unfolded ON tenant_counts (tenant_id, figure, key1, key2) WHERE NOT folded;

-- A deleted conversation's memberships keep their rows and their unread counts, and the
-- counter goes on counting them (a deletion does not touch them: see `store::stats`);
-- the stats subtract what its live members hold, found through this index.
CREATE INDEX conversations_deleted_by_tenant ON conversations (tenant_id, id) WHERE deleted_at IS NOT NULL;

INSERT INTO tenant_counts (tenant_id, figure, key1, n, folded)
SELECT tenant_id, 'conversations', kind, COUNT(*), true FROM conversations WHERE deleted_at IS NULL GROUP BY 1, 3;
INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n, folded)
SELECT tenant_id, 'users', status, role, COUNT(*), true FROM users GROUP BY 1, 3, 4;
INSERT INTO tenant_counts (tenant_id, figure, n, folded)
SELECT tenant_id, 'unread', SUM(unread_count), true FROM participants WHERE left_at IS NULL AND hidden = 0 GROUP BY 1;

-- Conversations: one more of its kind when created, one fewer when deleted.
CREATE FUNCTION tenant_conversations_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n)
    SELECT tenant_id, 'conversations', kind, COUNT(*) FROM created WHERE deleted_at IS NULL GROUP BY 1, 3;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_conversations_created AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION tenant_conversations_created();

CREATE FUNCTION tenant_conversation_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n)
    SELECT OLD.tenant_id, 'conversations', OLD.kind, -1 WHERE OLD.deleted_at IS NULL
    UNION ALL
    SELECT NEW.tenant_id, 'conversations', NEW.kind, 1 WHERE NEW.deleted_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_conversation_moved AFTER UPDATE OF kind, deleted_at ON conversations FOR EACH ROW
    WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION tenant_conversation_moved();

-- Users: by status and role, as created and as changed.
CREATE FUNCTION tenant_users_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n)
    SELECT tenant_id, 'users', status, role, COUNT(*) FROM created GROUP BY 1, 3, 4;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_users_created AFTER INSERT ON users
    REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION tenant_users_created();

CREATE FUNCTION tenant_user_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n)
    VALUES (OLD.tenant_id, 'users', OLD.status, OLD.role, -1), (NEW.tenant_id, 'users', NEW.status, NEW.role, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_user_moved AFTER UPDATE OF status, role ON users FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION tenant_user_moved();

-- Unread: what the memberships a statement wrote count now, less what they counted before.
-- Statement-level, so a send or a broadcast that moves thousands of counters appends one
-- row per tenant. A transition table cannot go with a column list, so every update of
-- participants runs it; it appends nothing when no count that matters moved.
CREATE FUNCTION tenant_unread_joined() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, n)
    SELECT tenant_id, 'unread', SUM(unread_count) FROM joined
     WHERE left_at IS NULL AND hidden = 0 GROUP BY 1 HAVING SUM(unread_count) <> 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_unread_joined AFTER INSERT ON participants
    REFERENCING NEW TABLE AS joined FOR EACH STATEMENT EXECUTE FUNCTION tenant_unread_joined();

CREATE FUNCTION tenant_unread_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, n)
    SELECT tenant_id, 'unread', SUM(n) FROM (
        SELECT tenant_id, unread_count AS n FROM after_change WHERE left_at IS NULL AND hidden = 0
        UNION ALL
        SELECT tenant_id, -unread_count FROM before_change WHERE left_at IS NULL AND hidden = 0) moved
     GROUP BY 1 HAVING SUM(n) <> 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_unread_moved AFTER UPDATE ON participants
    REFERENCING OLD TABLE AS before_change NEW TABLE AS after_change
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_unread_moved();

-- Messages per hour, appended the same way (see the top), and without the foreign key, whose
-- check took a share lock on the tenant's row in every send.
ALTER TABLE message_counts DROP CONSTRAINT message_counts_pkey;
ALTER TABLE message_counts DROP CONSTRAINT message_counts_tenant_id_fkey;
ALTER TABLE message_counts ADD COLUMN folded BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE message_counts ALTER COLUMN folded SET DEFAULT false;
CREATE INDEX message_counts_by_tenant ON message_counts (tenant_id, hour);
CREATE INDEX message_counts_unfolded ON message_counts (tenant_id, hour) WHERE NOT folded;

CREATE OR REPLACE FUNCTION messages_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_counts (tenant_id, hour, count)
    SELECT tenant_id, created_at - created_at % 3600000, COUNT(*) FROM inserted GROUP BY 1, 2;
    UPDATE users SET last_active_at = s.at
      FROM (SELECT sender_id, MAX(created_at) AS at FROM inserted WHERE sender_id IS NOT NULL GROUP BY sender_id) s
     WHERE users.id = s.sender_id
       AND (users.last_active_at IS NULL OR users.last_active_at <= s.at - 60000);
    RETURN NULL;
END
$$;
