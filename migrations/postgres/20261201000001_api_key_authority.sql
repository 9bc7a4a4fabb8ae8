-- The strongest role a key may act as: what its issuer could do when it was issued. A key
-- never outranks its issuer, so an admin's key cannot promote anyone past admin or act on
-- the tenant owner. The default is the weakest role, so a row written without one fails
-- closed.
ALTER TABLE api_keys ADD COLUMN authority TEXT NOT NULL DEFAULT 'user';

-- Existing keys take their creator's role (admin, the least role that could issue a key,
-- when the creator's row is gone). A key without a creator came from the bootstrap, which
-- acts for the owner, unless the audit log shows another key issued it: that issuer may
-- have been an admin's key, so such a key is bounded to admin.
UPDATE api_keys SET authority = CASE
    WHEN created_by IS NOT NULL THEN
        COALESCE((SELECT users.role FROM users WHERE users.id = api_keys.created_by), 'admin')
    WHEN EXISTS (
        SELECT 1 FROM audit_log
         WHERE audit_log.action = 'api_key.create' AND audit_log.target = api_keys.id
           AND audit_log.actor LIKE 'api_key:%'
    ) THEN 'admin'
    ELSE 'superadmin'
END;
