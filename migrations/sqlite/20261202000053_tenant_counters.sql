-- The admin stats' last figures that were counted on every reading, kept as counters:
-- live conversations by kind, users by status and role, and the unread total (the sum of
-- the kept `unread_count` of every membership that is neither left nor hidden). Each
-- figure is the SUM of its rows in `tenant_counts`: one row per figure here, where the one
-- writer updates it in place; PostgreSQL appends rows and folds them (same migration there).
CREATE TABLE tenant_counts (
    tenant_id TEXT NOT NULL,
    -- 'conversations' (key1: kind), 'users' (key1: status, key2: role) or 'unread'.
    figure TEXT NOT NULL,
    key1 TEXT NOT NULL DEFAULT '',
    key2 TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, figure, key1, key2)
);

-- A deleted conversation's memberships keep their rows and their unread counts, and the
-- counter goes on counting them (a deletion does not touch them: see `store::stats`);
-- the stats subtract what its live members hold, found through this index.
CREATE INDEX conversations_deleted_by_tenant ON conversations (tenant_id, id) WHERE deleted_at IS NOT NULL;

INSERT INTO tenant_counts (tenant_id, figure, key1, n)
SELECT tenant_id, 'conversations', kind, COUNT(*) FROM conversations WHERE deleted_at IS NULL GROUP BY 1, 3;
INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n)
SELECT tenant_id, 'users', status, role, COUNT(*) FROM users GROUP BY 1, 3, 4;
INSERT INTO tenant_counts (tenant_id, figure, n)
SELECT tenant_id, 'unread', SUM(unread_count) FROM participants WHERE left_at IS NULL AND hidden = 0 GROUP BY 1;

CREATE TRIGGER tenant_conversation_created AFTER INSERT ON conversations WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n) VALUES (new.tenant_id, 'conversations', new.kind, 1)
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tenant_conversation_moved AFTER UPDATE OF kind, deleted_at ON conversations
WHEN old.kind IS NOT new.kind OR (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n) SELECT old.tenant_id, 'conversations', old.kind, -1 WHERE old.deleted_at IS NULL
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
    INSERT INTO tenant_counts (tenant_id, figure, key1, n) SELECT new.tenant_id, 'conversations', new.kind, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tenant_user_created AFTER INSERT ON users BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n) VALUES (new.tenant_id, 'users', new.status, new.role, 1)
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tenant_user_moved AFTER UPDATE OF status, role ON users
WHEN old.status IS NOT new.status OR old.role IS NOT new.role BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n) VALUES (old.tenant_id, 'users', old.status, old.role, -1)
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
    INSERT INTO tenant_counts (tenant_id, figure, key1, key2, n) VALUES (new.tenant_id, 'users', new.status, new.role, 1)
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;

-- Unread: what a membership counts, as joined and as changed (the recounts that follow a
-- join are updates, so they pass here too).
CREATE TRIGGER tenant_unread_joined AFTER INSERT ON participants
WHEN new.left_at IS NULL AND new.hidden = 0 AND new.unread_count <> 0 BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, n) VALUES (new.tenant_id, 'unread', new.unread_count)
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tenant_unread_moved AFTER UPDATE ON participants
WHEN (CASE WHEN new.left_at IS NULL AND new.hidden = 0 THEN new.unread_count ELSE 0 END)
  <> (CASE WHEN old.left_at IS NULL AND old.hidden = 0 THEN old.unread_count ELSE 0 END) BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, n)
    VALUES (new.tenant_id, 'unread', (CASE WHEN new.left_at IS NULL AND new.hidden = 0 THEN new.unread_count ELSE 0 END)
                                   - (CASE WHEN old.left_at IS NULL AND old.hidden = 0 THEN old.unread_count ELSE 0 END))
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;
