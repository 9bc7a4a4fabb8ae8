-- Changes the search index must learn about, written by triggers inside the statement (and so
-- the transaction) that makes the change: a send, an edit, a delete for everyone or for one
-- member, a member joining, leaving or clearing their history, a conversation deleted. A row
-- names a message, or a whole conversation whose readers changed. The relay claims rows,
-- sends the current state of what they name to the search backend and removes them only once
-- the backend has applied it.
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT,
    conversation_id TEXT,
    created_at INTEGER NOT NULL,
    -- A relay owns the row until then (epoch milliseconds); 0 when free.
    claimed_until INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX search_outbox_claimable ON search_outbox (claimed_until, id);

CREATE TRIGGER search_outbox_message_insert AFTER INSERT ON messages BEGIN
    INSERT INTO search_outbox (message_id, created_at)
    VALUES (new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER search_outbox_message_update AFTER UPDATE OF body, deleted_at ON messages
WHEN old.body IS NOT new.body OR old.deleted_at IS NOT new.deleted_at BEGIN
    INSERT INTO search_outbox (message_id, created_at)
    VALUES (new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER search_outbox_message_hidden AFTER INSERT ON hidden_messages BEGIN
    INSERT INTO search_outbox (message_id, created_at)
    VALUES (new.message_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER search_outbox_member_insert AFTER INSERT ON participants BEGIN
    INSERT INTO search_outbox (conversation_id, created_at)
    VALUES (new.conversation_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER search_outbox_member_update AFTER UPDATE OF left_at, cleared_before_seq ON participants
WHEN old.left_at IS NOT new.left_at OR old.cleared_before_seq IS NOT new.cleared_before_seq BEGIN
    INSERT INTO search_outbox (conversation_id, created_at)
    VALUES (new.conversation_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER search_outbox_member_delete AFTER DELETE ON participants BEGIN
    INSERT INTO search_outbox (conversation_id, created_at)
    VALUES (old.conversation_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER search_outbox_conversation_deleted AFTER UPDATE OF deleted_at ON conversations
WHEN old.deleted_at IS NOT new.deleted_at BEGIN
    INSERT INTO search_outbox (conversation_id, created_at)
    VALUES (new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
