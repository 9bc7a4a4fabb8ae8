-- Each member's copy of its conversation's last activity (`conversations.updated_at`), kept
-- by triggers in the statement that changes it, so a user's list reads its first page from
-- one index in activity order instead of sorting every membership.
ALTER TABLE participants ADD COLUMN activity_at BIGINT NOT NULL DEFAULT 0;

UPDATE participants p SET activity_at = c.updated_at FROM conversations c WHERE c.id = p.conversation_id;

CREATE INDEX participants_by_activity ON participants (user_id, activity_at, conversation_id);

-- A new membership starts at its conversation's activity.
CREATE FUNCTION activity_member_joined() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.activity_at := COALESCE((SELECT updated_at FROM conversations WHERE id = NEW.conversation_id), 0);
    RETURN NEW;
END
$$;
CREATE TRIGGER activity_member_joined BEFORE INSERT ON participants FOR EACH ROW
    EXECUTE FUNCTION activity_member_joined();

-- A conversation's activity moves every member's copy.
CREATE FUNCTION activity_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE participants SET activity_at = NEW.updated_at WHERE conversation_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER activity_moved AFTER UPDATE OF updated_at ON conversations FOR EACH ROW
    WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION activity_moved();

-- What the tests compare the copies with.
CREATE VIEW activity_drift AS
SELECT p.conversation_id, p.user_id, p.activity_at, c.updated_at
FROM participants p JOIN conversations c ON c.id = p.conversation_id
WHERE p.activity_at <> c.updated_at;
