-- Whether changes are written to the search outbox at all. Only a search index fed by the
-- outbox (Meilisearch) needs the rows; the database's own full-text index follows every write
-- by itself, so with it every server sets this off at start and sends pay for no rows. One
-- deployment's processes share one search setting. Switching to Meilisearch later starts
-- with an empty index, which `confab-server rebuild-search-index` fills.
CREATE TABLE search_outbox_switch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    enabled BOOLEAN NOT NULL
);
INSERT INTO search_outbox_switch (id, enabled) VALUES (1, TRUE);

CREATE FUNCTION search_outbox_on() RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT enabled FROM search_outbox_switch WHERE id = 1), TRUE)
$$;

CREATE OR REPLACE FUNCTION search_outbox_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF search_outbox_on() THEN
        INSERT INTO search_outbox (message_id, created_at) SELECT id, search_outbox_now() FROM changed;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_outbox_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF search_outbox_on() THEN
        INSERT INTO search_outbox (message_id, created_at) VALUES (NEW.id, search_outbox_now());
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_outbox_hidden() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF search_outbox_on() THEN
        INSERT INTO search_outbox (message_id, created_at) VALUES (NEW.message_id, search_outbox_now());
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_outbox_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT search_outbox_on() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (conversation_id, created_at) VALUES (OLD.conversation_id, search_outbox_now());
    ELSE
        INSERT INTO search_outbox (conversation_id, created_at) VALUES (NEW.conversation_id, search_outbox_now());
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_outbox_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF search_outbox_on() THEN
        INSERT INTO search_outbox (conversation_id, created_at) VALUES (NEW.id, search_outbox_now());
    END IF;
    RETURN NULL;
END
$$;
