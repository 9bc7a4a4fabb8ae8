-- Changes the search index must learn about, written by triggers inside the statement (and so
-- the transaction) that makes the change: a send, an edit, a delete for everyone or for one
-- member, a member joining, leaving or clearing their history, a conversation deleted. A row
-- names a message, or a whole conversation whose readers changed. Relays claim rows with
-- FOR UPDATE SKIP LOCKED, send the current state of what they name to the search backend and
-- remove them only once the backend has applied it.
CREATE TABLE search_outbox (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT,
    conversation_id TEXT,
    created_at BIGINT NOT NULL,
    -- A relay owns the row until then (epoch milliseconds); 0 when free.
    claimed_until BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX search_outbox_claimable ON search_outbox (claimed_until, id);

CREATE FUNCTION search_outbox_now() RETURNS BIGINT LANGUAGE sql AS $$
    SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
$$;

-- Once per statement, so a broadcast to thousands of conversations writes its rows in one go.
CREATE FUNCTION search_outbox_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_outbox (message_id, created_at) SELECT id, search_outbox_now() FROM changed;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_message_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_messages();

CREATE FUNCTION search_outbox_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_outbox (message_id, created_at) VALUES (NEW.id, search_outbox_now());
    RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_message_update AFTER UPDATE OF body, deleted_at ON messages FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION search_outbox_message();

CREATE FUNCTION search_outbox_hidden() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_outbox (message_id, created_at) VALUES (NEW.message_id, search_outbox_now());
    RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_message_hidden AFTER INSERT ON hidden_messages FOR EACH ROW
    EXECUTE FUNCTION search_outbox_hidden();

CREATE FUNCTION search_outbox_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (conversation_id, created_at) VALUES (OLD.conversation_id, search_outbox_now());
    ELSE
        INSERT INTO search_outbox (conversation_id, created_at) VALUES (NEW.conversation_id, search_outbox_now());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_member_insert AFTER INSERT ON participants FOR EACH ROW
    EXECUTE FUNCTION search_outbox_member();
CREATE TRIGGER search_outbox_member_update AFTER UPDATE OF left_at, cleared_before_seq ON participants FOR EACH ROW
    WHEN (OLD.left_at IS DISTINCT FROM NEW.left_at OR OLD.cleared_before_seq IS DISTINCT FROM NEW.cleared_before_seq)
    EXECUTE FUNCTION search_outbox_member();
CREATE TRIGGER search_outbox_member_delete AFTER DELETE ON participants FOR EACH ROW
    EXECUTE FUNCTION search_outbox_member();

CREATE FUNCTION search_outbox_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_outbox (conversation_id, created_at) VALUES (NEW.id, search_outbox_now());
    RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_conversation_deleted AFTER UPDATE OF deleted_at ON conversations FOR EACH ROW
    WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION search_outbox_conversation();
