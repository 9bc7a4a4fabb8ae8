-- Each member's unread count, kept by triggers in the statement that changes it, so lists and
-- totals read one column instead of counting messages. Unread, for member p of conversation
-- c: the messages of c after p's read position and after p's cleared history, not deleted
-- for everyone, not sent by p, and not hidden by p. `unread_recount` is that definition;
-- sends add to the counter, deletes and hides take from it, and a moved read position or a
-- new membership recounts.
ALTER TABLE participants ADD COLUMN unread_count BIGINT NOT NULL DEFAULT 0;

-- Volatile, so a recount inside a statement that waited for a concurrent send's row lock
-- sees that send's message once it committed.
CREATE FUNCTION unread_recount(conversation TEXT, member TEXT, read_seq BIGINT, cleared_seq BIGINT) RETURNS BIGINT
LANGUAGE sql VOLATILE AS $$
    SELECT COUNT(*) FROM messages m
    WHERE m.conversation_id = conversation AND m.seq > read_seq AND m.seq > cleared_seq AND m.deleted_at IS NULL
      AND (m.sender_id IS NULL OR m.sender_id <> member)
      AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = member)
$$;

-- The same, per member: what the tests compare the kept counts with.
CREATE VIEW unread_recounts AS
SELECT conversation_id, user_id, unread_recount(conversation_id, user_id, last_read_seq, cleared_before_seq) AS counted
FROM participants;

UPDATE participants SET unread_count = unread_recount(conversation_id, user_id, last_read_seq, cleared_before_seq);

-- Sends, once per statement, so a broadcast updates each member once.
CREATE FUNCTION unread_messages_sent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE participants p SET unread_count = p.unread_count + x.n
    FROM (SELECT o.conversation_id, o.user_id, COUNT(*) AS n
            FROM sent m JOIN participants o ON o.conversation_id = m.conversation_id
           WHERE (m.sender_id IS NULL OR m.sender_id <> o.user_id) AND m.seq > o.last_read_seq AND m.seq > o.cleared_before_seq
           GROUP BY o.conversation_id, o.user_id) x
    WHERE p.conversation_id = x.conversation_id AND p.user_id = x.user_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER unread_messages_sent AFTER INSERT ON messages
    REFERENCING NEW TABLE AS sent FOR EACH STATEMENT EXECUTE FUNCTION unread_messages_sent();

-- A message deleted for everyone stops counting for those it counted for.
CREATE FUNCTION unread_message_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE participants p SET unread_count = p.unread_count - 1
    WHERE p.conversation_id = NEW.conversation_id AND (NEW.sender_id IS NULL OR NEW.sender_id <> p.user_id)
      AND NEW.seq > p.last_read_seq AND NEW.seq > p.cleared_before_seq
      AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = NEW.id AND h.user_id = p.user_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER unread_message_deleted AFTER UPDATE OF deleted_at ON messages FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION unread_message_deleted();

-- A message hidden by one member stops counting for them.
CREATE FUNCTION unread_message_hidden() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE participants p SET unread_count = p.unread_count - 1
    FROM messages m
    WHERE m.id = NEW.message_id AND p.conversation_id = m.conversation_id AND p.user_id = NEW.user_id
      AND m.deleted_at IS NULL AND (m.sender_id IS NULL OR m.sender_id <> p.user_id)
      AND m.seq > p.last_read_seq AND m.seq > p.cleared_before_seq;
    RETURN NULL;
END
$$;
CREATE TRIGGER unread_message_hidden AFTER INSERT ON hidden_messages FOR EACH ROW
    EXECUTE FUNCTION unread_message_hidden();

-- A new membership, or a moved read position or cleared history: counted again.
CREATE FUNCTION unread_member_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.unread_count := unread_recount(NEW.conversation_id, NEW.user_id, NEW.last_read_seq, NEW.cleared_before_seq);
    RETURN NEW;
END
$$;
CREATE TRIGGER unread_member_joined BEFORE INSERT ON participants FOR EACH ROW
    EXECUTE FUNCTION unread_member_recounted();
CREATE TRIGGER unread_position_moved BEFORE UPDATE OF last_read_seq, cleared_before_seq ON participants FOR EACH ROW
    WHEN (OLD.last_read_seq IS DISTINCT FROM NEW.last_read_seq OR OLD.cleared_before_seq IS DISTINCT FROM NEW.cleared_before_seq)
    EXECUTE FUNCTION unread_member_recounted();
