-- Whether changes are written to the search outbox at all. Only a search index fed by the
-- outbox (Meilisearch) needs the rows; the database's own full-text index follows every write
-- by itself, so with it every server sets this off at start and sends pay for no rows. One
-- deployment's processes share one search setting. Switching to Meilisearch later starts
-- with an empty index, which `confab-server rebuild-search-index` fills.
CREATE TABLE search_outbox_switch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    enabled INTEGER NOT NULL
);
INSERT INTO search_outbox_switch (id, enabled) VALUES (1, 1);

DROP TRIGGER search_outbox_message_insert;
CREATE TRIGGER search_outbox_message_insert AFTER INSERT ON messages
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 BEGIN
    INSERT INTO search_outbox (message_id, created_at) VALUES (new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER search_outbox_message_update;
CREATE TRIGGER search_outbox_message_update AFTER UPDATE OF body, deleted_at ON messages
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 AND (old.body IS NOT new.body OR old.deleted_at IS NOT new.deleted_at) BEGIN
    INSERT INTO search_outbox (message_id, created_at) VALUES (new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER search_outbox_message_hidden;
CREATE TRIGGER search_outbox_message_hidden AFTER INSERT ON hidden_messages
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 BEGIN
    INSERT INTO search_outbox (message_id, created_at) VALUES (new.message_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER search_outbox_member_insert;
CREATE TRIGGER search_outbox_member_insert AFTER INSERT ON participants
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 BEGIN
    INSERT INTO search_outbox (conversation_id, created_at) VALUES (new.conversation_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER search_outbox_member_update;
CREATE TRIGGER search_outbox_member_update AFTER UPDATE OF left_at, cleared_before_seq ON participants
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 AND (old.left_at IS NOT new.left_at OR old.cleared_before_seq IS NOT new.cleared_before_seq) BEGIN
    INSERT INTO search_outbox (conversation_id, created_at) VALUES (new.conversation_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER search_outbox_member_delete;
CREATE TRIGGER search_outbox_member_delete AFTER DELETE ON participants
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 BEGIN
    INSERT INTO search_outbox (conversation_id, created_at) VALUES (old.conversation_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

DROP TRIGGER search_outbox_conversation_deleted;
CREATE TRIGGER search_outbox_conversation_deleted AFTER UPDATE OF deleted_at ON conversations
WHEN (SELECT enabled FROM search_outbox_switch WHERE id = 1) = 1 AND (old.deleted_at IS NOT new.deleted_at) BEGIN
    INSERT INTO search_outbox (conversation_id, created_at) VALUES (new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
