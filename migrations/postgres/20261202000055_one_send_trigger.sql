-- What a new message changes besides itself, done by one trigger in one statement.
--
-- A send used to fire four statement triggers on `messages` (`messages_count`,
-- `search_outbox_message_insert`, `unread_messages_sent`, `webhook_message_new`), each
-- running its own statements, and its conversation's new activity fired `activity_moved`,
-- which updated every member's row a first time before the unread count updated the
-- recipients' rows a second time; each of those updates of `participants` ran
-- `tenant_unread_moved` again. Triggers were most of the database's work for a send (the
-- send statement alone, under pgbench with commits unflushed: about 1,400 a second with
-- them, 5,100 without), and starting each trigger statement's executor was the largest part
-- of it. Now one trigger runs one statement, and each member's row is written once a send,
-- its activity and its unread count together: 916-952 µs of PostgreSQL CPU per send
-- against 1,055-1,236 µs before (see BENCHMARKS.md).
--
-- The helpers `webhook_wanted` and `search_outbox_on` become PL/pgSQL, which keeps their
-- plan for the session; as SQL functions that cannot be inlined they were planned again in
-- every statement that called them.

CREATE OR REPLACE FUNCTION webhook_wanted(tenant TEXT, kind TEXT) RETURNS BOOLEAN LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM webhook_endpoints
        WHERE tenant_id = tenant AND enabled = 1 AND (',' || events || ',') LIKE ('%,' || kind || ',%'));
END
$$;

CREATE OR REPLACE FUNCTION search_outbox_on() RETURNS BOOLEAN LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN COALESCE((SELECT enabled FROM search_outbox_switch WHERE id = 1), TRUE);
END
$$;

DROP TRIGGER messages_count ON messages;
DROP TRIGGER search_outbox_message_insert ON messages;
DROP TRIGGER unread_messages_sent ON messages;
DROP TRIGGER webhook_message_new ON messages;
DROP FUNCTION messages_count();
DROP FUNCTION search_outbox_messages();
DROP FUNCTION unread_messages_sent();

-- For the messages a statement inserted: the tenant's count of the hour (appended, see
-- `tenant_counters`); the sender's last activity, moved at most once a minute; the search
-- outbox, unless the search needs none; each member's activity (its conversation's, as
-- `activity_moved` copies it) and unread count (the new messages of others after what the
-- member read or cleared); and the `message.new` webhook events in message order.
CREATE FUNCTION messages_sent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (
        INSERT INTO message_counts (tenant_id, hour, count)
        SELECT tenant_id, created_at - created_at % 3600000, COUNT(*) FROM sent GROUP BY 1, 2),
    active AS (
        UPDATE users SET last_active_at = s.at
          FROM (SELECT sender_id, MAX(created_at) AS at FROM sent WHERE sender_id IS NOT NULL GROUP BY sender_id) s
         WHERE users.id = s.sender_id
           AND (users.last_active_at IS NULL OR users.last_active_at <= s.at - 60000)),
    indexed AS (
        INSERT INTO search_outbox (message_id, created_at)
        SELECT id, search_outbox_now() FROM sent WHERE search_outbox_on()),
    members AS (
        UPDATE participants p SET activity_at = x.activity_at, unread_count = p.unread_count + x.n
          FROM (SELECT o.conversation_id, o.user_id, MAX(c.updated_at) AS activity_at,
                       COUNT(*) FILTER (WHERE (m.sender_id IS NULL OR m.sender_id <> o.user_id)
                                          AND m.seq > o.last_read_seq AND m.seq > o.cleared_before_seq) AS n
                  FROM sent m JOIN participants o ON o.conversation_id = m.conversation_id
                  JOIN conversations c ON c.id = m.conversation_id
                 GROUP BY o.conversation_id, o.user_id) x
         WHERE p.conversation_id = x.conversation_id AND p.user_id = x.user_id)
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, created_at)
    SELECT tenant_id, 'message.new', id, webhook_now() FROM sent WHERE webhook_wanted(tenant_id, 'message.new')
    ORDER BY id;
    RETURN NULL;
END
$$;
CREATE TRIGGER messages_sent AFTER INSERT ON messages
    REFERENCING NEW TABLE AS sent FOR EACH STATEMENT EXECUTE FUNCTION messages_sent();

-- A conversation's seq moves only with messages inserted in the same transaction, whose
-- trigger above moves its members' activity; `activity_moved` is left with the other
-- changes of its activity.
DROP TRIGGER activity_moved ON conversations;
CREATE TRIGGER activity_moved AFTER UPDATE OF updated_at ON conversations FOR EACH ROW
    WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at AND OLD.last_seq = NEW.last_seq)
    EXECUTE FUNCTION activity_moved();
