-- Each member's copy of its conversation's last activity (`conversations.updated_at`), kept
-- by triggers in the statement that changes it, so a user's list reads its first page from
-- one index in activity order instead of sorting every membership.
ALTER TABLE participants ADD COLUMN activity_at INTEGER NOT NULL DEFAULT 0;

UPDATE participants SET activity_at = COALESCE((SELECT updated_at FROM conversations c WHERE c.id = participants.conversation_id), 0);

CREATE INDEX participants_by_activity ON participants (user_id, activity_at, conversation_id);

-- A new membership starts at its conversation's activity.
CREATE TRIGGER activity_member_joined AFTER INSERT ON participants BEGIN
    UPDATE participants SET activity_at = COALESCE((SELECT updated_at FROM conversations WHERE id = new.conversation_id), 0)
    WHERE conversation_id = new.conversation_id AND user_id = new.user_id;
END;

-- A conversation's activity moves every member's copy.
CREATE TRIGGER activity_moved AFTER UPDATE OF updated_at ON conversations
WHEN old.updated_at IS NOT new.updated_at BEGIN
    UPDATE participants SET activity_at = new.updated_at WHERE conversation_id = new.id;
END;

-- What the tests compare the copies with.
CREATE VIEW activity_drift AS
SELECT p.conversation_id, p.user_id, p.activity_at, c.updated_at
FROM participants p JOIN conversations c ON c.id = p.conversation_id
WHERE p.activity_at <> c.updated_at;
