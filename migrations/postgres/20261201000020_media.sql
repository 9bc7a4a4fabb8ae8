-- Uploaded media. A row is written when an upload URL is handed out ('pending') and turns
-- 'ready' once the object was checked; pending rows past their time are swept with their
-- objects. Messages name media by id (messages.media_id) and copy its file fields.
CREATE TABLE media (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    uploader_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_type TEXT NOT NULL,
    file_size BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    thumbnail_type TEXT,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT
);
-- The sweep of unconfirmed uploads, oldest first.
CREATE INDEX media_status_created ON media (status, created_at);
-- A deleted user's uploads.
CREATE INDEX media_uploader ON media (tenant_id, uploader_id);
-- Who may see media (the members of conversations it was sent to), and whether any
-- message still refers to it.
CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;
