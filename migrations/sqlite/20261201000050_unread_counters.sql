-- Each member's unread count, kept by triggers in the statement that changes it, so lists and
-- totals read one column instead of counting messages. Unread, for member p of conversation
-- c: the messages of c after p's read position and after p's cleared history, not deleted
-- for everyone, not sent by p, and not hidden by p. Sends add to the counter, deletes and
-- hides take from it, and a moved read position or a new membership recounts (the view
-- `unread_recounts`).
ALTER TABLE participants ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;

-- The definition, as a recount per member.
CREATE VIEW unread_recounts AS
SELECT p.conversation_id, p.user_id, (
    SELECT COUNT(*) FROM messages m
    WHERE m.conversation_id = p.conversation_id AND m.seq > p.last_read_seq AND m.seq > p.cleared_before_seq
      AND m.deleted_at IS NULL AND (m.sender_id IS NULL OR m.sender_id <> p.user_id)
      AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = p.user_id)) AS counted
FROM participants p;

UPDATE participants SET unread_count = (
    SELECT counted FROM unread_recounts r WHERE r.conversation_id = participants.conversation_id AND r.user_id = participants.user_id);

CREATE TRIGGER unread_message_sent AFTER INSERT ON messages BEGIN
    UPDATE participants SET unread_count = unread_count + 1
    WHERE conversation_id = new.conversation_id AND (new.sender_id IS NULL OR new.sender_id <> user_id)
      AND new.seq > last_read_seq AND new.seq > cleared_before_seq;
END;

CREATE TRIGGER unread_message_deleted AFTER UPDATE OF deleted_at ON messages
WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN
    UPDATE participants SET unread_count = unread_count - 1
    WHERE conversation_id = new.conversation_id AND (new.sender_id IS NULL OR new.sender_id <> user_id)
      AND new.seq > last_read_seq AND new.seq > cleared_before_seq
      AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = new.id AND h.user_id = participants.user_id);
END;

CREATE TRIGGER unread_message_hidden AFTER INSERT ON hidden_messages BEGIN
    UPDATE participants SET unread_count = unread_count - 1
    WHERE user_id = new.user_id AND EXISTS (
        SELECT 1 FROM messages m WHERE m.id = new.message_id AND m.conversation_id = participants.conversation_id
          AND m.deleted_at IS NULL AND (m.sender_id IS NULL OR m.sender_id <> participants.user_id)
          AND m.seq > participants.last_read_seq AND m.seq > participants.cleared_before_seq);
END;

CREATE TRIGGER unread_member_joined AFTER INSERT ON participants BEGIN
    UPDATE participants SET unread_count = (
        SELECT counted FROM unread_recounts r WHERE r.conversation_id = new.conversation_id AND r.user_id = new.user_id)
    WHERE conversation_id = new.conversation_id AND user_id = new.user_id;
END;

CREATE TRIGGER unread_position_moved AFTER UPDATE OF last_read_seq, cleared_before_seq ON participants
WHEN old.last_read_seq IS NOT new.last_read_seq OR old.cleared_before_seq IS NOT new.cleared_before_seq BEGIN
    UPDATE participants SET unread_count = (
        SELECT counted FROM unread_recounts r WHERE r.conversation_id = new.conversation_id AND r.user_id = new.user_id)
    WHERE conversation_id = new.conversation_id AND user_id = new.user_id;
END;
