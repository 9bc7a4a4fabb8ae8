-- A suspension may carry an end time (epoch ms); past it the account counts as active again.
ALTER TABLE users ADD COLUMN suspended_until BIGINT;

-- What a privileged action changed, and where it came from: the audit entry is written in
-- the same transaction as the action.
ALTER TABLE audit_log ADD COLUMN before_value TEXT;
ALTER TABLE audit_log ADD COLUMN after_value TEXT;
ALTER TABLE audit_log ADD COLUMN client_addr TEXT;

CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor, created_at);
CREATE INDEX audit_log_tenant_target ON audit_log (tenant_id, target, created_at);

-- The admin user list counts each listed user's messages: an index range per user, not a
-- scan of every message.
CREATE INDEX messages_by_sender ON messages (sender_id);
