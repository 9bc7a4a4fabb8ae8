-- Reports: a user flags a message or another user for the tenant's moderators. A target is
-- named by kind and id without a foreign key, so a report outlives the message it names
-- and the queue still shows it as deleted. Who resolved a report is kept here for the
-- moderators and the audit log; nothing the reporter reads carries it.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    reporter_id TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    resolution TEXT,
    resolved_by TEXT,
    resolution_note TEXT,
    resolved_at INTEGER,
    created_at INTEGER NOT NULL
);
-- One open report per reporter and target: a second one is refused by this index, even
-- when two arrive at once.
CREATE UNIQUE INDEX reports_one_open ON reports (tenant_id, reporter_id, target_kind, target_id) WHERE status = 'open';
-- The moderation queue: open reports of a tenant by target, and oldest first.
CREATE INDEX reports_open_by_target ON reports (tenant_id, status, target_kind, target_id, created_at);
