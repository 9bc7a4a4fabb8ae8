-- Webhooks: endpoints a tenant registers for some event types, and the durable queue of
-- deliveries to them. A delivery is written when the event happens and sent later by a
-- worker of any server process, which holds it with a lease while it sends.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    description TEXT,
    -- The event types it receives, comma-separated.
    events TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    -- Kept as-is: it must sign every delivery.
    secret TEXT NOT NULL,
    -- The secret before the last rotation, which keeps signing until previous_secret_until.
    previous_secret TEXT,
    previous_secret_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, enabled, created_at);

CREATE TABLE webhook_deliveries (
    -- Sent as Confab-Delivery-Id, the same on every attempt.
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    -- The exact body sent on every attempt.
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- Retries stop at this time (a day after the event, or after a replay).
    retry_until BIGINT NOT NULL,
    -- A worker owns the delivery (claims skip locked rows) until claimed_until (epoch milliseconds); 0 when free.
    claimed_by TEXT,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    last_attempt_at BIGINT,
    last_status_code BIGINT,
    last_response TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);
