-- A message is stored with one INSERT that reads the conversation's last_seq (see
-- store::messages::send). This trigger finishes the send inside that same statement: the
-- conversation moves to the new seq and message, and members who had hidden the
-- conversation see it again (recipients who archived it get it back too).
-- Broadcasts bump last_seq before inserting, so for them the first update finds nothing to do.
CREATE TRIGGER messages_advance_conversation AFTER INSERT ON messages BEGIN
    UPDATE conversations SET last_seq = new.seq, last_message_id = new.id, updated_at = new.created_at
     WHERE id = new.conversation_id AND last_seq < new.seq;
    UPDATE participants SET hidden = 0, archived = CASE WHEN user_id = new.sender_id THEN archived ELSE 0 END
     WHERE conversation_id = new.conversation_id AND left_at IS NULL AND (hidden = 1 OR archived = 1);
END;
