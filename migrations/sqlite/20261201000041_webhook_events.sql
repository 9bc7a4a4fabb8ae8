-- Events webhooks must hear of, written by triggers inside the statement (and so the
-- transaction) that makes the change, as the search outbox is: a change that commits has its
-- event, one that rolls back has none, and no request writes anything more for it. A row is
-- written only when an enabled endpoint of the tenant subscribed to its type, so a tenant
-- without endpoints pays one index probe per change. The worker claims rows with a lease,
-- writes one delivery per subscribed endpoint and deletes the row in one transaction.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The message, conversation, ticket, report or user the event is about.
    subject_id TEXT NOT NULL,
    -- For member.added and member.removed: who joined or left.
    user_id TEXT,
    created_at INTEGER NOT NULL,
    -- A worker owns the row until claimed_until (epoch milliseconds); 0 when free.
    claimed_by TEXT,
    claimed_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_claimable ON webhook_events (claimed_until, id);

-- Inserts.
CREATE TRIGGER webhook_message_new AFTER INSERT ON messages
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,message.new,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'message.new', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_conversation_created AFTER INSERT ON conversations
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,conversation.created,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'conversation.created', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_ticket_created AFTER INSERT ON tickets
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,ticket.created,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'ticket.created', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_report_created AFTER INSERT ON reports
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,report.created,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'report.created', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_user_created AFTER INSERT ON users
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,user.created,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'user.created', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
-- Updates.
CREATE TRIGGER webhook_message_updated AFTER UPDATE OF edited_at ON messages
WHEN old.edited_at IS NOT new.edited_at AND new.deleted_at IS NULL
    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,message.updated,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'message.updated', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_message_deleted AFTER UPDATE OF deleted_at ON messages
WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL
    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,message.deleted,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'message.deleted', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_ticket_updated AFTER UPDATE ON tickets
WHEN (old.status IS NOT new.status OR old.priority IS NOT new.priority OR old.category IS NOT new.category
         OR old.assignee_id IS NOT new.assignee_id)
    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,ticket.updated,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'ticket.updated', new.id, NULL, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
-- Members: joining a conversation that already existed (its first members come with
-- conversation.created), rejoining after leaving, and leaving.
CREATE TRIGGER webhook_member_added AFTER INSERT ON participants
WHEN NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = new.conversation_id AND c.created_at >= new.joined_at)
    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,member.added,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'member.added', new.conversation_id, new.user_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_member_rejoined AFTER UPDATE OF left_at ON participants
WHEN old.left_at IS NOT NULL AND new.left_at IS NULL
    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,member.added,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'member.added', new.conversation_id, new.user_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER webhook_member_removed AFTER UPDATE OF left_at ON participants
WHEN old.left_at IS NULL AND new.left_at IS NOT NULL
    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = new.tenant_id AND enabled = 1 AND (',' || events || ',') LIKE '%,member.removed,%') BEGIN
    INSERT INTO webhook_events (tenant_id, event_type, subject_id, user_id, created_at)
    VALUES (new.tenant_id, 'member.removed', new.conversation_id, new.user_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
