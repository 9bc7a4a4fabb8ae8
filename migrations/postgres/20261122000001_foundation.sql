-- Tenants, accounts, credentials and sessions: the foundation every other table hangs off.
-- Times are epoch milliseconds (BIGINT) and flags 0/1 integers, so one query text decodes on
-- both SQLite and PostgreSQL.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    external_id TEXT,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    display_name TEXT,
    email TEXT,
    email_key TEXT,
    phone TEXT,
    avatar_url TEXT,
    timezone TEXT,
    role TEXT NOT NULL,
    can_send_message BIGINT NOT NULL,
    can_receive_message BIGINT NOT NULL,
    can_delete_message BIGINT NOT NULL,
    can_edit_message BIGINT NOT NULL,
    can_archive_conversation BIGINT NOT NULL,
    password_hash TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    last_seen_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_tenant_external_id ON users (tenant_id, external_id);
CREATE UNIQUE INDEX users_tenant_username ON users (tenant_id, username_key);
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, email_key);
CREATE INDEX users_tenant_role ON users (tenant_id, role);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    prefix TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    created_by TEXT,
    last_used_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

-- A session is one login: its refresh tokens form a family that is revoked as a whole.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-time WebSocket tickets (GET /v1/messaging/token).
CREATE TABLE ws_tickets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, created_at);
