-- Events webhooks must hear of, written by triggers inside the statement (and so the
-- transaction) that makes the change, as the search outbox is: a change that commits has its
-- event, one that rolls back has none, and no request writes anything more for it. A row is
-- written only when an enabled endpoint of the tenant subscribed to its type, so a tenant
-- without endpoints pays one index probe per change. Workers claim rows with a lease, write
-- one delivery per subscribed endpoint and delete the row in one transaction.
CREATE TABLE webhook_events (
    id BIGSERIAL PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The message, conversation, ticket, report or user the event is about.
    subject_id TEXT NOT NULL,
    -- For member.added and member.removed: who joined or left.
    user_id TEXT,
    created_at BIGINT NOT NULL,
    -- A worker owns the row until claimed_until (epoch milliseconds); 0 when free.
    claimed_by TEXT,
    claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_claimable ON webhook_events (claimed_until, id);

CREATE FUNCTION webhook_wanted(tenant TEXT, kind TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM webhook_endpoints
        WHERE tenant_id = tenant AND enabled = 1 AND (',' || events || ',') LIKE ('%,' || kind || ',%')
    )
$$;

CREATE FUNCTION webhook_now() RETURNS BIGINT LANGUAGE sql AS $$
    SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
$$;

-- Inserts: once per statement, so a broadcast to thousands writes its rows in one go. The
-- event type is the trigger's first argument.
CREATE FUNCTION webhook_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, created_at)
    SELECT c.tenant_id, TG_ARGV[0], c.id, webhook_now() FROM changed c WHERE webhook_wanted(c.tenant_id, TG_ARGV[0])
    ORDER BY c.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER webhook_message_new AFTER INSERT ON messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_inserted('message.new');
CREATE TRIGGER webhook_conversation_created AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_inserted('conversation.created');
CREATE TRIGGER webhook_ticket_created AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_inserted('ticket.created');
CREATE TRIGGER webhook_report_created AFTER INSERT ON reports
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_inserted('report.created');
CREATE TRIGGER webhook_user_created AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_inserted('user.created');

-- Updates: one row each, the type again the first argument.
CREATE FUNCTION webhook_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, created_at)
    VALUES (NEW.tenant_id, TG_ARGV[0], NEW.id, webhook_now());
    RETURN NULL;
END
$$;
CREATE TRIGGER webhook_message_updated AFTER UPDATE OF edited_at ON messages FOR EACH ROW
    WHEN (OLD.edited_at IS DISTINCT FROM NEW.edited_at AND NEW.deleted_at IS NULL
          AND webhook_wanted(NEW.tenant_id, 'message.updated'))
    EXECUTE FUNCTION webhook_updated('message.updated');
CREATE TRIGGER webhook_message_deleted AFTER UPDATE OF deleted_at ON messages FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND webhook_wanted(NEW.tenant_id, 'message.deleted'))
    EXECUTE FUNCTION webhook_updated('message.deleted');
CREATE TRIGGER webhook_ticket_updated AFTER UPDATE ON tickets FOR EACH ROW
    WHEN ((OLD.status, OLD.priority, OLD.category, OLD.assignee_id) IS DISTINCT FROM
          (NEW.status, NEW.priority, NEW.category, NEW.assignee_id)
          AND webhook_wanted(NEW.tenant_id, 'ticket.updated'))
    EXECUTE FUNCTION webhook_updated('ticket.updated');

-- Members: joining a conversation that already existed (its first members come with
-- conversation.created), rejoining after leaving, and leaving.
CREATE FUNCTION webhook_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'member.removed' OR NOT EXISTS (
        SELECT 1 FROM conversations c WHERE c.id = NEW.conversation_id AND c.created_at >= NEW.joined_at
    ) THEN
        INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
        VALUES (NEW.tenant_id, TG_ARGV[0], NEW.conversation_id, NEW.user_id, webhook_now());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER webhook_member_added AFTER INSERT ON participants FOR EACH ROW
    WHEN (webhook_wanted(NEW.tenant_id, 'member.added'))
    EXECUTE FUNCTION webhook_member('member.added');
CREATE TRIGGER webhook_member_rejoined AFTER UPDATE OF left_at ON participants FOR EACH ROW
    WHEN (OLD.left_at IS NOT NULL AND NEW.left_at IS NULL AND webhook_wanted(NEW.tenant_id, 'member.added'))
    EXECUTE FUNCTION webhook_member('member.added');
CREATE TRIGGER webhook_member_removed AFTER UPDATE OF left_at ON participants FOR EACH ROW
    WHEN (OLD.left_at IS NULL AND NEW.left_at IS NOT NULL AND webhook_wanted(NEW.tenant_id, 'member.removed'))
    EXECUTE FUNCTION webhook_member('member.removed');
